/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * What capture needs from an engine. Statements over our own bisync tables that read the same on every engine are
 * written once in {@link PortableCaptureDialect}, which each engine's dialect extends; the rest is each engine's.
 * Statements are returned as text so that "generate SQL" mode can write them for a DBA instead of running them; every
 * DDL list is idempotent (running it twice changes nothing).
 *
 * <h2>What the triggers of a synced table do</h2>
 * For INSERT (NEW), UPDATE (OLD, NEW) and DELETE (OLD) of a row, as AFTER triggers (row triggers, or statement
 * triggers over transition tables where the engine has them and they are cheaper, with the same per-row effect):
 * <ol>
 * <li>Nothing at all when the transaction carries the origin marker (see {@link ApplyDialect#markOrigin}).</li>
 * <li>Nothing for an UPDATE in which no synced column changed (null-safe comparison).</li>
 * <li>An UPDATE that changes a key column is recorded as a DELETE of the OLD key and then an INSERT of the NEW key.</li>
 * <li>For the row's key K: a locking, atomic upsert of K's version row: {@code prev := (version_num, version_origin)};
 *     {@code version_num := max(clock + correction + bias, prev.version_num + 1)} (just {@code clock + correction + bias}
 *     without a previous row); {@code version_origin := this system}; {@code deleted := (operation = DELETE)}.
 *     The clock is UTC epoch microseconds independent of the session time zone; the correction is
 *     {@code bisync_config.num_value} of row {@link BisyncTables#CLOCK_CORRECTION} (0 when missing); the bias is
 *     {@link SyncedTable#bias()}. Under MariaDB's REPEATABLE READ the previous version must come from a current
 *     (locking) read, never the transaction's snapshot.</li>
 * <li>With field versions ({@link SyncedTable#fieldBiases()} not empty): for every such column whose value changed
 *     (every one on INSERT), its entry in {@code field_versions} becomes {@code [max(clock + correction + fieldBias,
 *     previous field number + 1), this system]}; a DELETE keeps them, and its version ranks above every one of them.</li>
 * <li>Where tombstones keep values ({@link SyncedTable#keepsDeletedValues()}): a DELETE writes the image of the OLD row
 *     into {@code kept_data}; an INSERT or UPDATE clears {@code kept_data}, {@code tombstone_num} and
 *     {@code tombstone_origin}; an INSERT over a tombstone gives every field a version of at least the tombstone's
 *     number ({@code tombstone_num}, else {@code version_num}) + 1, so the row it creates lives on every system.</li>
 * <li>One history row: table_name = local table name, operation, key_data / before_data / after_data as JSON objects
 *     keyed by local column name with values from {@link TypeMapping#imageExpression} (synced columns only;
 *     before_data null on INSERT, after_data null on DELETE), the new and previous version, field_versions as
 *     written, origin = this system, tx_id where cheap, captured_at = clock + correction.</li>
 * </ol>
 */
public interface CaptureDialect {

    /** Creates the shared bisync tables and indexes when missing. */
    List<String> createBisyncTables();

    /** Creates the table's version table when missing and (re)creates its triggers, dropping older ones first. */
    List<String> installTable(SyncedTable table);

    /**
     * For a table whose changes never flow from this system (a one-way target, or the target of a view): its version
     * table, which apply needs, and no triggers (dropping any an earlier configuration installed), so local edits write
     * no history that nothing would read.
     */
    List<String> installTargetOnlyTable(SyncedTable table);

    /**
     * Statements that open the transaction one table's installation runs in ({@link #installTable} or
     * {@link #installTargetOnlyTable}, then its bisync_installed record), which {@code COMMIT} ends and {@code ROLLBACK}
     * undoes: a write of another session to the table then meets the old triggers or the new ones, never none (dropped
     * and re-created in separate transactions, writes in between would write no history and never travel). Empty where
     * the engine's DDL commits by itself and {@link #installTable} replaces each trigger in one atomic statement instead.
     */
    List<String> beginTableInstall(String localTableName);

    /** Ends a table's installation that {@link #beginTableInstall} opened (not empty), keeping it. */
    String commitTableInstall();

    /** Undoes a table's installation that {@link #beginTableInstall} opened (not empty). */
    String rollbackTableInstall();

    /** The names of the triggers {@link #installTable} creates on the table, as the database's catalog spells them. */
    List<String> triggerNames(SyncedTable table);

    /**
     * The triggers the database's catalog holds on a table, by name: true where the trigger fires for the writes of
     * ordinary sessions, false where it is disabled. Capture reads it at every maintenance run, because a trigger dropped
     * (a migration tool rebuilding the table) or disabled outside nifi-bisync stops capture while bisync_installed still
     * records the installation as current.
     */
    Map<String, Boolean> readTriggers(Connection connection, String localTableName) throws SQLException;

    /** Drops the triggers and the version table of a table (IF EXISTS), leaving the user's table untouched. */
    List<String> uninstallTable(String localTableName);

    /** Drops the shared bisync tables (IF EXISTS). Run after {@link #uninstallTable} for every table. */
    List<String> dropBisyncTables();

    /** Stands for the applications' roles in commented grants of {@link #grants} that a DBA completes. */
    String APPLICATION_ROLE = "<application role>";

    /** The privileges the NiFi user needs, as GRANT statements (or comments where the engine has none). */
    List<String> grants(String user, List<String> localTableNames);

    /**
     * The rows of a view polled as a one-way source: its synced columns (local names, in {@link SyncedTable#columns()}
     * order) ordered by {@code orderColumn} (the local name of the view's change column).
     */
    String selectViewRows(SyncedTable view, String orderColumn);

    /** {@code SELECT <uncorrected clock in UTC epoch micros>}: one row, one BIGINT column. */
    String selectClockMicros();

    /** Unreleased history rows in id order, at most the one parameter's count of them. */
    String selectUnreleasedHistoryAfter();

    /**
     * Copies the history rows of {@code ids} ids into bisync_released; parameters: released_at, then the ids. Followed in
     * the same transaction by {@link #deleteHistoryRows} of the same ids: together they release the rows. Where the
     * engine has no range statements (see {@link #copyHistoryRangeToReleased}); an id list on the primary key locks only
     * the rows it finds.
     */
    String copyHistoryRowsToReleased(int ids);

    /** Deletes the history rows of {@code ids} ids; parameters: the ids. */
    String deleteHistoryRows(int ids);


    /**
     * Copies the history rows whose id lies in a range into bisync_released; parameters: released_at, first id, last id
     * (inclusive). Batched, followed by {@link #deleteHistoryRange()}. Null (the default) when the engine should release
     * one id at a time: a range over bisync_history must only lock the rows it matches (no gap or next-key locks that
     * would wait for an open transaction's uncommitted history row).
     */
    String copyHistoryRangeToReleased();

    /** Deletes the history rows whose id lies in a range; parameters: first id, last id (inclusive). Null: see {@link #copyHistoryRangeToReleased}. */
    String deleteHistoryRange();

    /**
     * Binds a range of ids, every id in it read (so {@code last - first + 1} rows, or none when it was released
     * already), to {@link #copyHistoryRangeToReleased} or {@link #deleteHistoryRange} from parameter {@code index} on;
     * returns the next index. By default the first and the last id; an engine whose range statements take more (such
     * as the count of rows, to stop there) binds them too.
     */
    default int bindHistoryRange(PreparedStatement statement, int index, long first, long last) throws SQLException {
        statement.setLong(index, first);
        statement.setLong(index + 1, last);
        return index + 2;
    }

    /** Deletes released rows released before the parameter (epoch micros); an unreleased row is never there. */
    String purgeReleasedHistory();

    /**
     * Records that a target decided the history ids of a range, every step-th id from first_id (a server whose ids grow
     * by more than 1 leaves gaps that are no history ids); parameters: target_system, first_id, last_id, step. Batched.
     */
    String insertAck();

    /** The ranges a target acknowledged, by first id: first_id, last_id, step; parameter: target_system. */
    String selectAcks();

    /**
     * For an installation from before acknowledgements kept a step: adds bisync_ack's step column (1 for the rows
     * already there, which hold every id of their range). Run only where bisync_ack lacks it.
     */
    List<String> addAckStepColumn();

    /**
     * Deletes the released history rows of an id range released before a time; parameters: first id, last id, released
     * before. A range is safe on every engine here: only capture writes bisync_released, never a user's transaction.
     */
    String deleteReleasedHistoryRange();

    /** The smallest history id, released or not (null when there is none), read without locking. */
    String selectMinHistoryId();

    /** Deletes the acknowledgements that end below an id; parameter: the id. */
    String deleteAcksBelow();

    /**
     * A page of the history rows of one local table, released or not, in id order, in one statement (so a row being
     * released meanwhile is seen once): id, key_data, released (1 or 0), and nothing of the row images. Parameters:
     * table_name, id after which the page starts, table_name, the same id, page size. A row released between two pages
     * is seen once too: the page after it looks in both tables.
     */
    String selectHistoryKeysOfTable();

    /** The id and release time of the released history row with the lowest id (none when the table is empty). */
    String selectOldestReleased();

    /** The capture time of the oldest unreleased history row and their count. */
    String selectBacklog();

    /**
     * Upgrades an installation from before bisync_released: moves the rows bisync_history marks released there and
     * drops the released_at column and its index. Run once, after {@link #createBisyncTables()}, only where
     * bisync_history still has a {@link BisyncTables#LEGACY_RELEASED_AT} column.
     */
    List<String> upgradeLegacyHistory();

    /**
     * For an installation from before tombstones kept their values: adds tombstone_num and tombstone_origin to
     * {@code table} (bisync_history or bisync_released, not quoted), and kept_data too when it is a version table. Run
     * only on a table that lacks them.
     */
    List<String> addTombstoneColumns(String table, boolean versionTable);

    /** Upserts a row of bisync_config's num_value; parameters: name, num_value. */
    String upsertConfigNumber();

    /** Reads bisync_config's num_value; parameter: name. */
    String selectConfigNumber();

    /**
     * The capture lease (row {@link BisyncTables#CAPTURE_LEASE} of bisync_config): num_value the holder's last heartbeat,
     * text_value who holds it. Parameter: name.
     */
    String selectLease();

    /** Takes a lease nobody holds; parameters: name, heartbeat, holder. Fails on the primary key when another took it first. */
    String insertLease();

    /**
     * Compare-and-set of the lease: renews it, or takes it over, only while it still holds what was read. Parameters:
     * new heartbeat, new holder, name, heartbeat read, holder read. One row updated: the lease is the caller's.
     */
    String updateLease();

    /** Gives the lease up while the caller holds it; parameters: name, holder. */
    String deleteLease();

    /** Upserts a row of bisync_installed; parameters: table_name, ddl_hash, column_hash, installed_at. */
    String upsertInstalled();

    /** What bisync_installed records: table_name, ddl_hash, column_hash. */
    String selectInstalled();

    /** Deletes a row of bisync_installed; parameter: table_name. */
    String deleteInstalled();

    /**
     * For the initial load: gives every row of the table that has no version row one (the timestampField's instant,
     * else {@link BisyncTables#STAMP_FLOOR} plus the system's bias; this system, not deleted, no field versions),
     * keeping existing versions. Parameters: none.
     */
    default String stampMissingVersions(SyncedTable table) {
        return stampMissingVersions(table, false, Integer.MAX_VALUE);
    }

    /**
     * For one page of the initial load: {@link #stampMissingVersions(SyncedTable)} for the first {@code limit} rows in
     * key order, or for the first {@code limit} rows after a given key when {@code afterKey}. Parameters: when
     * {@code afterKey}, those of {@link KeyQueries#keyAfter} (bound with {@link KeyQueries#bindKeyAfter}).
     */
    String stampMissingVersions(SyncedTable table, boolean afterKey, int limit);

    /**
     * For the initial load: the table's synced columns (in {@link SyncedTable#columns()} order) followed by
     * version_num, version_origin, field_versions of its version row, ordered by key, reading rows and versions under
     * a shared lock where the engine has one.
     */
    default String selectSnapshot(SyncedTable table) {
        return selectSnapshot(table, false, Integer.MAX_VALUE);
    }

    /**
     * One page of {@link #selectSnapshot(SyncedTable)}: the first {@code limit} rows in key order, or the first
     * {@code limit} rows after a given key when {@code afterKey}. Parameters: as {@link #stampMissingVersions(SyncedTable, boolean, int)}.
     */
    String selectSnapshot(SyncedTable table, boolean afterKey, int limit);

    /**
     * Removes an origin marker a crashed applier left behind, where the engine's marker can outlive its transaction
     * (SQLite's context row); returns how many were removed. A no-op elsewhere.
     */
    int clearLeftoverOriginMarker(Connection connection) throws SQLException;
}
