/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.bisync.nifi.dialect.sqlite.SqliteSql.CORRECTED_CLOCK;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.joined;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.jsonMemberPath;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.keyList;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.keyMatch;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.literal;
import static org.bisync.nifi.dialect.sqlite.SqliteSql.q;

/**
 * The version table and the four triggers of a synced table. SQLite triggers have no variables, so each trigger is a
 * statement sequence: an atomic upsert of the version row (in ON CONFLICT DO UPDATE every SET expression sees the old
 * row, so {@code prev_num = version_num, version_num = max(excluded.version_num, version_num + 1)} is exact), then a
 * history row SELECTed from the version row just written. Every trigger has a WHEN clause, so the applier's writes
 * (marker row in bisync_context) and no-op updates cost one cheap check and nothing else:
 * <ul>
 * <li>{@code _ins}: AFTER INSERT;</li>
 * <li>{@code _upd}: AFTER UPDATE when the key is unchanged and a synced value column changed ({@code IS NOT});</li>
 * <li>{@code _updk}: AFTER UPDATE when a key column changed: a DELETE of the OLD key, then an INSERT of the NEW key;</li>
 * <li>{@code _del}: AFTER DELETE.</li>
 * </ul>
 * SQLite limits a function to 100 arguments in the xerial build (127 or 1000 elsewhere), so JSON objects of more than 40
 * columns are built as json_object of the first 40 extended by json_insert.
 */
final class SqliteTriggerSql {

    static final String NOT_MARKED = "NOT EXISTS (SELECT 1 FROM " + BisyncTables.CONTEXT + ")";
    static final String[] SUFFIXES = {"_ins", "_upd", "_updk", "_del"};
    private static final int MEMBERS_PER_CALL = 40;

    private enum Op { INSERT, UPDATE, DELETE }

    private SqliteTriggerSql() {
    }

    static String triggerName(String localTableName, String suffix) {
        return SqliteIdentifiers.INSTANCE.derivedName(BisyncTables.TRIGGER_PREFIX, localTableName + suffix);
    }

    /** The triggers {@link #install} creates on the table (no {@code _upd} when every column is a key column). */
    static List<String> triggerNames(SyncedTable table) {
        List<String> names = new ArrayList<>();
        for (String suffix : SUFFIXES) {
            if (!suffix.equals("_upd") || !table.valueColumns().isEmpty()) {
                names.add(triggerName(table.localName(), suffix));
            }
        }
        return names;
    }

    static List<String> dropTriggers(String localTableName) {
        List<String> sql = new ArrayList<>();
        for (String suffix : SUFFIXES) {
            sql.add("DROP TRIGGER IF EXISTS " + q(triggerName(localTableName, suffix)));
        }
        return sql;
    }

    static String createVersionTable(SyncedTable table) {
        String keys = joined(table.keyColumns(), c -> q(c.local()) + (c.column().typeName().isEmpty() ? "" : " " + c.column().typeName()), ", ");
        return "CREATE TABLE IF NOT EXISTS " + q(SqliteSql.versionTable(table)) + " (" + keys
                + ", version_num INTEGER NOT NULL, version_origin TEXT NOT NULL, prev_num INTEGER, prev_origin TEXT,"
                + " deleted INTEGER NOT NULL DEFAULT 0, field_versions TEXT, tombstone_num INTEGER, tombstone_origin TEXT, kept_data TEXT,"
                + " PRIMARY KEY (" + keyList(table) + "))";
    }

    static List<String> install(SyncedTable table) {
        List<String> sql = new ArrayList<>();
        sql.add(createVersionTable(table));
        sql.addAll(dropTriggers(table.localName()));
        String onRow = " ON " + q(table.localName()) + " FOR EACH ROW WHEN";
        String on = onRow + " " + NOT_MARKED;
        String keySame = joined(table.keyColumns(), c -> "OLD." + q(c.local()) + " IS NEW." + q(c.local()), " AND ");
        String keyChanged = joined(table.keyColumns(), c -> "OLD." + q(c.local()) + " IS NOT NEW." + q(c.local()), " OR ");
        sql.add("CREATE TRIGGER " + q(triggerName(table.localName(), "_ins")) + " AFTER INSERT" + on + "\nBEGIN\n"
                + change(table, Op.INSERT) + "END");
        if (!table.valueColumns().isEmpty()) {
            String anyChanged = joined(table.valueColumns(), c -> "OLD." + q(c.local()) + " IS NOT NEW." + q(c.local()), " OR ");
            sql.add("CREATE TRIGGER " + q(triggerName(table.localName(), "_upd")) + " AFTER UPDATE" + onRow
                    + " (" + keySame + ") AND (" + anyChanged + ") AND " + NOT_MARKED + "\nBEGIN\n" + change(table, Op.UPDATE) + "END");
        }
        // the column tests first: they are false for most rows of _updk, which then skips the context table's subquery
        sql.add("CREATE TRIGGER " + q(triggerName(table.localName(), "_updk")) + " AFTER UPDATE" + onRow
                + " (" + keyChanged + ") AND " + NOT_MARKED + "\nBEGIN\n" + change(table, Op.DELETE) + change(table, Op.INSERT) + "END");
        sql.add("CREATE TRIGGER " + q(triggerName(table.localName(), "_del")) + " AFTER DELETE" + on + "\nBEGIN\n"
                + change(table, Op.DELETE) + "END");
        return sql;
    }

