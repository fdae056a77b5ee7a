/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * One fresh database of one engine, as every engine's test fixture offers it, so that a contract test written once
 * runs on each engine through a subclass. {@link #start} gives the plain fixture; the dialect fixtures of the
 * processors' tests add the dialect on top.
 */
public interface EngineFixture {

    /** The engine's name as its dialect reports it: {@code PostgreSQL}, {@code MariaDB} or {@code SQLite}. */
    String engine();

    DataSource dataSource();

    default Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    default void exec(String... statements) throws SQLException {
        Jdbc.exec(dataSource(), statements);
    }

    default long count(String sql) throws SQLException {
        return Jdbc.count(dataSource(), sql);
    }

    default List<Map<String, Object>> rows(String sql) throws SQLException {
        return Jdbc.rows(dataSource(), sql);
    }

    /** Drops every table, view, trigger and function of the database: a clean slate between tests sharing it. */
    default void reset() throws SQLException {
        try (Connection connection = connect()) {
            List<String> drops = resetStatements(engine(), connection);
            switch (engine()) {
                case "MariaDB" -> Jdbc.exec(connection, "SET FOREIGN_KEY_CHECKS = 0");
                case "SQLite" -> Jdbc.exec(connection, "PRAGMA foreign_keys = OFF");
                default -> { }
            }
            try {
                Jdbc.exec(connection, drops);
            } finally {
                switch (engine()) {
                    case "MariaDB" -> Jdbc.exec(connection, "SET FOREIGN_KEY_CHECKS = 1");
                    case "SQLite" -> Jdbc.exec(connection, "PRAGMA foreign_keys = ON");
                    default -> { }
                }
            }
        }
    }

    /** A fresh database {@code name} on the embedded server of {@code engine} (started on first use). */
    static EngineFixture start(String engine, String name) {
        DataSource dataSource = switch (engine) {
            case "PostgreSQL" -> EmbeddedDatabases.postgres(name);
            case "MariaDB" -> EmbeddedDatabases.mariadb(name);
            case "SQLite" -> EmbeddedDatabases.sqlite(name);
            default -> throw new IllegalArgumentException("no embedded engine " + engine);
        };
        return new EngineFixture() {
            @Override
            public String engine() {
                return engine;
            }

            @Override
            public DataSource dataSource() {
                return dataSource;
            }
        };
    }

    private static List<String> resetStatements(String engine, Connection connection) throws SQLException {
        return switch (engine) {
            case "PostgreSQL" -> List.of("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
            case "MariaDB" -> Jdbc.rows(connection, "SELECT TABLE_NAME n, TABLE_TYPE t FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE()").stream()
                    .map(r -> ("VIEW".equals(r.get("t")) ? "DROP VIEW `" : "DROP TABLE `") + ((String) r.get("n")).replace("`", "``") + "`")
                    .toList();
            // triggers first: a trigger left on a table may name a table already dropped, which SQLite then refuses to parse
            case "SQLite" -> Jdbc.rows(connection, "SELECT type, name FROM sqlite_schema WHERE type IN ('trigger', 'view', 'table')"
                    + " AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END").stream()
                    .map(r -> "DROP " + r.get("type") + " IF EXISTS \"" + ((String) r.get("name")).replace("\"", "\"\"") + "\"")
                    .toList();
            default -> throw new IllegalArgumentException("no embedded engine " + engine);
        };
    }
}
