/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import javax.sql.DataSource;

/**
 * Embedded database servers for tests, each started lazily once per JVM and stopped by a shutdown hook. Every call
 * that takes a database name drops and re-creates that database, so a test starts from an empty one.
 *
 * <p>Names must match {@code [A-Za-z0-9_]{1,63}}. Starting prints one line with the time it took to System.out.
 */
public final class EmbeddedDatabases {

    /** Version of the MariaDB server behind {@link #mariadb(String)}. */
    public static final String MARIADB_VERSION = "11.4.5";
    /** Version of the MariaDB server behind {@link #mariadb1011(String)}. */
    public static final String MARIADB_LEGACY_VERSION = MariaDbLegacyBinaries.VERSION;

    private static final Object POSTGRES_LOCK = new Object();
    private static final Object MARIADB_LOCK = new Object();
    private static final Object MARIADB_LEGACY_LOCK = new Object();

    private static EmbeddedPostgresServer postgres;
    private static EmbeddedMariaDbServer mariadb;
    private static EmbeddedMariaDbServer mariadbLegacy;

    private EmbeddedDatabases() {
    }

    /** A fresh PostgreSQL 17 database (user postgres, no password). */
    public static DataSource postgres(final String databaseName) {
        return postgresServer().freshDatabase(databaseName);
    }

    /** JDBC URL (with user=postgres) of a database created by {@link #postgres(String)}; creates nothing. */
    public static String postgresJdbcUrl(final String databaseName) {
        return postgresServer().jdbcUrl(databaseName);
    }

    /** A fresh MariaDB 11.4.5 database, utf8mb4 / utf8mb4_bin, user root without password, sql_mode strict. */
    public static DataSource mariadb(final String databaseName) {
        return mariadbServer().freshDatabase(databaseName);
    }

    /** JDBC URL (with user=root) of a database created by {@link #mariadb(String)}; creates nothing. */
    public static String mariadbJdbcUrl(final String databaseName) {
        return mariadbServer().jdbcUrl(DatabaseNames.requireSafe(databaseName));
    }

    /**
     * A fresh database on a second server, MariaDB 10.11.5 (for reproducing bugs of that version), otherwise as
     * {@link #mariadb(String)}. Its binaries are not on the classpath; see {@link MariaDbLegacyBinaries}.
     */
    public static DataSource mariadb1011(final String databaseName) {
        return mariadbLegacyServer().freshDatabase(databaseName);
    }

    /** JDBC URL (with user=root) of a database created by {@link #mariadb1011(String)}; creates nothing. */
    public static String mariadb1011JdbcUrl(final String databaseName) {
        return mariadbLegacyServer().jdbcUrl(DatabaseNames.requireSafe(databaseName));
    }

    /**
     * A fresh SQLite file target/sqlite-test/NAME.db (deleted first if it exists) with foreign keys on, a busy
     * timeout of 10 s and journal mode WAL.
     */
    public static DataSource sqlite(final String name) {
        return SqliteFiles.fresh(name);
    }

    /** JDBC URL of the SQLite file of {@link #sqlite(String)}, with the same pragmas as URL parameters. */
    public static String sqliteUrl(final String name) {
        return SqliteFiles.url(name);
    }

    private static EmbeddedPostgresServer postgresServer() {
        synchronized (POSTGRES_LOCK) {
            if (postgres == null) {
                postgres = EmbeddedPostgresServer.start();
            }
            return postgres;
        }
    }

    private static EmbeddedMariaDbServer mariadbServer() {
        synchronized (MARIADB_LOCK) {
            if (mariadb == null) {
                mariadb = EmbeddedMariaDbServer.start(MARIADB_VERSION, null);
            }
            return mariadb;
        }
    }

    private static EmbeddedMariaDbServer mariadbLegacyServer() {
        synchronized (MARIADB_LEGACY_LOCK) {
            if (mariadbLegacy == null) {
                mariadbLegacy = EmbeddedMariaDbServer.start(MARIADB_LEGACY_VERSION,
                        EmbeddedMariaDbServer.binariesClassLoader(MariaDbLegacyBinaries.jar()));
            }
            return mariadbLegacy;
        }
    }
}