    /** The two statements recording one change: version upsert, then history row. */
    private static String change(SyncedTable table, Op op) {
        String row = op == Op.DELETE ? "OLD" : "NEW";
        return versionUpsert(table, op, row) + ";\n" + historyInsert(table, op, row) + ";\n";
    }

    private static String versionUpsert(SyncedTable table, Op op, String row) {
        boolean delete = op == Op.DELETE;
        boolean keeps = table.keepsDeletedValues();
        // a tombstone ranks above every field version it saw
        String aboveFields = delete && table.hasFieldVersions()
                ? ", coalesce((SELECT max(CAST(e.value ->> 0 AS INTEGER)) + 1 FROM json_each(field_versions) AS e), 0)" : "";
        String sql = "INSERT INTO " + q(SqliteSql.versionTable(table)) + " (" + keyList(table)
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions" + (keeps ? ", kept_data" : "") + ") VALUES ("
                + joined(table.keyColumns(), c -> row + "." + q(c.local()), ", ") + ", "
                + proposedNumber(table, delete ? null : row, op == Op.INSERT ? null : "OLD")
                + ", " + literal(table.systemId()) + ", NULL, NULL, " + (delete ? 1 : 0) + ", "
                + (delete || !table.hasFieldVersions() ? "NULL" : fieldVersions(table, op, false))
                + (keeps ? ", " + (delete ? jsonObject(table.columns(), c -> SqliteTypeMapping.INSTANCE.imageExpression("OLD", c.column())) : "NULL") : "")
                + ")"
                + "\n  ON CONFLICT (" + keyList(table) + ") DO UPDATE SET prev_num = version_num, prev_origin = version_origin,"
                + " version_num = max(excluded.version_num, version_num + 1" + aboveFields + "), version_origin = excluded.version_origin,"
                + " deleted = excluded.deleted";
        if (!delete && table.hasFieldVersions()) {
            sql += ", field_versions = " + fieldVersions(table, op, true);
        }
        if (keeps) {
            sql += ", kept_data = excluded.kept_data, tombstone_num = NULL, tombstone_origin = NULL";
        }
        return sql;
    }

