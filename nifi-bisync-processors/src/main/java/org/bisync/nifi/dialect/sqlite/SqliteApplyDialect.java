/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.KeyGenerator;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.bisync.nifi.dialect.sqlite.SqliteSql.joined;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.keyList;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.placeholders;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.q;

/**
 * Apply for SQLite. The origin marker is a row in bisync_context: inserting it as the transaction's first statement
 * takes SQLite's single write lock, so until COMMIT or ROLLBACK no other connection can write at all, and the other
 * connections never see the uncommitted row (their writes, made after our COMMIT, are captured as usual).
 *
 * <p>SQLite has no row locks: {@link #selectVersions} is a plain read, consistent because the marker already holds the
 * write lock of the whole database. A statement takes at most {@link #MAX_VARIABLES} parameters (SQLite's default
 * limit; the xerial build allows more, other builds may not): see {@link #maxRowsPerStatement(int)}.
 */
final class SqliteApplyDialect implements ApplyDialect {

    /** SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32. */
    public static final int MAX_VARIABLES = 32766;

    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    /** A read-only database (PRAGMA query_only, a read-only file or mount): retried, as a read-only PostgreSQL or MariaDB is. */
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_CONSTRAINT_FOREIGNKEY = 787;

    /** The most rows one {@link #upsertRows} (or keys one {@link #selectVersions}) statement may carry. */
    public static int maxRowsPerStatement(int parametersPerRow) {
        return Math.max(1, MAX_VARIABLES / Math.max(1, parametersPerRow));
    }

