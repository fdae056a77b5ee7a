/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.InitialStamp;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.PortableCaptureDialect;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Capture on MariaDB: the bisync tables, the version tables and the triggers of {@link MariaDbTriggerSql}, and the
 * statements that read and release history. Our tables are InnoDB with utf8mb4_bin text, so origin ids compare
 * exactly.
 */
final class MariaDbCaptureDialect extends PortableCaptureDialect {

    private static final String RANGE_DOWN = " WHERE id BETWEEN ? AND ? ORDER BY id DESC LIMIT ?";
    private static final String TABLE_OPTIONS = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

    private final MariaDbIdentifiers ids;
    private final MariaDbTypeMapping types;
    private final MariaDbTriggerSql triggers;

    MariaDbCaptureDialect(MariaDbIdentifiers ids, MariaDbTypeMapping types) {
        super(ids);
        this.ids = ids;
        this.types = types;
        this.triggers = new MariaDbTriggerSql(ids, types);
    }

    String versionTable(String localTableName) {
        return ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, localTableName));
    }

    /**
     * Ranges, read from their last id down and no further than the range's count of rows: every id of a range was read,
     * so the statement stops on the range's first row and never reads the row after it. InnoDB locks every row a locking
     * statement reads, also the first one past a range's end, and under load that is often the uncommitted history row
     * of a user's open transaction: a plain {@code BETWEEN} waited for it (and its next-key lock on the last gap held
     * the triggers' inserts back). Going down, the row past the range is below it: only when the range was released
     * already (again after a crash) is one read there, committed in all but the rarest case. Ranges took about two thirds
     * of the time of the id lists that released history before (see README).
     */
    @Override
    public String copyHistoryRangeToReleased() {
        return "INSERT INTO " + ids.quote(BisyncTables.RELEASED) + " (" + BisyncTables.HISTORY_COLUMNS + ", released_at) SELECT "
                + BisyncTables.HISTORY_COLUMNS + ", ? FROM " + ids.quote(BisyncTables.HISTORY) + RANGE_DOWN;
    }

    @Override
    public String deleteHistoryRange() {
        return "DELETE FROM " + ids.quote(BisyncTables.HISTORY) + RANGE_DOWN;
    }

    /** The first and the last id, then the range's count of rows (its LIMIT). */
    @Override
    public int bindHistoryRange(PreparedStatement statement, int index, long first, long last) throws SQLException {
        statement.setLong(index, first);
        statement.setLong(index + 1, last);
        statement.setLong(index + 2, last - first + 1);
        return index + 3;
    }

    @Override
    public List<String> createBisyncTables() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + ids.quote(BisyncTables.HISTORY) + " ("
                        + "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, table_name VARCHAR(255) NOT NULL, operation VARCHAR(8) NOT NULL, "
                        + "key_data LONGTEXT NOT NULL, before_data LONGTEXT NULL, after_data LONGTEXT NULL, "
                        + "version_num BIGINT NOT NULL, version_origin VARCHAR(64) NOT NULL, prev_num BIGINT NULL, prev_origin VARCHAR(64) NULL, "
                        + "field_versions LONGTEXT NULL, origin VARCHAR(64) NOT NULL, supersedes LONGTEXT NULL, tx_id VARCHAR(64) NULL, "
                        + "captured_at BIGINT NOT NULL, tombstone_num BIGINT NULL, tombstone_origin VARCHAR(64) NULL)" + TABLE_OPTIONS,
                "CREATE TABLE IF NOT EXISTS " + ids.quote(BisyncTables.RELEASED) + " ("
                        + "id BIGINT NOT NULL PRIMARY KEY, table_name VARCHAR(255) NOT NULL, operation VARCHAR(8) NOT NULL, "
                        + "key_data LONGTEXT NOT NULL, before_data LONGTEXT NULL, after_data LONGTEXT NULL, "
                        + "version_num BIGINT NOT NULL, version_origin VARCHAR(64) NOT NULL, prev_num BIGINT NULL, prev_origin VARCHAR(64) NULL, "
                        + "field_versions LONGTEXT NULL, origin VARCHAR(64) NOT NULL, supersedes LONGTEXT NULL, tx_id VARCHAR(64) NULL, "
                        + "captured_at BIGINT NOT NULL, tombstone_num BIGINT NULL, tombstone_origin VARCHAR(64) NULL, released_at BIGINT NOT NULL, "
                        + "INDEX bisync_released_at (released_at))" + TABLE_OPTIONS,
                "CREATE TABLE IF NOT EXISTS " + ids.quote(BisyncTables.CONFIG) + " ("
                        + "name VARCHAR(64) NOT NULL PRIMARY KEY, num_value BIGINT NULL, text_value VARCHAR(4000) NULL)" + TABLE_OPTIONS,
                "CREATE TABLE IF NOT EXISTS " + ids.quote(BisyncTables.INSTALLED) + " ("
                        + "table_name VARCHAR(255) NOT NULL PRIMARY KEY, ddl_hash VARCHAR(64) NULL, column_hash VARCHAR(64) NULL, "
                        + "installed_at BIGINT NULL)" + TABLE_OPTIONS,
                "CREATE TABLE IF NOT EXISTS " + ids.quote(BisyncTables.ACK) + " ("
                        + "target_system VARCHAR(64) NOT NULL, first_id BIGINT NOT NULL, last_id BIGINT NOT NULL" + BisyncTables.ACK_STEP_COLUMN + ", "
                        + "KEY bisync_ack_target (target_system, first_id))" + TABLE_OPTIONS);
    }

    /**
     * The version table, then the triggers, each swapped in place by CREATE OR REPLACE TRIGGER (see
     * {@link MariaDbTriggerSql}): never dropped first, so no write falls between two triggers.
     */
    @Override
    public List<String> installTable(SyncedTable table) {
        List<String> sql = new ArrayList<>();
        sql.add(createVersionTable(table));
        sql.addAll(triggers.createTriggers(table));
        return sql;
    }

    @Override
    public List<String> installTargetOnlyTable(SyncedTable table) {
        List<String> sql = new ArrayList<>(triggers.dropTriggers(table.localName()));
        sql.add(createVersionTable(table));
        return sql;
    }

    /** DDL commits by itself on MariaDB: {@link #installTable} swaps each trigger atomically instead. */
    @Override
    public List<String> beginTableInstall(String localTableName) {
        return List.of();
    }

    /**
     * READ COMMITTED: at the default REPEATABLE READ the range delete takes next-key locks on bisync_ack's index, which make
     * the target processors' inserts of acknowledgements wait and can deadlock with them; read committed takes none.
     */
    @Override
    public List<String> beginAckCompaction() {
        return List.of("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "START TRANSACTION");
    }

    @Override
    public List<String> triggerNames(SyncedTable table) {
        return triggers.triggerNames(table.localName());
    }

    /** MariaDB has no disabled triggers: every trigger listed fires. */
    @Override
    public Map<String, Boolean> readTriggers(Connection connection, String localTableName) throws SQLException {
        Map<String, Boolean> names = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS "
                + "WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?")) {
            statement.setString(1, localTableName);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    if (localTableName.equals(rs.getString(2))) { // the WHERE compares by a collation that may ignore case
                        names.put(rs.getString(1), true);
                    }
                }
            }
        }
        return names;
    }

    /**
     * The version table copies the key columns' definitions (type, character set, collation) from the user's table
     * through CREATE TABLE ... SELECT, so its keys compare exactly as the table's do.
     */
    private String createVersionTable(SyncedTable table) {
        List<SyncedColumn> keys = table.keyColumns();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("Table '" + table.localName() + "' has no sync key");
        }
        String keyList = keys.stream().map(c -> ids.quote(c.local())).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + versionTable(table.localName()) + " ("
                + "version_num BIGINT NOT NULL DEFAULT 0, version_origin VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '', "
                + "prev_num BIGINT NULL, prev_origin VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, "
                + "deleted BOOLEAN NOT NULL DEFAULT 0, field_versions LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, "
                + "tombstone_num BIGINT NULL, tombstone_origin VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, "
                + "kept_data LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, "
                + "PRIMARY KEY (" + keyList + ")) ENGINE=InnoDB\nSELECT " + keyList + " FROM " + ids.quote(table.localName()) + " WHERE 1 = 0";
    }

    @Override
    public List<String> uninstallTable(String localTableName) {
        List<String> sql = new ArrayList<>(triggers.dropTriggers(localTableName));
        sql.add("DROP TABLE IF EXISTS " + versionTable(localTableName));
        return sql;
    }

    @Override
    public List<String> dropBisyncTables() {
        return List.of("DROP TABLE IF EXISTS " + ids.quote(BisyncTables.HISTORY), "DROP TABLE IF EXISTS " + ids.quote(BisyncTables.RELEASED),
                "DROP TABLE IF EXISTS " + ids.quote(BisyncTables.CONFIG),
                "DROP TABLE IF EXISTS " + ids.quote(BisyncTables.INSTALLED), "DROP TABLE IF EXISTS " + ids.quote(BisyncTables.ACK));
    }

    /**
     * Table privileges in the current database. Creating triggers also needs binary-logging rights when the server
     * logs binaries (log_bin_trust_function_creators = 1, or SUPER/BINLOG ADMIN), which a DBA grants separately.
     */
    @Override
    public List<String> grants(String user, List<String> localTableNames) {
        String grantee = user.contains("@") ? user : "'" + user.replace("'", "''") + "'@'%'";
        List<String> sql = new ArrayList<>();
        sql.add("-- run in the synced database; our tables and version tables are created by the NiFi user, so it needs CREATE and DROP there");
        sql.add("GRANT CREATE, DROP, INDEX, ALTER ON * TO " + grantee);
        for (String table : List.of(BisyncTables.HISTORY, BisyncTables.RELEASED, BisyncTables.CONFIG, BisyncTables.INSTALLED, BisyncTables.ACK)) {
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + ids.quote(table) + " TO " + grantee);
        }
        for (String table : localTableNames) {
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON " + ids.quote(table) + " TO " + grantee);
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + versionTable(table) + " TO " + grantee);
        }
        return sql;
    }

    @Override
    public String selectClockMicros() {
        return "SELECT " + MariaDbTriggerSql.CLOCK;
    }

    @Override
    public List<String> addTombstoneColumns(String table, boolean versionTable) {
        String binary = versionTable ? " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" : "";
        String alter = "ALTER TABLE " + ids.quote(table) + " ADD COLUMN IF NOT EXISTS tombstone_num BIGINT NULL, "
                + "ADD COLUMN IF NOT EXISTS tombstone_origin VARCHAR(64)" + binary + " NULL";
        return List.of(versionTable ? alter + ", ADD COLUMN IF NOT EXISTS kept_data LONGTEXT" + binary + " NULL" : alter);
    }

    @Override
    public List<String> upgradeLegacyHistory() {
        String history = ids.quote(BisyncTables.HISTORY);
        String releasedAt = ids.quote(BisyncTables.LEGACY_RELEASED_AT);
        return List.of(
                "INSERT INTO " + ids.quote(BisyncTables.RELEASED) + " (" + BisyncTables.HISTORY_COLUMNS + ", released_at) SELECT "
                        + BisyncTables.HISTORY_COLUMNS + ", " + releasedAt + " FROM " + history + " WHERE " + releasedAt + " IS NOT NULL "
                        + "ON DUPLICATE KEY UPDATE id = VALUES(id)",
                "DELETE FROM " + history + " WHERE " + releasedAt + " IS NOT NULL",
                "ALTER TABLE " + history + " DROP INDEX IF EXISTS bisync_history_released, DROP COLUMN IF EXISTS " + releasedAt);
    }

    @Override
    public String upsertConfigNumber() {
        return "INSERT INTO " + ids.quote(BisyncTables.CONFIG) + " (name, num_value) VALUES (?, ?) ON DUPLICATE KEY UPDATE num_value = VALUES(num_value)";
    }

    @Override
    public String upsertInstalled() {
        return "INSERT INTO " + ids.quote(BisyncTables.INSTALLED) + " (table_name, ddl_hash, column_hash, installed_at) VALUES (?, ?, ?, ?) "
                + "ON DUPLICATE KEY UPDATE ddl_hash = VALUES(ddl_hash), column_hash = VALUES(column_hash), installed_at = VALUES(installed_at)";
    }

    @Override
    public String stampMissingVersions(SyncedTable table, boolean afterKey, int limit) {
        List<SyncedColumn> keys = table.keyColumns();
        String versionTable = versionTable(table.localName());
        String fieldVersions = InitialStamp.fieldVersionsJson(table);
        return "INSERT INTO " + versionTable + " (" + keys.stream().map(c -> ids.quote(c.local())).collect(Collectors.joining(", "))
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions)\nSELECT "
                + keys.stream().map(c -> "t." + ids.quote(c.local())).collect(Collectors.joining(", "))
                + ", " + triggers.initialStamp(table, "t") + ", "
                + MariaDbIdentifiers.literal(table.systemId())
                + ", NULL, NULL, 0, " + (fieldVersions == null ? "NULL" : MariaDbIdentifiers.literal(fieldVersions))
                + " FROM (SELECT t.* FROM " + ids.quote(table.localName()) + " t" + page(table, afterKey, limit)
                + ") t LEFT JOIN " + versionTable + " v ON " + keyJoin(keys)
                + " WHERE v." + ids.quote(keys.get(0).local()) + " IS NULL\n"
                + "ON DUPLICATE KEY UPDATE version_num = " + versionTable + ".version_num";
    }

    /** TIMESTAMP columns come back as UTC epoch seconds, which {@link MariaDbTypeMapping#read} understands. */
    @Override
    public String selectSnapshot(SyncedTable table, boolean afterKey, int limit) {
        List<SyncedColumn> keys = table.keyColumns();
        return "SELECT " + table.columns().stream().map(c -> types.selectExpression("t." + ids.quote(c.local()), c.column())).collect(Collectors.joining(", "))
                + ", v.version_num, v.version_origin, v.field_versions FROM " + ids.quote(table.localName()) + " t LEFT JOIN "
                + versionTable(table.localName()) + " v ON " + keyJoin(keys) + page(table, afterKey, limit) + " LOCK IN SHARE MODE";
    }

    /** WHERE (after a key), ORDER BY key, LIMIT, on the table aliased {@code t}. */
    private String page(SyncedTable table, boolean afterKey, int limit) {
        return (afterKey ? " WHERE " + KeyQueries.keyAfter(ids, "t", table.keyColumns()) : "") + " ORDER BY "
                + table.keyColumns().stream().map(c -> "t." + ids.quote(c.local())).collect(Collectors.joining(", "))
                + (limit == Integer.MAX_VALUE ? "" : " LIMIT " + limit);
    }

    private String keyJoin(List<SyncedColumn> keys) {
        return keys.stream().map(c -> "v." + ids.quote(c.local()) + " = t." + ids.quote(c.local())).collect(Collectors.joining(" AND "));
    }
}
