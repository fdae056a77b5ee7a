/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncTopology;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code item} table on PostgreSQL (system A), MariaDB (B) and SQLite (C), installed for sync (bisync tables,
 * version table, triggers), filled with the same rows: decimals with and without a fraction, timestamps with and
 * without microseconds, a UTC timestamp column, NULLs, empty strings and non-ASCII text.
 */
public final class AuditTables {

    public static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}, {"id": "C", "priority": 3}],
             "hub": "A",
             "tables": [{"name": "item", "strategy": "%s"}]}""";

    private static final Map<String, String> DDL = Map.of(
            "A", "CREATE TABLE item (id bigint PRIMARY KEY, name varchar(40), amount numeric(12,2), seen_at timestamp(6), "
                    + "changed_at timestamptz, note varchar(40), flag boolean)",
            "B", "CREATE TABLE item (id bigint PRIMARY KEY, name varchar(40), amount decimal(12,2), seen_at datetime(6), "
                    + "changed_at timestamp(6) NULL, note varchar(40), flag boolean)",
            "C", "CREATE TABLE item (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,2), seen_at TIMESTAMP, "
                    + "changed_at TIMESTAMPTZ, note VARCHAR(40), flag BOOLEAN)");

    private AuditTables() {
    }

    public static SyncTopology topology(String strategy) {
        return new TopologyParser().parse(TOPOLOGY.formatted(strategy));
    }

    /** The three databases, each with the table installed and {@code rows} identical rows. */
    public static Map<String, DataSource> create(String name, int rows, SyncTopology topology) throws SQLException {
        Map<String, DataSource> systems = new LinkedHashMap<>();
        systems.put("A", EmbeddedDatabases.postgres(name));
        systems.put("B", EmbeddedDatabases.mariadb(name));
        systems.put("C", EmbeddedDatabases.sqlite(name));
        for (Map.Entry<String, DataSource> system : systems.entrySet()) {
            try (Connection connection = system.getValue().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(DDL.get(system.getKey()));
                Dialect dialect = Dialects.forConnection(connection);
                for (String sql : dialect.capture().createBisyncTables()) {
                    statement.execute(sql);
                }
                SyncedTable table = resolve(connection, topology, system.getKey());
                for (String sql : dialect.capture().installTable(table)) {
                    statement.execute(sql);
                }
            }
            List<String> inserts = new ArrayList<>();
            if (system.getKey().equals("B")) {
                inserts.add("SET time_zone = '+00:00'");
            }
            for (int i = 1; i <= rows; i++) {
                inserts.add(insert(i, system.getKey()));
            }
            execute(system.getValue(), inserts);
        }
        return systems;
    }

    static SyncedTable resolve(Connection connection, SyncTopology topology, String system) throws SQLException {
        return new SyncedTableResolver(Dialects.forConnection(connection), topology).resolve(connection,
                topology.table("item").orElseThrow(), system);
    }

    private static String insert(int i, String system) {
        String amount = i % 2 == 0 ? i + ".50" : i + ".00";
        String seen = "2024-05-01 10:%02d:%02d".formatted(i / 60 % 60, i % 60) + (i % 4 == 0 ? "" : "." + String.format("%06d", i * 7919 % 1_000_000));
        String changed = "2025-01-0%d 23:30:00.%06d".formatted(1 + i % 9, i);
        String changedLiteral = system.equals("A") ? "'" + changed + "+00'" : "'" + changed + "'";
        String note = i % 3 == 0 ? "NULL" : i % 3 == 1 ? "''" : "'x" + i + "'";
        String flag = system.equals("A") ? (i % 2 == 0 ? "true" : "false") : String.valueOf(i % 2 == 0 ? 1 : 0);
        return "INSERT INTO item (id, name, amount, seen_at, changed_at, note, flag) VALUES (" + i + ", 'n\u00e9" + i + "', "
                + amount + ", '" + seen + "', " + changedLiteral + ", " + note + ", " + flag + ")";
    }

    static void execute(DataSource dataSource, List<String> statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }

    public static void execute(DataSource dataSource, String... statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }
}
