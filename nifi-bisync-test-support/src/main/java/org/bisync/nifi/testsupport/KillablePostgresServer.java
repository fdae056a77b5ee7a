/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/** A PostgreSQL server of its own (zonky binaries) on a data directory that survives {@link #kill}. */
final class KillablePostgresServer implements KillableServer {

    private final Path instanceDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private KillablePostgresServer(final Path instanceDir, final int port, final EmbeddedPostgres postgres) {
        this.instanceDir = instanceDir;
        this.port = port;
        this.postgres = postgres;
    }

    static KillablePostgresServer start(final String name) {
        final long startNanos = System.nanoTime();
        final Path root = Path.of(System.getProperty("java.io.tmpdir"), "bisync-killable-pg");
        StaleDirectories.deleteDirectoriesOfDeadProcesses(root);
        final Path instanceDir = root.resolve(name + "-" + StaleDirectories.pidPrefix() + UUID.randomUUID().toString().substring(0, 8));
        final EmbeddedPostgres postgres = launch(instanceDir, 0);
        final KillablePostgresServer server = new KillablePostgresServer(instanceDir, postgres.getPort(), postgres);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "killable-postgres-stop"));
        StartupLog.started("killable PostgreSQL " + name, startNanos, "port " + server.port + ", dir " + instanceDir);
        return server;
    }

    private static EmbeddedPostgres launch(final Path instanceDir, final int port) {
        final Path log = instanceDir.resolve("server.log");
        try {
            Files.createDirectories(instanceDir);
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(new File(System.getProperty("java.io.tmpdir"), "bisync-embedded-pg"))
                    .setDataDirectory(instanceDir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(120))
                    // a killed server must keep every commit it acknowledged: synchronous_commit on (zonky's default
                    // is off); fsync is only about the operating system crashing, which these tests do not do
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "100");
            if (port != 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Killable PostgreSQL did not start in " + instanceDir + "; see " + log, e);
        }
    }

    @Override
    public DataSource createDatabase(final String databaseName) {
        final String name = DatabaseNames.requireSafe(databaseName);
        try (Connection connection = dataSource("postgres").getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\" ENCODING 'UTF8' TEMPLATE template0");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create PostgreSQL database " + name, e);
        }
        return dataSource(name);
    }

    @Override
    public String jdbcUrl(final String databaseName) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DatabaseNames.requireSafe(databaseName) + "?user=postgres";
    }

    private DataSource dataSource(final String databaseName) {
        final PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(databaseName);
        dataSource.setUser("postgres");
        dataSource.setConnectTimeout(10);
        return dataSource;
    }

    @Override
    public synchronized void kill() {
        final long pid = postmasterPid();
        KillableServer.killTree(pid);
        try {
            postgres.close(); // pg_ctl stop fails (logged by zonky); releases zonky's lock on the data directory
        } catch (IOException | RuntimeException ignored) {
            // the server is gone already
        }
        System.out.println("[nifi-bisync-test-support] killed PostgreSQL postmaster " + pid + " and its processes (kill -9)");
    }

    @Override
    public synchronized void restart() {
        final long startNanos = System.nanoTime();
        postgres = launch(instanceDir, port);
        StartupLog.started("killable PostgreSQL (restart after kill, crash recovery)", startNanos, "port " + port);
    }

    @Override
    public boolean running() {
        try (Connection connection = dataSource("postgres").getConnection()) {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(instanceDir.resolve("data").resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("No postmaster.pid in " + instanceDir, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            System.err.println("[nifi-bisync-test-support] stopping killable PostgreSQL failed: " + e);
        }
        EmbeddedMariaDbServer.deleteQuietly(instanceDir);
    }
}
