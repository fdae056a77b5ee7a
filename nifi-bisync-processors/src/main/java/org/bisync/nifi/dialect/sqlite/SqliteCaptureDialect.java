/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.InitialStamp;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.PortableCaptureDialect;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.sqlite.SqliteSql.joined;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.keyList;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.keyMatch;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.literal;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.q;

/**
 * Capture for SQLite: the bisync tables, the triggers ({@link SqliteTriggerSql}) and the statements capture runs.
 *
 * <h2>Writes the triggers do not see, or see differently</h2>
 * <ul>
 * <li>{@code INSERT OR REPLACE} / {@code REPLACE INTO} over an existing row of the same key: SQLite deletes the old row
 *     and inserts the new one. With {@code PRAGMA recursive_triggers} OFF (SQLite's and the xerial driver's default)
 *     no DELETE trigger fires: the change is captured as one INSERT of the key, with the version bumped above the
 *     previous one (prev kept), which the target applies as an upsert. With recursive_triggers ON it is captured
 *     as a DELETE and then an INSERT of the key.</li>
 * <li>{@code INSERT OR REPLACE} that removes ANOTHER row (a conflict on a UNIQUE column other than the sync key):
 *     with recursive_triggers OFF that row's removal is NOT captured and the peers keep it. Connections that write
 *     REPLACE statements into synced tables must set {@code PRAGMA recursive_triggers = ON} (then it is captured as a
 *     DELETE of that row), or avoid REPLACE in favour of {@code INSERT ... ON CONFLICT DO UPDATE} (captured as an
 *     UPDATE).</li>
 * <li>{@code UPDATE OR REPLACE} behaves the same way for the row it replaces.</li>
 * <li>Rows removed by a foreign-key {@code ON DELETE CASCADE} fire DELETE triggers in SQLite and are captured.</li>
 * <li>{@code DELETE FROM t} without WHERE: SQLite's truncate optimisation is off for tables with triggers, so every
 *     row's delete is captured. {@code DROP TABLE} fires no trigger and is not captured.</li>
 * </ul>
 * SQLite has one writer at a time, so the origin marker (a row in bisync_context inserted as the applier's first
 * statement) holds the database's write lock until the applier commits: no other connection can write uncaptured in
 * between. A row left behind by an applier that committed without clearing it would silence every trigger:
 * {@link #clearLeftoverOriginMarker} removes it and capture calls it on every poll.
 */
final class SqliteCaptureDialect extends PortableCaptureDialect {

    SqliteCaptureDialect(SqliteIdentifiers identifiers) {
        super(identifiers);
    }

