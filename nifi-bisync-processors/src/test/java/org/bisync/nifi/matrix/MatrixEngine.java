/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.matrix;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.util.function.Function;

/**
 * The three engines of the matrix, with the DDL of the round-trip table in each engine's own syntax. The column names
 * are the same everywhere (they are the canonical field names).
 */
enum MatrixEngine {

    /** PostgreSQL 17. */
    POSTGRES("pg", new PostgresDialect(), EmbeddedDatabases::postgres,
            "id bigint PRIMARY KEY, n_int integer, n_dec decimal(18,4), n_dbl double precision, flag boolean, name varchar(200), "
                    + "body text, d date, ts timestamp(6), tstz timestamp(6) with time zone, bin bytea, doc jsonb, uid uuid"),
    /** MariaDB 11.4.5: boolean is tinyint(1), timestamp with time zone is TIMESTAMP(6) (UTC inside, 1970..2038), UUID is char(36). */
    MARIADB("my", new MariaDbDialect(), EmbeddedDatabases::mariadb,
            "id bigint PRIMARY KEY, n_int int, n_dec decimal(18,4), n_dbl double, flag tinyint(1), name varchar(200), "
                    + "body text, d date, ts datetime(6), tstz timestamp(6) NULL, bin varbinary(1000), doc json, uid char(36)"),
    /**
     * SQLite: JSON and UUID are TEXT; the time-zone timestamp is declared TIMESTAMPTZ, which SQLite stores as TEXT and the
     * dialect reads as UTC text (SQLite has no time-zone type: the declared name is the only statement of intent).
     */
    SQLITE("lite", new SqliteDialect(), EmbeddedDatabases::sqlite,
            "id BIGINT PRIMARY KEY, n_int INTEGER, n_dec DECIMAL(18,4), n_dbl REAL, flag BOOLEAN, name VARCHAR(200), "
                    + "body TEXT, d DATE, ts TIMESTAMP, tstz TIMESTAMPTZ, bin BLOB, doc TEXT, uid TEXT");

    final String shortName;
    final Dialect dialect;
    private final Function<String, DataSource> fresh;
    private final String columns;

    MatrixEngine(String shortName, Dialect dialect, Function<String, DataSource> fresh, String columns) {
        this.shortName = shortName;
        this.dialect = dialect;
        this.fresh = fresh;
        this.columns = columns;
    }

    DataSource freshDatabase(String name) {
        return fresh.apply(name);
    }

    String createTable(String table) {
        return "CREATE TABLE " + table + " (" + columns + ")";
    }
}
