/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One system (A or B) of a two-way pair syncing {@code parent(id, name)} and {@code child(id, parent_id, note)} with a
 * real foreign key from child to parent: bisync installed with its triggers, local writes as a user makes them, capture
 * of its history, and apply into it.
 */
final class ForeignKeySide {

    static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(TableSettings.twoWay("parent"), TableSettings.twoWay("child")), null);

    final String id;
    final Dialect dialect;
    final DataSource dataSource;
    final SyncedTable parent;
    final SyncedTable child;
    final ChangeApplier applier;

    ForeignKeySide(String id, Dialect dialect, DataSource dataSource, List<String> createTables) throws SQLException {
        this.id = id;
        this.dialect = dialect;
        this.dataSource = dataSource;
        exec(createTables.toArray(String[]::new));
        try (Connection c = dataSource.getConnection()) {
            SyncedTableResolver resolver = new SyncedTableResolver(dialect, TOPOLOGY);
            parent = resolver.resolve(c, TOPOLOGY.table("parent").orElseThrow(), id);
            child = resolver.resolve(c, TOPOLOGY.table("child").orElseThrow(), id);
            new TriggerInstaller(dialect).install(c, List.of(parent, child), System.currentTimeMillis() * 1000L);
        }
        applier = new ChangeApplier(dialect, TOPOLOGY, id, 500, warning -> {
            throw new AssertionError("unexpected warning: " + warning);
        });
    }

    void exec(String... statements) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Reads, decodes and releases this side's unreleased history, by table name. */
    /**
     * Waits until this database's clock has passed every version captured at {@code other}, so that what this side
     * writes next is later as the versions see it: the order a test means, as a state rather than a pause.
     */
    void awaitClockPast(ForeignKeySide other) throws SQLException {
        long newest = Jdbc.count(other.dataSource, "SELECT max(version_num) FROM " + BisyncTables.HISTORY);
        try (Connection c = dataSource.getConnection()) {
            String clock = dialect.capture().selectClockMicros();
            while (Jdbc.count(c, clock) <= newest) {
                Thread.onSpinWait();
            }
        }
    }

    Map<String, List<ChangeRecord>> capture() throws SQLException {
        HistoryReader reader = new HistoryReader(dialect.capture());
        ChangeDecoder decoder = new ChangeDecoder(dialect.types(), id);
        Map<String, List<ChangeRecord>> byTable = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            List<Long> ids = new ArrayList<>();
            for (HistoryRow row : reader.readUnreleased(c, 1000)) {
                SyncedTable table = row.tableName().equals("parent") ? parent : child;
                byTable.computeIfAbsent(row.tableName(), t -> new ArrayList<>()).add(decoder.decode(row, table));
                ids.add(row.id());
            }
            reader.release(c, ids, System.currentTimeMillis() * 1000L, false);
        }
        return byTable;
    }

    ApplyResult apply(SyncedTable table, List<ChangeRecord> changes, boolean settle) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return applier.apply(c, table, changes, settle);
        }
    }

    /** The rows of a table as "id:..." strings in key order. */
    List<String> rows(String table) throws SQLException {
        return strings("SELECT * FROM " + table + " ORDER BY id");
    }

    /** The version rows of a table: id, number, origin, deleted. */
    List<String> versions(String table) throws SQLException {
        return strings("SELECT id, version_num, version_origin, deleted FROM "
                + dialect.identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, table) + " ORDER BY id");
    }

    long unreleasedHistory() throws SQLException {
        return strings("SELECT id FROM " + BisyncTables.HISTORY).size();
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Object[] values = new Object[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < values.length; i++) {
                    Object value = rs.getObject(i + 1);
                    values[i] = value instanceof Boolean b ? (b ? 1 : 0) : value instanceof Number n ? n.longValue() : value;
                }
                rows.add(Arrays.toString(values));
            }
        }
        return rows;
    }
}
