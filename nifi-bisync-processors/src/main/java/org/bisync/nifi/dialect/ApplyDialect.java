/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What apply needs from an engine. Apply runs one transaction per FlowFile with autoCommit off:
 * {@link #markOrigin} first, then version reads, data and version writes, then {@link #clearOrigin} as the last
 * statement before COMMIT, and again in {@code finally} (a marker left on a pooled connection silently stops capture
 * of the next user's writes).
 */
public interface ApplyDialect {

    /**
     * Marks the current transaction as the sync's, so the triggers skip its writes (PostgreSQL: {@code
     * set_config('bisync.origin', origin, true)}; MariaDB: {@code SET @bisync_origin}; SQLite: a row in
     * bisync_context). Must be the first statement of the transaction (on SQLite it takes the write lock).
     */
    void markOrigin(Connection connection, String originSystemId) throws SQLException;

    /**
     * Removes the marker. Safe to call when no marker is set and after a failed transaction. On SQLite with autoCommit
     * off, the call in {@code finally} may open a read transaction that the caller's COMMIT or restoring autoCommit ends.
     */
    void clearOrigin(Connection connection) throws SQLException;

    /**
     * Removes the marker as the last statement before COMMIT: {@link #clearOrigin}, unless the engine's marker ends with
     * the transaction anyway (then it sends nothing and saves the round trip).
     */
    default void clearOriginBeforeCommit(Connection connection) throws SQLException {
        clearOrigin(connection);
    }

    /**
     * Reads the version rows of {@code keyCount} keys, locking them for the rest of the transaction where the engine
     * locks rows ({@code FOR UPDATE}), in key order ({@code ORDER BY} the key), so that two transactions locking
     * overlapping keys never wait on each other in a cycle. Parameters: the key columns of each key, key after key.
     * Columns returned: the key columns (in {@link SyncedTable#keyColumns()} order), version_num, version_origin,
     * deleted, field_versions, tombstone_num, tombstone_origin, kept_data.
     */
    String selectVersions(SyncedTable table, int keyCount);

    /**
     * {@link #selectVersions} without any lock: a plain read of the latest committed version rows, for reads that only
     * decide (ResolveConflicts) and must never make a writer wait, nor wait on one.
     */
    String readVersions(SyncedTable table, int keyCount);

    /**
     * Locks the existing rows of {@code keyCount} keys of the user's table, in key order ({@code SELECT key ... ORDER BY
     * key FOR UPDATE}), and returns their key columns. Apply takes a user row before its version row, the order in which
     * the capture triggers take them (the user's statement locks the row, then its trigger the version row), so apply
     * and the users' writes never wait on each other in a cycle. Parameters: the key columns of each key.
     */
    String lockRows(SyncedTable table, int keyCount);

    /**
     * An upsert of {@code rowCount} rows (a multi-row VALUES statement where the engine does it well, see MariaDB's
     * bulk-batch trap in shared/BASELINES.md) writing {@code columns} (key columns included): on a key conflict it
     * updates the non-key columns among them. Parameters: the columns' values, row after row. Writes explicit
     * values into identity columns.
     */
    String upsertRows(SyncedTable table, List<SyncedColumn> columns, int rowCount);

    /** Deletes one row by key; parameters: the key columns. */
    String deleteRow(SyncedTable table);

    /**
     * Inserts or overwrites {@code rowCount} version rows in one statement. Parameters per row: the key columns,
     * version_num, version_origin, prev_num, prev_origin, deleted (boolean), field_versions (JSON text or null),
     * tombstone_num, tombstone_origin (null unless a tombstone is measured against another version), kept_data (JSON
     * text or null).
     */
    String upsertVersions(SyncedTable table, int rowCount);

    /** {@link #upsertVersions} for one row. */
    default String upsertVersion(SyncedTable table) {
        return upsertVersions(table, 1);
    }

    /**
     * Inserts a history row, for changes apply itself must forward (at a hub, and for review resolutions).
     * Parameters: table_name, operation, key_data, before_data, after_data, version_num, version_origin, prev_num,
     * prev_origin, field_versions, origin, supersedes, tx_id, captured_at, tombstone_num, tombstone_origin.
     */
    String insertHistory();

    /**
     * Keeps the generator of the table's generated key column ahead of the key values apply wrote into it, counting only
     * the written values the generator itself could hand out (its residue, inside its block), so the next local insert
     * neither collides with a written key nor jumps into another system's range (DESIGN.md section 7). Never moves a
     * generator back; a no-op where the table has no generated key or the engine keeps ahead by itself.
     *
     * @param writtenKeys the values written into the generated key column in this transaction
     */
    void advanceKeySequence(Connection connection, SyncedTable table, List<Long> writtenKeys) throws SQLException;

    /**
     * How this system generates the values of column {@code column} of table {@code table} (local names), read on a
     * connection of the system's pool: a sequence's increment, start and block, MariaDB's auto_increment_increment and
     * auto_increment_offset of the session. {@link KeyGenerator#none} when the column has no generator with an increment.
     */
    KeyGenerator keyGenerator(Connection connection, String table, String column) throws SQLException;

    /**
     * How a DBA gives this engine's generated keys disjoint ranges on each system (the same increment above 1 and a
     * different start or offset each, or disjoint blocks), beginning with the engine's name; null where the engine has no
     * generator with an increment (SQLite's rowid).
     */
    String disjointKeyRangeAdvice();

    /**
     * The most bind parameters one statement may carry; callers chunk {@link #upsertRows} and {@link #selectVersions}
     * by it. 32766 is SQLite's default limit and below PostgreSQL's and MariaDB's 65535.
     */
    default int maxParametersPerStatement() {
        return 32766;
    }

    /**
     * A statement that makes the rest of the transaction check deferred constraints at each statement instead of at
     * COMMIT, so a record whose foreign key is violated can be told apart from the others when the batch is re-run
     * record by record; null where the engine cannot (then a deferred violation at COMMIT sends the whole batch to
     * retry).
     */
    default String checkConstraintsAtEachStatement() {
        return null;
    }

    /**
     * Connection lost, deadlock, serialization failure, lock wait timeout, a read-only server or transaction (a
     * failover in progress): worth retrying whole.
     */
    boolean isTransient(SQLException e);

    /** A foreign-key violation (the parent may still be on its way). */
    boolean isForeignKeyViolation(SQLException e);

    /**
     * The table's unique indexes other than its sync key's, by name, with their columns in index order, where the
     * engine's upsert meets a duplicate value of one of them as the other row instead of raising an error (MariaDB's
     * ON DUPLICATE KEY UPDATE): a row then missing after its upsert is explained by them. Empty where the upsert names
     * only the sync key and a duplicate of another unique index raises an error of its own.
     */
    default java.util.Map<String, List<String>> uniqueIndexesTheUpsertMeets(Connection connection, SyncedTable table) throws SQLException {
        return java.util.Map.of();
    }
}