    /** A date and time to the second as SQLite's date functions and TypeMapping write it. */
    private static final String SECONDS_GLOB = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]:[0-9][0-9]'";

    /**
     * The number a write proposes for its row version, before the upsert raises it to at least the previous + 1: the
     * instant of the row's timestamp column in UTC epoch microseconds when the table has one and it holds a time, else
     * the clock + correction + bias; a DELETE ({@code row} null) always takes the clock. SQLite's date functions keep
     * milliseconds only, so text of the form "yyyy-MM-dd HH:mm:ss[.f...]" (what TypeMapping writes) is converted as
     * whole seconds plus its own fraction digits, exactly; other text (time zone suffixes, dates) and Julian-day
     * REALs go through unixepoch to the millisecond; INTEGERs are epoch milliseconds, as TypeMapping reads them.
     * Text that is no time gives NULL, hence the clock.
     */
    private static String proposedNumber(SyncedTable table, String row, String oldRow) {
        String proposed = numberFrom(table, row, CORRECTED_CLOCK + " + " + table.bias());
        if (oldRow == null || table.timestampColumn() == null) {
            return proposed;
        }
        // a row from before the triggers has no version row until the initial load stamps it (its timestamp): a write
        // to it in between must rank above that stamp, which every other system gives its untouched copy
        return "max(" + proposed + ", " + initialStamp(table, oldRow) + " + 1)";
    }

    /** The number the initial load stamps on {@code row} (its timestamp, else the stamp floor), plus the bias. */
    static String initialStamp(SyncedTable table, String row) {
        return numberFrom(table, row, BisyncTables.STAMP_FLOOR + " + " + table.bias());
    }

    /** The instant of the row's timestamp column in UTC epoch microseconds where set, else {@code clock}. */
    static String numberFrom(SyncedTable table, String row, String clock) {
        if (row == null || table.timestampColumn() == null) {
            return clock;
        }
        String x = row + "." + q(table.timestampColumn().name());
        String exactText = "(" + x + " GLOB " + SECONDS_GLOB + " OR (" + x + " GLOB " + SECONDS_GLOB + " || '.[0-9]*' AND substr("
                + x + ", 21) NOT GLOB '*[^0-9]*'))";
        return "coalesce(CASE WHEN typeof(" + x + ") = 'integer' THEN " + x + " * 1000"
                + " WHEN typeof(" + x + ") = 'text' AND " + exactText + " THEN unixepoch(substr(" + x + ", 1, 19)) * 1000000"
                + " + CAST(substr(substr(" + x + ", 21) || '000000', 1, 6) AS INTEGER)"
                + " ELSE CAST(round(unixepoch(" + x + ", 'subsec') * 1000) AS INTEGER) * 1000 END, " + clock + ")";
    }

    /**
     * The new field_versions: every field column changed by this write gets [max(clock + correction + its bias,
     * previous + 1), this system]; the others keep their entry. json_patch drops the nulls of unchanged, unversioned
     * fields.
     */
    private static String fieldVersions(SyncedTable table, Op op, boolean hasPrevious) {
        List<SyncedColumn> fields = table.columns().stream().filter(c -> table.fieldBiases().containsKey(c.local())).toList();
        Map<String, Long> biases = table.fieldBiases();
        String system = literal(table.systemId());
        Function<SyncedColumn, String> entry = c -> {
            String stamp = "(" + CORRECTED_CLOCK + " + " + biases.get(c.local()) + ")";
            // an insert over a tombstone gives every field a version above it, or the row would stay deleted elsewhere
            String aboveTombstone = op == Op.INSERT && table.keepsDeletedValues()
                    ? ", CASE WHEN deleted THEN coalesce(tombstone_num, version_num) + 1 ELSE " + stamp + " END" : "";
            String number = hasPrevious
                    ? "max(" + stamp + ", coalesce((field_versions ->> " + jsonMemberPath(c.local(), "[0]") + ") + 1, " + stamp + ")"
                    + aboveTombstone + ")"
                    : stamp;
            String fresh = "json_array(" + number + ", " + system + ")";
            if (op == Op.INSERT) {
                return fresh;
            }
            String kept = hasPrevious ? "field_versions -> " + jsonMemberPath(c.local(), "") : "NULL";
            return "json(CASE WHEN OLD." + q(c.local()) + " IS NOT NEW." + q(c.local()) + " THEN " + fresh + " ELSE " + kept + " END)";
        };
        return "json_patch(" + (hasPrevious ? "coalesce(field_versions, '{}')" : "'{}'") + ", " + jsonObject(fields, entry) + ")";
    }

    private static String historyInsert(SyncedTable table, Op op, String row) {
        Function<SyncedColumn, String> oldImage = c -> SqliteTypeMapping.INSTANCE.imageExpression("OLD", c.column());
        Function<SyncedColumn, String> newImage = c -> SqliteTypeMapping.INSTANCE.imageExpression("NEW", c.column());
        String keyImage = jsonObject(table.keyColumns(), row.equals("OLD") ? oldImage : newImage);
        String before = op == Op.INSERT ? "NULL" : jsonObject(table.columns(), oldImage);
        String after = op == Op.DELETE ? "NULL" : jsonObject(table.columns(), newImage);
        return "INSERT INTO " + BisyncTables.HISTORY + " (table_name, operation, key_data, before_data, after_data, version_num,"
                + " version_origin, prev_num, prev_origin, field_versions, origin, captured_at)\n  SELECT "
                + literal(table.localName()) + ", '" + op + "', " + keyImage + ", " + before + ", " + after
                + ", v.version_num, v.version_origin, v.prev_num, v.prev_origin, v.field_versions, " + literal(table.systemId())
                + ", " + CORRECTED_CLOCK + " FROM " + q(SqliteSql.versionTable(table)) + " AS v WHERE " + keyMatch(table, "v", row);
    }

    /** json_object of the columns keyed by local name, in chunks that respect SQLite's function argument limit. */
    static String jsonObject(List<SyncedColumn> columns, Function<SyncedColumn, String> value) {
        if (columns.isEmpty()) {
            return "json_object()";
        }
        StringBuilder sql = new StringBuilder("json_object(");
        List<SyncedColumn> first = columns.subList(0, Math.min(MEMBERS_PER_CALL, columns.size()));
        sql.append(joined(first, c -> literal(c.local()) + ", " + value.apply(c), ", ")).append(')');
        for (int from = MEMBERS_PER_CALL; from < columns.size(); from += MEMBERS_PER_CALL) {
            List<SyncedColumn> chunk = columns.subList(from, Math.min(from + MEMBERS_PER_CALL, columns.size()));
            sql.insert(0, "json_insert(").append(", ")
                    .append(joined(chunk, c -> jsonMemberPath(c.local(), "") + ", " + value.apply(c), ", ")).append(')');
        }
        return sql.toString();
    }
}
