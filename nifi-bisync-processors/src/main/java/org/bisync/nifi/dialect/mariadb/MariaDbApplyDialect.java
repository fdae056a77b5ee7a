/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.KeyGenerator;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Apply on MariaDB. The origin marker is the user variable {@code @bisync_origin}: it lives as long as the session,
 * through COMMIT and ROLLBACK, so {@link #clearOrigin} is what ends it. {@link #markOrigin} also switches the
 * session's time_zone to '+00:00' (so TIMESTAMP columns are read and written in UTC, as record values hold them) and
 * {@link #clearOrigin} puts the session's previous time zone back.
 */
final class MariaDbApplyDialect implements ApplyDialect {

    /**
     * Deadlock, lock wait timeout, connection lost or killed, shutdown; and read-only errors during a failover: 1290
     * (a server running with --read-only, as a replica does) and 1792 (a read-only transaction).
     */
    private static final Set<Integer> TRANSIENT_CODES = Set.of(1213, 1205, 2006, 2013, 1927, 1053, 1290, 1792);
    private static final Set<Integer> FOREIGN_KEY_CODES = Set.of(1451, 1452, 1216, 1217);

    private final MariaDbIdentifiers ids;
    private final MariaDbCaptureDialect capture;

    MariaDbApplyDialect(MariaDbIdentifiers ids, MariaDbCaptureDialect capture) {
        this.ids = ids;
        this.capture = capture;
    }

    /**
     * Also makes the session READ COMMITTED until {@link #clearOrigin} puts its level back: under the default REPEATABLE
     * READ, apply's locking reads of keys that do not exist yet take gap locks, and two applies inserting new keys into
     * the same gap (the end of the index, for ascending keys) then deadlock on each other's gap lock; apply reads every
     * version it decides on with a current, locking read anyway. One statement (a round trip) for the level, the time
     * zone and the marker; it runs before the transaction's first read, so the transaction takes the level. A pooled
     * connection handed over inside a transaction keeps that transaction's level.
     */
    @Override
    public void markOrigin(Connection connection, String originSystemId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SET @bisync_saved_time_zone = COALESCE(@bisync_saved_time_zone, "
                + "@@session.time_zone), @@session.time_zone = '+00:00', @bisync_saved_isolation = COALESCE(@bisync_saved_isolation, "
                + "@@session.tx_isolation), @@session.tx_isolation = 'READ-COMMITTED', @bisync_origin = ?")) {
            ps.setString(1, originSystemId);
            ps.execute();
        }
    }

    @Override
    public void clearOrigin(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("SET @bisync_origin = NULL, @@session.time_zone = COALESCE(@bisync_saved_time_zone, @@session.time_zone), "
                    + "@bisync_saved_time_zone = NULL, @@session.tx_isolation = COALESCE(@bisync_saved_isolation, @@session.tx_isolation), "
                    + "@bisync_saved_isolation = NULL");
        }
    }

    @Override
    public String selectVersions(SyncedTable table, int keyCount) {
        return readVersions(table, keyCount) + " ORDER BY " + columns(table.keyColumns()) + " FOR UPDATE";
    }

    @Override
    public String readVersions(SyncedTable table, int keyCount) {
        return "SELECT " + columns(table.keyColumns()) + ", version_num, version_origin, deleted, "
                + "field_versions, tombstone_num, tombstone_origin, kept_data FROM "
                + capture.versionTable(table.localName()) + " WHERE " + keyIn(table, keyCount);
    }

    @Override
    public String lockRows(SyncedTable table, int keyCount) {
        String keys = columns(table.keyColumns());
        return "SELECT " + keys + " FROM " + ids.quote(table.localName()) + " WHERE " + keyIn(table, keyCount) + " ORDER BY " + keys + " FOR UPDATE";
    }

    private String keyIn(SyncedTable table, int keyCount) {
        List<SyncedColumn> keys = table.keyColumns();
        if (keys.size() == 1) {
            return ids.quote(keys.get(0).local()) + " IN (" + String.join(", ", Collections.nCopies(keyCount, "?")) + ")";
        }
        String one = "(" + keys.stream().map(c -> ids.quote(c.local()) + " = ?").collect(Collectors.joining(" AND ")) + ")";
        return String.join(" OR ", Collections.nCopies(keyCount, one));
    }

    /** One multi-row statement: never the JDBC bulk protocol, which drops rows into tables with triggers on 10.11.5. */
    @Override
    public String upsertRows(SyncedTable table, List<SyncedColumn> columns, int rowCount) {
        if (rowCount < 1) {
            throw new IllegalArgumentException("upsertRows needs at least one row");
        }
        String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        List<String> updates = new ArrayList<>();
        for (SyncedColumn c : columns) {
            if (!c.key()) {
                updates.add(ids.quote(c.local()) + " = VALUES(" + ids.quote(c.local()) + ")");
            }
        }
        if (updates.isEmpty()) {
            String first = ids.quote(columns.get(0).local());
            updates.add(first + " = " + first);
        }
        return "INSERT INTO " + ids.quote(table.localName()) + " (" + columns(columns) + ") VALUES "
                + String.join(", ", Collections.nCopies(rowCount, row)) + " ON DUPLICATE KEY UPDATE " + String.join(", ", updates);
    }

    @Override
    public String deleteRow(SyncedTable table) {
        return "DELETE FROM " + ids.quote(table.localName()) + " WHERE "
                + table.keyColumns().stream().map(c -> ids.quote(c.local()) + " = ?").collect(Collectors.joining(" AND "));
    }

    @Override
    public String upsertVersions(SyncedTable table, int rowCount) {
        String row = "(" + String.join(", ", Collections.nCopies(table.keyColumns().size() + 9, "?")) + ")";
        return "INSERT INTO " + capture.versionTable(table.localName()) + " (" + columns(table.keyColumns())
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions, tombstone_num, tombstone_origin, kept_data) VALUES "
                + String.join(", ", Collections.nCopies(rowCount, row)) + " ON DUPLICATE KEY UPDATE "
                + "version_num = VALUES(version_num), version_origin = VALUES(version_origin), prev_num = VALUES(prev_num), "
                + "prev_origin = VALUES(prev_origin), deleted = VALUES(deleted), field_versions = VALUES(field_versions), "
                + "tombstone_num = VALUES(tombstone_num), tombstone_origin = VALUES(tombstone_origin), kept_data = VALUES(kept_data)";
    }

    @Override
    public String insertHistory() {
        return "INSERT INTO " + ids.quote(BisyncTables.HISTORY) + " (table_name, operation, key_data, before_data, after_data, "
                + "version_num, version_origin, prev_num, prev_origin, field_versions, origin, supersedes, "
                        + "tx_id, captured_at, tombstone_num, tombstone_origin) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    /**
     * Nothing to do: InnoDB moves a table's AUTO_INCREMENT counter past every explicit value written into the column, and
     * the next local insert takes the next value of its own session's auto_increment_increment/offset series above it:
     * in its own residue, never another server's (with gaps: MariaDB cannot move the counter back below a written key).
     * ALTER TABLE would commit the applier's transaction.
     */
    @Override
    public void advanceKeySequence(Connection connection, SyncedTable table, List<Long> writtenKeys) {
        // InnoDB does it
    }

    @Override
    public String disjointKeyRangeAdvice() {
        return "MariaDB: auto_increment_increment and auto_increment_offset of each server, for every session";
    }

    /**
     * An AUTO_INCREMENT column's series: {@code @@auto_increment_increment} and {@code @@auto_increment_offset} as the
     * session of this (pooled) connection sees them, which is what the server's global settings, a pool's init SQL or
     * Galera give every session.
     */
    @Override
    public KeyGenerator keyGenerator(Connection connection, String table, String column) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT EXTRA, @@session.auto_increment_increment, "
                + "@@session.auto_increment_offset FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
            ps.setString(1, table);
            ps.setString(2, column);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("MariaDB table " + table + " has no column " + column);
                }
                if (!String.valueOf(rs.getString(1)).toLowerCase(java.util.Locale.ROOT).contains("auto_increment")) {
                    return KeyGenerator.none("MariaDB column " + column + " is not AUTO_INCREMENT");
                }
                long increment = rs.getLong(2);
                long offset = rs.getLong(3);
                // the server ignores an offset greater than the increment
                boolean residueHolds = offset <= increment;
                return new KeyGenerator("MariaDB AUTO_INCREMENT: auto_increment_increment " + increment + " auto_increment_offset "
                        + offset + (residueHolds ? "" : " (ignored by the server: greater than the increment)"),
                        increment, offset, 1, Long.MAX_VALUE, residueHolds);
            }
        }
    }

    @Override
    public boolean isTransient(SQLException e) {
        for (SQLException x : DatabaseErrors.chain(e)) {
            String state = x.getSQLState();
            if (state != null && (state.startsWith("08") || state.equals("40001"))) {
                return true;
            }
            if (TRANSIENT_CODES.contains(x.getErrorCode()) || x instanceof java.sql.SQLTransientException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isForeignKeyViolation(SQLException e) {
        for (SQLException x : DatabaseErrors.chain(e)) {
            if (FOREIGN_KEY_CODES.contains(x.getErrorCode())) {
                return true;
            }
        }
        return false;
    }

    /** Every unique index of the table but the one on exactly the sync key, from information_schema. */
    @Override
    public java.util.Map<String, List<String>> uniqueIndexesTheUpsertMeets(Connection connection, SyncedTable table) throws SQLException {
        java.util.Map<String, List<String>> indexes = new java.util.LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            statement.setString(1, table.localName());
            try (java.sql.ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    indexes.computeIfAbsent(rs.getString(1), name -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        List<String> key = table.keyColumns().stream().map(SyncedColumn::local).toList();
        indexes.values().removeIf(columns -> columns.size() == key.size() && columns.containsAll(key));
        return indexes;
    }

    private String columns(List<SyncedColumn> columns) {
        return columns.stream().map(c -> ids.quote(c.local())).collect(Collectors.joining(", "));
    }
}
