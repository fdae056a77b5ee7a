/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
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

/**
 * A database of one engine with its dialect, as system A of a topology A (priority 1), B (priority 2): installs tables
 * and reads back, engine-neutrally, what the triggers wrote. What the engine-contract tests of {@code dialect} share.
 */
public final class DialectFixture implements EngineFixture {

    /** Parses history JSON the way capture does. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    public final Dialect dialect;
    private final EngineFixture database;

    public DialectFixture(Dialect dialect, EngineFixture database) {
        this.dialect = dialect;
        this.database = database;
    }

    @Override
    public String engine() {
        return database.engine();
    }

    @Override
    public DataSource dataSource() {
        return database.dataSource();
    }

    /** Drops everything and creates the bisync tables again. */
    @Override
    public void reset() throws SQLException {
        database.reset();
        exec(dialect.capture().createBisyncTables());
    }

    public void exec(List<String> statements) throws SQLException {
        Jdbc.exec(dataSource(), statements);
    }

    public static SyncTopology topology(TableSettings settings) {
        return new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
    }

    public SyncedTable resolve(TableSettings settings) throws SQLException {
        try (Connection connection = connect()) {
            return new SyncedTableResolver(dialect, topology(settings)).resolve(connection, settings, "A");
        }
    }

    /** Resolves the table as system A and installs its triggers (again, if installed). */
    public SyncedTable install(TableSettings settings) throws SQLException {
        SyncedTable table = resolve(settings);
        exec(dialect.capture().installTable(table));
        return table;
    }

    public String quote(String identifier) {
        return dialect.identifiers().quote(identifier);
    }

    /** Every history row, oldest first, with the columns of the contract. */
    public List<Map<String, Object>> history() throws SQLException {
        return rows("SELECT " + BisyncTables.HISTORY_COLUMNS + " FROM bisync_history ORDER BY id");
    }

    public List<Map<String, Object>> history(String table) throws SQLException {
        return history().stream().filter(r -> table.equals(r.get("table_name"))).toList();
    }

    /** The operations of the history rows, oldest first. */
    public List<Object> operations() throws SQLException {
        return history().stream().map(r -> r.get("operation")).toList();
    }

    /** The version row of a table matching {@code where}, or null. */
    public Map<String, Object> version(String table, String where) throws SQLException {
        List<Map<String, Object>> rows = rows("SELECT * FROM " + quote(BisyncTables.VERSION_TABLE_PREFIX + table) + " WHERE " + where);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public List<Map<String, Object>> versions(String table) throws SQLException {
        return rows("SELECT * FROM " + quote(BisyncTables.VERSION_TABLE_PREFIX + table));
    }

    public long clockMicros() throws SQLException {
        return count(dialect.capture().selectClockMicros());
    }

    public static JsonNode json(Object text) {
        try {
            return text == null ? null : JSON.readTree(text.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static long num(Object value) {
        return ((Number) value).longValue();
    }

    /** A version row's tombstone flag, whatever type the engine gives it (boolean or 0/1). */
    public static boolean deleted(Map<String, Object> versionRow) {
        Object flag = versionRow.get("deleted");
        return flag instanceof Boolean b ? b : ((Number) flag).intValue() != 0;
    }
}
