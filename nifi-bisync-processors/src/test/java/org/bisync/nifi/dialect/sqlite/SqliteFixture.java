/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** A fresh SQLite file with the bisync tables, and helpers the SQLite tests share. */
final class SqliteFixture implements EngineFixture {

    @Override
    public String engine() {
        return "SQLite";
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }


    /** Parses history JSON the way capture does. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    final Dialect dialect = new SqliteDialect();
    final DataSource dataSource;

    SqliteFixture(String name) throws SQLException {
        dataSource = EmbeddedDatabases.sqlite(name);
        try (Connection c = connect()) {
            run(c, dialect.capture().createBisyncTables());
        }
    }

    @Override
    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    static SyncTopology topology(TableSettings settings) {
        return new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
    }

    SyncedTable resolve(Connection c, TableSettings settings) throws SQLException {
        return new SyncedTableResolver(dialect, topology(settings)).resolve(c, settings, "A");
    }

    /** Resolves and installs the triggers of a table. */
    SyncedTable install(Connection c, TableSettings settings) throws SQLException {
        SyncedTable table = resolve(c, settings);
        run(c, dialect.capture().installTable(table));
        return table;
    }

    static void run(Connection c, List<String> statements) throws SQLException {
        Jdbc.exec(c, statements);
    }

    static void run(Connection c, String... statements) throws SQLException {
        Jdbc.exec(c, statements);
    }

    static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        return Jdbc.rows(c, sql);
    }

    static long count(Connection c, String sql) throws SQLException {
        return Jdbc.count(c, sql);
    }

    static List<Map<String, Object>> history(Connection c) throws SQLException {
        return rows(c, "SELECT * FROM bisync_history ORDER BY id");
    }

    static JsonNode json(Object text) {
        try {
            return text == null ? null : JSON.readTree(text.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long number(Object value) {
        return ((Number) value).longValue();
    }
}