    /** Refuses autocommit: the row would be committed at once and silence every trigger of every connection. */
    @Override
    public void markOrigin(Connection connection, String originSystemId) throws SQLException {
        if (connection.getAutoCommit()) {
            throw new SQLException("The SQLite origin marker must be set inside a transaction (autoCommit off); in autocommit it would"
                    + " be committed at once and stop capture for every connection");
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + BisyncTables.CONTEXT + " (origin) VALUES (?)")) {
            ps.setString(1, originSystemId);
            ps.executeUpdate();
        }
    }

    /**
     * Deletes the marker rows. Reads first, so that the call in {@code finally} after COMMIT (no row left) takes no
     * write lock; with autoCommit off that read opens a read transaction, which the caller's COMMIT or restoring
     * autoCommit ends.
     */
    @Override
    public void clearOrigin(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            boolean present;
            try (ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + BisyncTables.CONTEXT + ")")) {
                present = rs.next() && rs.getInt(1) != 0;
            }
            if (present) {
                statement.executeUpdate("DELETE FROM " + BisyncTables.CONTEXT);
            }
        }
    }

    @Override
    public String selectVersions(SyncedTable table, int keyCount) {
        return readVersions(table, keyCount);
    }

    @Override
    public String readVersions(SyncedTable table, int keyCount) {
        return "SELECT " + keyList(table) + ", version_num, version_origin, deleted, field_versions, tombstone_num, tombstone_origin, kept_data FROM "
                + q(SqliteSql.versionTable(table)) + " WHERE " + keyIn(table, keyCount);
    }

    /** A plain read: the origin marker already holds the database's write lock. */
    @Override
    public String lockRows(SyncedTable table, int keyCount) {
        return "SELECT " + keyList(table) + " FROM " + q(table.localName()) + " WHERE " + keyIn(table, keyCount);
    }

    private static String keyIn(SyncedTable table, int keyCount) {
        List<SyncedColumn> keys = table.keyColumns();
        if (keys.size() == 1) {
            return q(keys.get(0).local()) + " IN (" + placeholders(keyCount) + ")";
        }
        String row = "(" + placeholders(keys.size()) + ")";
        return "(" + keyList(table) + ") IN (VALUES " + String.join(", ", java.util.Collections.nCopies(keyCount, row)) + ")";
    }

    @Override
    public String upsertRows(SyncedTable table, List<SyncedColumn> columns, int rowCount) {
        String row = "(" + placeholders(columns.size()) + ")";
        List<SyncedColumn> updated = columns.stream().filter(c -> !c.key()).toList();
        String onConflict = updated.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + joined(updated, c -> q(c.local()) + " = excluded." + q(c.local()), ", ");
        return "INSERT INTO " + q(table.localName()) + " (" + joined(columns, c -> q(c.local()), ", ") + ") VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row))
                + " ON CONFLICT (" + keyList(table) + ") " + onConflict;
    }

    @Override
    public String deleteRow(SyncedTable table) {
        return "DELETE FROM " + q(table.localName()) + " WHERE " + joined(table.keyColumns(), c -> q(c.local()) + " = ?", " AND ");
    }

    @Override
    public String upsertVersions(SyncedTable table, int rowCount) {
        String row = "(" + placeholders(table.keyColumns().size() + 9) + ")";
        return "INSERT INTO " + q(SqliteSql.versionTable(table)) + " (" + keyList(table)
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions, tombstone_num, tombstone_origin, kept_data) VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row)) + " ON CONFLICT (" + keyList(table) + ") DO UPDATE SET"
                + " version_num = excluded.version_num, version_origin = excluded.version_origin, prev_num = excluded.prev_num,"
                + " prev_origin = excluded.prev_origin, deleted = excluded.deleted, field_versions = excluded.field_versions,"
                + " tombstone_num = excluded.tombstone_num, tombstone_origin = excluded.tombstone_origin, kept_data = excluded.kept_data";
    }

    @Override
    public String insertHistory() {
        return "INSERT INTO " + BisyncTables.HISTORY + " (table_name, operation, key_data, before_data, after_data, version_num,"
                + " version_origin, prev_num, prev_origin, field_versions, origin, supersedes, tx_id, captured_at, tombstone_num, tombstone_origin) VALUES ("
                + placeholders(16) + ")";
    }

    /**
     * SQLite gives a new rowid as max(rowid) + 1, and an AUTOINCREMENT table also never reuses one below
     * sqlite_sequence; it raises sqlite_sequence itself when a greater key is inserted. This makes sure of it anyway
     * (sqlite_sequence may have been edited): a no-op for tables without an AUTOINCREMENT key.
     */
    @Override
    public void advanceKeySequence(Connection connection, SyncedTable table, List<Long> writtenKeys) throws SQLException {
        Optional<SyncedColumn> key = table.keyColumns().size() == 1 && table.keyColumns().get(0).column().autoIncrement()
                ? Optional.of(table.keyColumns().get(0)) : Optional.empty();
        if (key.isEmpty() || !hasAutoincrementKeyword(connection, table.localName())) {
            return;
        }
        String max = "(SELECT max(" + q(key.get().local()) + ") FROM " + q(table.localName()) + ")";
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE sqlite_sequence SET seq = " + max + " WHERE name = ? AND seq < " + max);
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO sqlite_sequence (name, seq) SELECT ?, m FROM (SELECT " + max + " AS m) WHERE m IS NOT NULL"
                             + " AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)")) {
            update.setString(1, table.localName());
            update.executeUpdate();
            insert.setString(1, table.localName());
            insert.setString(2, table.localName());
            insert.executeUpdate();
        }
    }

    @Override
    public String disjointKeyRangeAdvice() {
        return null; // a rowid has no increment to configure
    }

    /**
     * None usable: a rowid (INTEGER PRIMARY KEY, with or without AUTOINCREMENT) is always max(rowid) + 1 or above, with no
     * increment, offset or block to keep two systems apart. Two-way sync of such a table needs another sync key.
     */
    @Override
    public KeyGenerator keyGenerator(Connection connection, String table, String column) {
        return KeyGenerator.none("SQLite rowid key " + column + ": no increment, offset or block (always above the greatest key)");
    }

    private static boolean hasAutoincrementKeyword(Connection connection, String tableName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?"
                        + " AND EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence')")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null && rs.getString(1).toUpperCase(Locale.ROOT).contains("AUTOINCREMENT");
            }
        }
    }

    /** SQLITE_BUSY, SQLITE_LOCKED and SQLITE_READONLY (with their extended codes), and a closed connection. */
    @Override
    public boolean isTransient(SQLException e) {
        return DatabaseErrors.chain(e).stream().anyMatch(SqliteApplyDialect::isTransientAlone);
    }

    private static boolean isTransientAlone(SQLException s) {
        int primary = s.getErrorCode() & 0xff;
        String message = String.valueOf(s.getMessage());
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_READONLY
                || message.contains("[SQLITE_BUSY") || message.contains("[SQLITE_LOCKED") || message.contains("[SQLITE_READONLY")
                || s instanceof SQLTransientException || s instanceof SQLRecoverableException
                || (s.getSQLState() != null && s.getSQLState().startsWith("08"))
                || message.contains("database has been closed") || message.contains("connection closed");
    }

    /** The xerial driver reports the primary code 19 and names the extended one (787) in its message. */
    @Override
    public boolean isForeignKeyViolation(SQLException e) {
        return DatabaseErrors.chain(e).stream().anyMatch(s -> {
            String message = String.valueOf(s.getMessage());
            return s.getErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY || message.contains("SQLITE_CONSTRAINT_FOREIGNKEY")
                    || (s.getErrorCode() == SQLITE_CONSTRAINT && message.contains("FOREIGN KEY constraint failed"));
        });
    }
}
