/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The dialects we support, chosen by the database a connection reports. */
public final class Dialects {

    private static final List<Dialect> ALL = List.of(new PostgresDialect(), new MariaDbDialect(), new SqliteDialect());

    private Dialects() {
    }

    public static Dialect forConnection(Connection connection) throws SQLException {
        String product = connection.getMetaData().getDatabaseProductName();
        String version = connection.getMetaData().getDatabaseProductVersion();
        return ALL.stream().filter(d -> d.serves(product)).findFirst()
                .orElseThrow(() -> new SQLException("Unsupported database '" + product + " " + version
                        + "': nifi-bisync supports PostgreSQL, MariaDB and SQLite"));
    }

    public static List<Dialect> all() {
        return ALL;
    }
}
