/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The three AFTER ROW triggers of a synced table (the contract is in
 * {@link org.bisync.nifi.dialect.CaptureDialect}'s Javadoc). Per captured change a trigger runs one condition, an
 * {@code INSERT ... ON DUPLICATE KEY UPDATE} of the version row (a current, locking read of the previous version, so
 * REPEATABLE READ snapshots never write a version backwards; MariaDB applies the assignments left to right, so
 * {@code prev_num} takes the old number before {@code version_num} is raised above it; the upsert also assigns the new
 * version, the previous one and the field versions to session variables, in its VALUES for a new row and in its
 * assignments for an existing one, instead of a second, locking SELECT of the row), and an {@code INSERT} of the history
 * row from those variables.
 *
 * <p>Each statement, IF or SET a trigger runs costs about as much as evaluating a whole expression on MariaDB, so the
 * common path runs no more than the floor's two writes and one IF: that IF tests the origin marker, and whether the
 * clock correction cached in the session is fresh (read in the second the statement started in), assigning the
 * corrected clock on the way ({@code @bisync_ts}; session variables, not DECLAREd ones, since a DECLARE is one more
 * statement per row). When the cache is stale (or on a key change, which is rare) an ELSEIF branch reads the correction
 * from bisync_config and then captures the same way. The cache matters: a scalar subquery on every row cost a third of
 * the trigger's time, and the correction only changes smoothly (slew-capped). An UPDATE's IF also tests that the key
 * is the same and that a synced column changed, by comparing the row's before and after images, which it assigns to
 * session variables for the history row.
 *
 * <p>Writes that fire no trigger, and are therefore not captured on MariaDB: rows changed or removed by a foreign-key
 * action ({@code ON DELETE CASCADE}, {@code ON UPDATE CASCADE}, {@code SET NULL}) of InnoDB, TRUNCATE TABLE, and
 * DDL. Two-way sync of a cascade-child table is only safe when the same cascade exists on every system. Dropping or
 * renaming a column the triggers name makes users' writes to the table fail until the triggers are re-installed.
 *
 * <p>Each trigger is created with {@code CREATE OR REPLACE TRIGGER}, which swaps it under the table's metadata lock: a
 * concurrent write meets the old trigger or the new one. DDL commits by itself on MariaDB, so dropping first and
 * creating after would leave writes in between uncaptured.
 */
final class MariaDbTriggerSql {

    static final String CLOCK = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";

    private enum Op { INSERT, UPDATE, DELETE }

    /** Session variables that carry one capture's new version, previous version and field versions to its history row. */
    private static final String VN = "@bisync_vn";
    private static final String PN = "@bisync_pn";
    private static final String PO = "@bisync_po";
    private static final String FV = "@bisync_fv";
    /** The corrected clock of the change, UTC epoch microseconds: what a write's version and captured_at start from. */
    private static final String NOW = "@bisync_ts";

    /** No origin marker, or an empty one (a string comparison costs more to prepare on every row than LENGTH). */
    static final String NOT_MARKED = "IFNULL(LENGTH(@bisync_origin), 0) = 0";

    /**
     * True when the session's cached correction was read in the second the statement started in (UNIX_TIMESTAMP() is
     * the statement's start, in UTC, and costs less than a comparison of two clocks); it assigns the corrected clock to
     * {@link #NOW} on the way (NULL, so false, when nothing is cached).
     */
    static final String FRESH_CLOCK = "UNIX_TIMESTAMP() = @bisync_correction_sec AND (" + NOW + " := " + CLOCK
            + " + @bisync_clock_correction) IS NOT NULL";
    /** The before and after images of an UPDATE, computed once for the changed test and read by the history insert. */
    private static final String BEFORE = "@bisync_b";
    private static final String AFTER = "@bisync_a";

    private final MariaDbIdentifiers ids;
    private final MariaDbTypeMapping types;
    /** Reads the correction from bisync_config into the session's cache and assigns {@link #NOW}. */
    private final String refreshClock;

    MariaDbTriggerSql(MariaDbIdentifiers ids, MariaDbTypeMapping types) {
        this.ids = ids;
        this.types = types;
        this.refreshClock = "SET @bisync_now = " + CLOCK + ", @bisync_clock_correction = COALESCE((SELECT num_value FROM "
                + ids.quote(BisyncTables.CONFIG) + " WHERE name = '" + BisyncTables.CLOCK_CORRECTION + "'), 0), "
                + "@bisync_correction_sec = UNIX_TIMESTAMP(), " + NOW + " = @bisync_now + @bisync_clock_correction;\n";
    }

    String insertTriggerName(String table) {
        return ids.derivedName(BisyncTables.TRIGGER_PREFIX, table + "_ins");
    }

    String updateTriggerName(String table) {
        return ids.derivedName(BisyncTables.TRIGGER_PREFIX, table + "_upd");
    }

    String deleteTriggerName(String table) {
        return ids.derivedName(BisyncTables.TRIGGER_PREFIX, table + "_del");
    }

    /** The triggers {@link #createTriggers} creates on the table, unquoted. */
    List<String> triggerNames(String table) {
        return List.of(insertTriggerName(table), updateTriggerName(table), deleteTriggerName(table));
    }

    List<String> dropTriggers(String table) {
        return List.of("DROP TRIGGER IF EXISTS " + ids.quote(insertTriggerName(table)),
                "DROP TRIGGER IF EXISTS " + ids.quote(updateTriggerName(table)),
                "DROP TRIGGER IF EXISTS " + ids.quote(deleteTriggerName(table)));
    }

    List<String> createTriggers(SyncedTable table) {
        // a synced column changed when the row's images differ, compared byte for byte (JSON text names every value
        // exactly as the change record carries it): the history row then takes the images the test computed, instead of
        // a null-safe comparison of each column and images computed again
        String changed = "NOT (BINARY (" + BEFORE + " := " + image(table.columns(), "OLD") + ") <=> (" + AFTER + " := "
                + image(table.columns(), "NEW") + "))";
        String keySame = same(table.keyColumns());
        String newImage = image(table.columns(), "NEW");
        String oldImage = image(table.columns(), "OLD");
        List<String> sql = new ArrayList<>();
        sql.add(trigger(table, insertTriggerName(table.localName()), "INSERT",
                "IF " + NOT_MARKED + " AND " + FRESH_CLOCK + " THEN\n" + capture(table, Op.INSERT, "NEW", null, newImage)
                        + "ELSEIF " + NOT_MARKED + " THEN\n" + refreshClock + capture(table, Op.INSERT, "NEW", null, newImage) + "END IF;\n"));
        sql.add(trigger(table, updateTriggerName(table.localName()), "UPDATE",
                "IF " + NOT_MARKED + " AND " + FRESH_CLOCK + " AND " + keySame + " AND " + changed + " THEN\n"
                        + capture(table, Op.UPDATE, "NEW", BEFORE, AFTER)
                        + "ELSEIF " + NOT_MARKED + " AND " + changed + " THEN\n" + refreshClock
                        + "IF " + keySame + " THEN\n"
                        + capture(table, Op.UPDATE, "NEW", BEFORE, AFTER)
                        + "ELSE\n"
                        + capture(table, Op.DELETE, "OLD", BEFORE, null)
                        + capture(table, Op.INSERT, "NEW", null, AFTER)
                        + "END IF;\nEND IF;\n"));
        sql.add(trigger(table, deleteTriggerName(table.localName()), "DELETE",
                "IF " + NOT_MARKED + " AND " + FRESH_CLOCK + " THEN\n" + capture(table, Op.DELETE, "OLD", oldImage, null)
                        + "ELSEIF " + NOT_MARKED + " THEN\n" + refreshClock + capture(table, Op.DELETE, "OLD", oldImage, null) + "END IF;\n"));
        return sql;
    }

    private String trigger(SyncedTable table, String name, String event, String body) {
        return "CREATE OR REPLACE TRIGGER " + ids.quote(name) + " AFTER " + event + " ON " + ids.quote(table.localName()) + " FOR EACH ROW\n"
                + "BEGIN\n" + body + "END";
    }

    /** Null-safe equality of OLD and NEW of every given column; character data compared byte for byte. */
    private String same(List<SyncedColumn> columns) {
        return columns.stream().map(c -> {
            String q = ids.quote(c.local());
            boolean bytes = MariaDbType.of(c.column()).isCharacter();
            return bytes ? "CAST(OLD." + q + " AS BINARY) <=> CAST(NEW." + q + " AS BINARY)" : "OLD." + q + " <=> NEW." + q;
        }).collect(Collectors.joining(" AND "));
    }

    /** One change's version upsert and history insert; {@code before} and {@code after} are the images (or null). */
    private String capture(SyncedTable table, Op op, String keyAlias, String before, String after) {
        String versionTable = ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName()));
        String origin = MariaDbIdentifiers.literal(table.systemId());
        List<SyncedColumn> keys = table.keyColumns();
        String keyCols = keys.stream().map(c -> ids.quote(c.local())).collect(Collectors.joining(", "));
        String keyValues = keys.stream().map(c -> keyAlias + "." + ids.quote(c.local())).collect(Collectors.joining(", "));
        boolean delete = op == Op.DELETE;
        StringBuilder sql = new StringBuilder();
        // the previous and new version reach the history insert through session variables assigned inside the upsert: in
        // VALUES for a new version row, in the ON DUPLICATE KEY UPDATE assignments (a current, locking read) for an existing
        // one; a separate SELECT ... FOR UPDATE of the row cost a quarter of the trigger's time
        sql.append("INSERT INTO ").append(versionTable).append(" (").append(keyCols)
                .append(", version_num, version_origin, prev_num, prev_origin, deleted, field_versions")
                .append(table.keepsDeletedValues() ? ", kept_data" : "").append(") VALUES (")
                .append(keyValues).append(", ").append(VN).append(" := ")
                .append(proposedNumber(table, delete ? null : keyAlias, op == Op.INSERT ? null : "OLD"))
                .append(", ").append(origin).append(", ").append(PN).append(" := NULL, ").append(PO).append(" := NULL, ")
                .append(delete ? 1 : 0).append(", ").append(FV).append(" := ").append(initialFieldVersions(table, op))
                .append(table.keepsDeletedValues() ? ", " + (delete ? image(table.columns(), keyAlias) : "NULL") : "").append(")\n")
                .append("ON DUPLICATE KEY UPDATE prev_num = (").append(PN).append(" := version_num), prev_origin = (").append(PO)
                .append(" := version_origin), version_num = (").append(VN).append(" := GREATEST(VALUES(version_num), prev_num + 1");
        if (delete && table.hasFieldVersions()) {
            // a tombstone ranks above every field version it saw
            for (String column : table.fieldBiases().keySet()) {
                sql.append(", COALESCE(CAST(JSON_VALUE(field_versions, ").append(MariaDbIdentifiers.jsonPath(column, "[0]"))
                        .append(") AS SIGNED) + 1, 0)");
            }
        }
        // field_versions is assigned before deleted and the tombstone, so it still reads the row's old ones
        sql.append(")), version_origin = VALUES(version_origin), field_versions = (").append(FV).append(" := ")
                .append(!delete && table.hasFieldVersions() ? updatedFieldVersions(table, op) : "field_versions")
                .append("), deleted = VALUES(deleted)");
        if (table.keepsDeletedValues()) {
            sql.append(", kept_data = VALUES(kept_data), tombstone_num = NULL, tombstone_origin = NULL");
        }
        sql.append(";\n");
        // INSERT ... VALUES, not INSERT ... SELECT FROM the version table: in a trigger MariaDB 11.4 scans the whole version
        // table for the latter (1.9 ms a row at 5,000 rows)
        sql.append("INSERT INTO ").append(ids.quote(BisyncTables.HISTORY))
                .append(" (table_name, operation, key_data, before_data, after_data, version_num, version_origin, prev_num, prev_origin, "
                        + "field_versions, origin, supersedes, tx_id, captured_at)\nVALUES (")
                .append(MariaDbIdentifiers.literal(table.localName())).append(", '").append(op.name()).append("', ")
                .append(image(keys, keyAlias)).append(", ")
                .append(before == null ? "NULL" : before).append(", ")
                .append(after == null ? "NULL" : after)
                .append(", ").append(VN).append(", ").append(origin).append(", ")
                        .append(PN).append(", ").append(PO).append(", ").append(FV).append(", ").append(origin)
                .append(", NULL, NULL, ").append(NOW).append(");\n");
        return sql.toString();
    }

    /**
     * The number a write proposes for its row version, before the upsert raises it to at least the previous + 1: the
     * instant of the row's timestamp column in UTC epoch microseconds when the table has one and it is set, else
     * {@link #NOW} + bias; a DELETE ({@code alias} null) always takes the clock. A DATETIME or DATE holds a wall-clock
     * time, read as UTC by TIMESTAMPDIFF whatever the session time zone; UNIX_TIMESTAMP of a TIMESTAMP column gives its
     * stored UTC instant with all its fraction digits. Zero dates give NULL (TIMESTAMPDIFF) or 0 (UNIX_TIMESTAMP), hence
     * the clock.
     */
    private String proposedNumber(SyncedTable table, String alias, String oldAlias) {
        String proposed = numberFrom(table, alias, NOW + " + " + table.bias());
        if (oldAlias == null || table.timestampColumn() == null) {
            return proposed;
        }
        // a row from before the triggers has no version row until the initial load stamps it (its timestamp): a write
        // to it in between must rank above that stamp, which every other system gives its untouched copy
        return "GREATEST(" + proposed + ", " + initialStamp(table, oldAlias) + " + 1)";
    }

    /** The number the initial load stamps on the row of {@code alias} (its timestamp, else the stamp floor), plus the bias. */
    String initialStamp(SyncedTable table, String alias) {
        return numberFrom(table, alias, BisyncTables.STAMP_FLOOR + " + " + table.bias());
    }

    /** The instant of the row's timestamp column in UTC epoch microseconds where set, else {@code clock}. */
    String numberFrom(SyncedTable table, String alias, String clock) {
        if (alias == null || table.timestampColumn() == null) {
            return clock;
        }
        String value = alias + "." + ids.quote(table.timestampColumn().name());
        String micros = MariaDbType.of(table.timestampColumn()) == MariaDbType.TIMESTAMP
                ? "NULLIF(CAST(UNIX_TIMESTAMP(" + value + ") * 1000000 AS SIGNED), 0)"
                : "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + value + ")";
        return "COALESCE(" + micros + ", " + clock + ")";
    }

    private String image(List<SyncedColumn> columns, String alias) {
        return "JSON_OBJECT(" + columns.stream()
                .map(c -> MariaDbIdentifiers.literal(c.local()) + ", " + types.imageExpression(alias, c.column()))
                .collect(Collectors.joining(", ")) + ")";
    }

    /** Field versions of a version row that did not exist yet. */
    private String initialFieldVersions(SyncedTable table, Op op) {
        if (!table.hasFieldVersions() || op == Op.DELETE) {
            return "NULL";
        }
        return "JSON_MERGE_PATCH('{}', " + fieldObject(table, op, column -> "NULL", column -> NOW + " + " + table.fieldBiases().get(column)) + ")";
    }

    /** Field versions of an existing version row: changed fields raised, the others kept. */
    private String updatedFieldVersions(SyncedTable table, Op op) {
        Function<String, String> previous = column -> "JSON_EXTRACT(field_versions, " + MariaDbIdentifiers.jsonPath(column, "") + ")";
        Function<String, String> number = column -> {
            String fresh = NOW + " + " + table.fieldBiases().get(column);
            // an insert over a tombstone gives every field a version above it (version_num is raised already: prev_num
            // holds the old one), or the row would stay deleted elsewhere
            String aboveTombstone = op == Op.INSERT && table.keepsDeletedValues()
                    ? ", IF(deleted, COALESCE(tombstone_num, prev_num) + 1, " + fresh + ")" : "";
            return "GREATEST(" + fresh + ", COALESCE(CAST(JSON_VALUE(field_versions, " + MariaDbIdentifiers.jsonPath(column, "[0]")
                    + ") AS SIGNED) + 1, " + fresh + ")" + aboveTombstone + ")";
        };
        return "JSON_MERGE_PATCH(COALESCE(field_versions, '{}'), " + fieldObject(table, op, previous, number) + ")";
    }

    private String fieldObject(SyncedTable table, Op op, Function<String, String> unchanged, Function<String, String> number) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> entry : table.fieldBiases().entrySet()) {
            String column = entry.getKey();
            String entryValue = "JSON_ARRAY(" + number.apply(column) + ", " + MariaDbIdentifiers.literal(table.systemId()) + ")";
            String value = entryValue;
            if (op == Op.UPDATE) {
                SyncedColumn c = table.byLocal(column).orElseThrow();
                value = "IF(" + same(List.of(c)) + ", " + unchanged.apply(column) + ", " + entryValue + ")";
            }
            parts.add(MariaDbIdentifiers.literal(column) + ", " + value);
        }
        return "JSON_OBJECT(" + String.join(", ", parts) + ")";
    }
}