    @Override
    public List<String> createBisyncTables() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.HISTORY + " (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                        + " table_name TEXT NOT NULL, operation TEXT NOT NULL, key_data TEXT NOT NULL, before_data TEXT,"
                        + " after_data TEXT, version_num INTEGER NOT NULL, version_origin TEXT NOT NULL, prev_num INTEGER,"
                        + " prev_origin TEXT, field_versions TEXT, origin TEXT NOT NULL, supersedes TEXT, tx_id TEXT,"
                        + " captured_at INTEGER NOT NULL, tombstone_num INTEGER, tombstone_origin TEXT)",
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.RELEASED + " (id INTEGER PRIMARY KEY,"
                        + " table_name TEXT NOT NULL, operation TEXT NOT NULL, key_data TEXT NOT NULL, before_data TEXT,"
                        + " after_data TEXT, version_num INTEGER NOT NULL, version_origin TEXT NOT NULL, prev_num INTEGER,"
                        + " prev_origin TEXT, field_versions TEXT, origin TEXT NOT NULL, supersedes TEXT, tx_id TEXT,"
                        + " captured_at INTEGER NOT NULL, tombstone_num INTEGER, tombstone_origin TEXT, released_at INTEGER NOT NULL)",
                "CREATE INDEX IF NOT EXISTS " + BisyncTables.RELEASED + "_at ON " + BisyncTables.RELEASED + " (released_at)",
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.CONFIG + " (name TEXT PRIMARY KEY, num_value INTEGER, text_value TEXT)",
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.INSTALLED + " (table_name TEXT PRIMARY KEY, ddl_hash TEXT,"
                        + " column_hash TEXT, installed_at INTEGER)",
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.ACK + " (target_system TEXT NOT NULL, first_id INTEGER NOT NULL,"
                        + " last_id INTEGER NOT NULL" + BisyncTables.ACK_STEP_COLUMN + ")",
                "CREATE INDEX IF NOT EXISTS " + BisyncTables.ACK + "_target ON " + BisyncTables.ACK + " (target_system, first_id)",
                "CREATE TABLE IF NOT EXISTS " + BisyncTables.CONTEXT + " (origin TEXT NOT NULL)");
    }

    @Override
    public List<String> installTable(SyncedTable table) {
        return SqliteTriggerSql.install(table);
    }

    @Override
    public List<String> installTargetOnlyTable(SyncedTable table) {
        List<String> sql = new ArrayList<>();
        sql.add(SqliteTriggerSql.createVersionTable(table));
        sql.addAll(SqliteTriggerSql.dropTriggers(table.localName()));
        return sql;
    }

    /**
     * SQLite's DDL is transactional; IMMEDIATE takes the write lock at once, so other writers wait for the swap (busy
     * timeout) instead of slipping between the drop and the create, and the installation never fails on a snapshot that
     * a concurrent commit made stale.
     */
    @Override
    public List<String> beginTableInstall(String localTableName) {
        return List.of("BEGIN IMMEDIATE");
    }

    /**
     * IMMEDIATE takes the write lock before the read: a deferred transaction that read first would fail on its write when a
     * writer of acknowledgements committed in between (a stale snapshot); writers wait for it (busy timeout) instead.
     */
    @Override
    public List<String> beginAckCompaction() {
        return List.of("BEGIN IMMEDIATE");
    }

    @Override
    public List<String> triggerNames(SyncedTable table) {
        return SqliteTriggerSql.triggerNames(table);
    }

    /** SQLite has no disabled triggers: every trigger listed fires. Table names compare without case, as SQLite's do. */
    @Override
    public Map<String, Boolean> readTriggers(Connection connection, String localTableName) throws SQLException {
        Map<String, Boolean> triggers = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE")) {
            statement.setString(1, localTableName);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    triggers.put(rs.getString(1), true);
                }
            }
        }
        return triggers;
    }

    @Override
    public List<String> uninstallTable(String localTableName) {
        List<String> sql = new ArrayList<>(SqliteTriggerSql.dropTriggers(localTableName));
        sql.add("DROP TABLE IF EXISTS " + q(SqliteSql.versionTable(localTableName)));
        return sql;
    }

    @Override
    public List<String> dropBisyncTables() {
        return List.of(
                "DROP TABLE IF EXISTS " + BisyncTables.HISTORY,
                "DROP TABLE IF EXISTS " + BisyncTables.RELEASED,
                "DROP TABLE IF EXISTS " + BisyncTables.CONFIG,
                "DROP TABLE IF EXISTS " + BisyncTables.INSTALLED,
                "DROP TABLE IF EXISTS " + BisyncTables.ACK,
                "DROP TABLE IF EXISTS " + BisyncTables.CONTEXT);
    }

    @Override
    public List<String> grants(String user, List<String> localTableNames) {
        return List.of("-- SQLite has no users or privileges: the NiFi process needs read and write access to the database file"
                + " and to its directory (SQLite creates the -wal, -shm and -journal files next to it)");
    }

    @Override
    public String selectClockMicros() {
        return "SELECT " + SqliteSql.CLOCK;
    }

    /** Safe as ranges: with one writer at a time ids commit in order, so a range of ids read holds no row committed later. */
    @Override
    public String copyHistoryRangeToReleased() {
        return "INSERT INTO " + BisyncTables.RELEASED + " (" + BisyncTables.HISTORY_COLUMNS + ", released_at) SELECT "
                + BisyncTables.HISTORY_COLUMNS + ", ? FROM " + BisyncTables.HISTORY + " WHERE id BETWEEN ? AND ?";
    }

    @Override
    public String deleteHistoryRange() {
        return "DELETE FROM " + BisyncTables.HISTORY + " WHERE id BETWEEN ? AND ?";
    }

    /** SQLite has no ADD COLUMN IF NOT EXISTS: run only where the columns are missing. */
    @Override
    public List<String> addTombstoneColumns(String table, boolean versionTable) {
        List<String> sql = new ArrayList<>(List.of("ALTER TABLE " + SqliteSql.q(table) + " ADD COLUMN tombstone_num INTEGER",
                "ALTER TABLE " + SqliteSql.q(table) + " ADD COLUMN tombstone_origin TEXT"));
        if (versionTable) {
            sql.add("ALTER TABLE " + SqliteSql.q(table) + " ADD COLUMN kept_data TEXT");
        }
        return sql;
    }

    /** DROP COLUMN needs SQLite 3.35 (the driver bundles a newer one) and the column's index dropped first. */
    @Override
    public List<String> upgradeLegacyHistory() {
        String releasedAt = BisyncTables.LEGACY_RELEASED_AT;
        return List.of(
                "INSERT INTO " + BisyncTables.RELEASED + " (" + BisyncTables.HISTORY_COLUMNS + ", released_at) SELECT "
                        + BisyncTables.HISTORY_COLUMNS + ", " + releasedAt + " FROM " + BisyncTables.HISTORY + " WHERE " + releasedAt + " IS NOT NULL"
                        + " ON CONFLICT (id) DO NOTHING",
                "DELETE FROM " + BisyncTables.HISTORY + " WHERE " + releasedAt + " IS NOT NULL",
                "DROP INDEX IF EXISTS bisync_history_released",
                "ALTER TABLE " + BisyncTables.HISTORY + " DROP COLUMN " + releasedAt);
    }

    @Override
    public String upsertConfigNumber() {
        return "INSERT INTO " + BisyncTables.CONFIG + " (name, num_value) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET num_value = excluded.num_value";
    }

    @Override
    public String upsertInstalled() {
        return "INSERT INTO " + BisyncTables.INSTALLED + " (table_name, ddl_hash, column_hash, installed_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (table_name) DO UPDATE SET ddl_hash = excluded.ddl_hash, column_hash = excluded.column_hash,"
                + " installed_at = excluded.installed_at";
    }

    @Override
    public String stampMissingVersions(SyncedTable table, boolean afterKey, int limit) {
        return "INSERT INTO " + q(SqliteSql.versionTable(table)) + " (" + keyList(table)
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions) SELECT "
                + joined(table.keyColumns(), c -> "s." + q(c.local()), ", ") + ", " + SqliteTriggerSql.initialStamp(table, "s")
                + ", " + literal(table.systemId()) + ", NULL, NULL, 0, " + fieldVersions(table) + " FROM (SELECT s.* FROM " + q(table.localName()) + " AS s"
                + page(table, afterKey, limit) + ") AS s"
                + " WHERE NOT EXISTS (SELECT 1 FROM " + q(SqliteSql.versionTable(table)) + " AS v WHERE " + keyMatch(table, "v", "s") + ")";
    }

    /** SQLite has no row locks: run it inside a transaction for a consistent snapshot of rows and versions. */
    @Override
    public String selectSnapshot(SyncedTable table, boolean afterKey, int limit) {
        return "SELECT " + joined(table.columns(), c -> "s." + q(c.local()), ", ")
                + ", v.version_num, v.version_origin, v.field_versions FROM " + q(table.localName()) + " AS s LEFT JOIN "
                + q(SqliteSql.versionTable(table)) + " AS v ON " + keyMatch(table, "v", "s") + page(table, afterKey, limit);
    }

    private static String fieldVersions(SyncedTable table) {
        String json = InitialStamp.fieldVersionsJson(table);
        return json == null ? "NULL" : literal(json);
    }

    /** WHERE (after a key), ORDER BY key, LIMIT, on the table aliased {@code s}. */
    private static String page(SyncedTable table, boolean afterKey, int limit) {
        return (afterKey ? " WHERE " + KeyQueries.keyAfter(SqliteIdentifiers.INSTANCE, "s", table.keyColumns()) : "")
                + " ORDER BY " + joined(table.keyColumns(), c -> "s." + q(c.local()), ", ") + (limit == Integer.MAX_VALUE ? "" : " LIMIT " + limit);
    }

    /** Reads first, so the usual poll (no leftover) takes no write lock. */
    @Override
    public int clearLeftoverOriginMarker(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + BisyncTables.CONTEXT + ")")) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    return 0;
                }
            }
            return statement.executeUpdate("DELETE FROM " + BisyncTables.CONTEXT);
        }
    }
}
