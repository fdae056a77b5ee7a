/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.bisync.nifi.dialect.postgres.PostgresIdentifiers.literal;
import static org.bisync.nifi.dialect.postgres.PostgresSql.CLOCK;
import static org.bisync.nifi.dialect.postgres.PostgresSql.CORRECTION;
import static org.bisync.nifi.dialect.postgres.PostgresSql.q;

/**
 * The version table, the trigger functions and the triggers of one synced table: AFTER INSERT, UPDATE and DELETE
 * statement triggers with transition tables, which capture all rows of a statement with one set-based statement (about
 * 2.5 times cheaper per row in bulk than a row trigger; the UPDATE trigger pairs OLD and NEW rows by key, so a key
 * change becomes DELETE + INSERT), and a BEFORE TRUNCATE trigger that refuses what no row trigger would see. Tables
 * with field versions keep an AFTER UPDATE row trigger, which compares each field's OLD and NEW value in the upsert.
 * Each trigger has a function of its own, and each capture is one statement: a data-modifying CTE whose version upsert
 * (atomic, locking, returning the previous version) feeds the history insert, with the clock and its correction read
 * inside it.
 *
 * <p>What a single-row write in autocommit pays for, measured (PostgresTriggerBenchmark): every plpgsql expression
 * (IF, assignment) is set up anew in each transaction, and a trigger's {@code WHEN} clause is set up anew for each
 * statement; both cost more than the SQL they guard, whose plans are cached for the session. So the triggers have no
 * {@code WHEN} clause, the functions no variables, no TG_OP dispatch and one IF: the origin marker (the applier's writes
 * return there), with the key change in the UPDATE function's ELSIF; whether a synced column changed is the WHERE of the
 * capture statement. A session cache of the correction (custom settings) cost more than reading bisync_config in the
 * statement.
 */
final class PostgresTriggerSql {

    /** json_build_object takes at most 100 arguments; wider images are built from jsonb pieces. */
    private static final int PAIRS_PER_CALL = 50;
    /** Transition tables of the statement-level triggers. */
    private static final String NEW_ROWS = "bisync_new_rows";
    private static final String OLD_ROWS = "bisync_old_rows";
    /** The capture statement's clock + correction, UTC epoch microseconds, read once per statement. */
    private static final String CLK = "k.clk";
    private static final String CLOCK_CTE = "k AS MATERIALIZED (SELECT " + CLOCK + " + " + CORRECTION + " AS clk)";
    /** True in the applier's transactions; NULL (no setting in the session) and '' (after the applier's COMMIT) are unset. */
    private static final String MARKED = "current_setting('" + PostgresSql.ORIGIN_SETTING + "', true) <> ''";
    /** The trigger suffixes, each with the prefix of its function's name. */
    private static final String[][] TRIGGERS = {{"_ins", "bisync_fi_"}, {"_upd", "bisync_fu_"}, {"_del", "bisync_fd_"}, {"_trunc", "bisync_ft_"}};

    private final PostgresTypeMapping types;

    PostgresTriggerSql(PostgresTypeMapping types) {
        this.types = types;
    }

    /** The triggers {@link #install} creates on the table, unquoted. */
    static List<String> triggerNames(String localTableName) {
        return Stream.of(TRIGGERS)
                .map(t -> PostgresSql.IDS.derivedName(BisyncTables.TRIGGER_PREFIX, localTableName + t[0])).toList();
    }

    private static String function(String localTableName, String suffix) {
        String prefix = Stream.of(TRIGGERS).filter(t -> t[0].equals(suffix)).findFirst().orElseThrow()[1];
        return q(PostgresSql.IDS.derivedName(prefix, localTableName));
    }

    /**
     * The version table, the four functions and their triggers; {@code CREATE OR REPLACE TRIGGER} swaps each trigger of
     * an earlier installation in place (in the table's install transaction), and the one function that served all four
     * triggers before 0.2 goes after them.
     */
    List<String> install(SyncedTable table) {
        String local = table.localName();
        String userTable = q(local);
        List<String> ddl = new ArrayList<>(versionTable(table));
        ddl.add(overTransitionTables(function(local, "_ins", statementChange(table, "INSERT"))));
        ddl.add(capturesUpdatesPerStatement(table) ? overTransitionTables(function(local, "_upd", statementUpdate(table)))
                : function(local, "_upd", rowUpdate(table)));
        ddl.add(overTransitionTables(function(local, "_del", statementChange(table, "DELETE"))));
        ddl.add(function(local, "_trunc", """
                  RAISE EXCEPTION 'nifi-bisync: TRUNCATE of synced table % is not captured; DELETE the rows instead or uninstall first', TG_TABLE_NAME
                    USING ERRCODE = 'feature_not_supported';
                """));
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_ins") + " AFTER INSERT ON " + userTable
                + " REFERENCING NEW TABLE AS " + NEW_ROWS + " FOR EACH STATEMENT" + execute(local, "_ins"));
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_upd") + " AFTER UPDATE ON " + userTable
                + (capturesUpdatesPerStatement(table) ? " REFERENCING OLD TABLE AS " + OLD_ROWS + " NEW TABLE AS " + NEW_ROWS
                + " FOR EACH STATEMENT" : " FOR EACH ROW") + execute(local, "_upd"));
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_del") + " AFTER DELETE ON " + userTable
                + " REFERENCING OLD TABLE AS " + OLD_ROWS + " FOR EACH STATEMENT" + execute(local, "_del"));
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_trunc") + " BEFORE TRUNCATE ON " + userTable
                + " FOR EACH STATEMENT" + execute(local, "_trunc"));
        // no CASCADE: by now no trigger uses it, and if one still did this must fail rather than drop it
        ddl.add("DROP FUNCTION IF EXISTS " + legacyFunction(local) + "()");
        return ddl;
    }

    /**
     * The UPDATE function and trigger as a row trigger, as field-level tables have them: for the benchmark, which shows
     * what a row-version table would pay with it.
     */
    List<String> rowUpdateTrigger(SyncedTable table) {
        String local = table.localName();
        return List.of(function(local, "_upd", rowUpdate(table)), "CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_upd")
                + " AFTER UPDATE ON " + q(local) + " FOR EACH ROW" + execute(local, "_upd"));
    }

    private static String execute(String localTableName, String suffix) {
        return " EXECUTE FUNCTION " + function(localTableName, suffix) + "()";
    }

    /** The version table, and the capture functions dropped with their triggers. */
    List<String> installTargetOnly(SyncedTable table) {
        List<String> ddl = new ArrayList<>(versionTable(table));
        ddl.addAll(dropFunctions(table.localName()));
        return ddl;
    }

    /** Dropping the functions drops the four triggers with them (and works when the user's table is already gone). */
    List<String> uninstall(String localTableName) {
        List<String> ddl = new ArrayList<>(dropFunctions(localTableName));
        ddl.add("DROP TABLE IF EXISTS " + PostgresSql.versionTable(localTableName));
        return ddl;
    }

    /** Ours and, from an installation made before 0.2, the one function all four triggers shared. */
    private static List<String> dropFunctions(String localTableName) {
        List<String> ddl = new ArrayList<>();
        for (String[] trigger : TRIGGERS) {
            ddl.add("DROP FUNCTION IF EXISTS " + function(localTableName, trigger[0]) + "() CASCADE");
        }
        ddl.add("DROP FUNCTION IF EXISTS " + legacyFunction(localTableName) + "() CASCADE");
        return ddl;
    }

    private static String legacyFunction(String localTableName) {
        return q(PostgresSql.IDS.derivedName("bisync_f_", localTableName));
    }

    /**
     * Created from the user's table with CREATE TABLE AS, so the key columns have exactly its types (typmods,
     * collations, enums and domains of any schema); a unique index on the key is the upsert's arbiter.
     */
    private List<String> versionTable(SyncedTable table) {
        String versions = PostgresSql.versionTable(table);
        String keys = PostgresSql.keyList(table, c -> c);
        String notNull = table.keyColumns().stream().map(c -> "ALTER COLUMN " + q(c.local()) + " SET NOT NULL, ")
                .collect(Collectors.joining());
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + versions + " AS SELECT " + keys + ", 0::bigint AS version_num, "
                        + "''::varchar(64) AS version_origin, NULL::bigint AS prev_num, NULL::varchar(64) AS prev_origin, "
                        + "false AS deleted, NULL::text AS field_versions, NULL::bigint AS tombstone_num, "
                        + "NULL::varchar(64) AS tombstone_origin, NULL::text AS kept_data FROM " + q(table.localName()) + " WITH NO DATA",
                "ALTER TABLE " + versions + " " + notNull + "ALTER COLUMN version_num SET NOT NULL, "
                        + "ALTER COLUMN version_origin SET NOT NULL, ALTER COLUMN deleted SET NOT NULL",
                "CREATE UNIQUE INDEX IF NOT EXISTS " + PostgresSql.versionKeyIndex(table.localName()) + " ON " + versions
                        + " (" + keys + ")");
    }

    /**
     * A statement trigger's function plans its capture statement once per session (a generic plan, for any number of
     * rows), with the size the transition tables have at that first call: planned on a single-row statement, its joins
     * became nested loops, and every later bulk statement of the session paid for it quadratically (75-110 us a row
     * instead of 13-20 at 1,000 rows). Without nested loops the plan suits both sizes.
     */
    private static String overTransitionTables(String createFunction) {
        return createFunction.replaceFirst(" LANGUAGE plpgsql AS ", " LANGUAGE plpgsql SET enable_nestloop = off AS ");
    }

    /** A trigger function: the applier's writes return at once, others run {@code body}. */
    private static String function(String localTableName, String suffix, String body) {
        String text = "BEGIN\n  IF " + MARKED + " THEN\n    RETURN NULL;\n  END IF;\n" + body + "  RETURN NULL;\nEND\n";
        String tag = "$bisync$";
        for (int i = 0; text.contains(tag); i++) {
            tag = "$bisync" + i + "$";
        }
        return "CREATE OR REPLACE FUNCTION " + function(localTableName, suffix) + "() RETURNS trigger LANGUAGE plpgsql"
                + " AS " + tag + "\n" + text + tag;
    }

    /**
     * Whether the UPDATE trigger is a statement trigger: for tables whose version row holds one row version (no field
     * versions, no kept values), whose upsert is the same for every operation. Field-level tables keep the row trigger,
     * whose upsert compares each field's OLD and NEW value.
     */
    static boolean capturesUpdatesPerStatement(SyncedTable table) {
        return !table.hasFieldVersions() && !table.keepsDeletedValues();
    }

    /**
     * All rows of an UPDATE statement in one statement: the transition tables' rows paired by key (a FULL JOIN), where a
     * key only in the OLD rows is a DELETE, a key only in the NEW rows an INSERT, and a key in both an UPDATE when a
     * synced value changed. So a key change is a DELETE of the old key and an INSERT of the new one, and the history
     * rows are written in that order. Comparing the statement's before and after states by key gives the same end
     * state as pairing the rows themselves, also when keys are swapped or shifted within one statement.
     */
    private String statementUpdate(SyncedTable table) {
        String origin = literal(table.systemId());
        List<SyncedColumn> keyColumns = table.keyColumns();
        String keys = PostgresSql.keyList(table, c -> c);
        String firstKey = q(keyColumns.getFirst().local());
        String pairs = keyColumns.stream().map(c -> "o." + q(c.local()) + " = n." + q(c.local())).collect(Collectors.joining(" AND "));
        String pairedKeys = PostgresSql.keyList(table, c -> "coalesce(n." + c + ", o." + c + ") AS " + c);
        String join = keyColumns.stream().map(c -> "u." + q(c.local()) + " = c." + q(c.local())).collect(Collectors.joining(" AND "));
        String changed = table.valueColumns().isEmpty() ? "false"
                : table.valueColumns().stream().map(c -> distinct(c, "o", "n")).collect(Collectors.joining(" OR "));
        return """
                  WITH %s,
                  c AS MATERIALIZED (
                    SELECT %s,
                      CASE WHEN n.%s IS NULL THEN 'DELETE' WHEN o.%s IS NULL THEN 'INSERT' ELSE 'UPDATE' END AS bisync_op,
                      CASE WHEN n.%s IS NULL THEN %s ELSE %s END AS bisync_key,
                      CASE WHEN o.%s IS NOT NULL THEN %s END AS bisync_before,
                      CASE WHEN n.%s IS NOT NULL THEN %s END AS bisync_after,
                      %s AS bisync_num
                    FROM %s o FULL JOIN %s n ON %s CROSS JOIN k
                    WHERE o.%s IS NULL OR n.%s IS NULL OR %s),
                  u AS (
                    INSERT INTO %s AS v (%s, version_num, version_origin, deleted, field_versions)
                    SELECT %s, bisync_num, %s, bisync_op = 'DELETE', NULL FROM c
                    ON CONFLICT (%s) DO UPDATE SET %s
                    RETURNING %s, v.version_num, v.prev_num, v.prev_origin, v.field_versions)
                  INSERT INTO %s (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
                    prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
                  SELECT %s, c.bisync_op, c.bisync_key, c.bisync_before, c.bisync_after, u.version_num, %s, u.prev_num, u.prev_origin,
                    u.field_versions, %s, pg_current_xact_id()::text, %s
                  FROM c JOIN u ON %s, k
                  ORDER BY c.bisync_op = 'INSERT';
                """.formatted(CLOCK_CTE, pairedKeys, firstKey, firstKey,
                firstKey, image(keyColumns, "o"), image(keyColumns, "n"),
                firstKey, image(table.columns(), "o"), firstKey, image(table.columns(), "n"),
                pairedNumber(table, firstKey), OLD_ROWS, NEW_ROWS, pairs, firstKey, firstKey, changed,
                PostgresSql.versionTable(table), keys, keys, origin, keys, upsertSet(table, "UPDATE"),
                PostgresSql.keyList(table, c -> "v." + c),
                BisyncTables.HISTORY, literal(table.localName()), origin, origin, CLK, join);
    }

    /**
     * The proposed number of a paired row: as a DELETE's where only the OLD row is there (n's columns are null, so the
     * clock), as an INSERT's where only the NEW row is, and above the OLD row's initial stamp where the OLD row is there.
     */
    private static String pairedNumber(SyncedTable table, String firstKey) {
        String proposed = numberFrom(table, "n", CLK + " + " + table.bias());
        String floor = aboveStamp(table, "o");
        return floor == null ? proposed : "GREATEST(" + proposed + ", CASE WHEN o." + firstKey + " IS NOT NULL THEN " + floor + " END)";
    }

    /** A key change is a DELETE of the OLD key and an INSERT of the NEW one; otherwise an UPDATE where a synced value changed. */
    private String rowUpdate(SyncedTable table) {
        String keyChanged = table.keyColumns().stream()
                .map(c -> distinct(c, "OLD", "NEW")).collect(Collectors.joining(" OR "));
        String update = table.valueColumns().isEmpty() ? "    NULL;\n"
                : change(table, "UPDATE", table.valueColumns().stream().map(c -> distinct(c, "OLD", "NEW")).collect(Collectors.joining(" OR ")));
        return "  IF " + keyChanged + " THEN\n" + change(table, "DELETE", null) + change(table, "INSERT", null) + "  ELSE\n"
                + update + "  END IF;\n";
    }

    /**
     * The version upserts and history inserts of all rows of an INSERT or DELETE statement, in one statement: the
     * upsert's RETURNING gives each key's new and previous version, joined back to the transition table by key.
     */
    private String statementChange(SyncedTable table, String operation) {
        boolean delete = operation.equals("DELETE");
        String rows = delete ? OLD_ROWS : NEW_ROWS;
        String origin = literal(table.systemId());
        String keys = PostgresSql.keyList(table, c -> c);
        String join = table.keyColumns().stream().map(c -> "u." + q(c.local()) + " = r." + q(c.local()))
                .collect(Collectors.joining(" AND "));
        String image = image(table.columns(), "r");
        return """
                  WITH %s,
                  u AS (
                    INSERT INTO %s AS v (%s, version_num, version_origin, deleted, field_versions%s)
                    SELECT %s, %s, %s, %s, %s%s FROM %s r, k
                    ON CONFLICT (%s) DO UPDATE SET %s
                    RETURNING %s, v.version_num, v.prev_num, v.prev_origin, v.field_versions)
                  INSERT INTO %s (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
                    prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
                  SELECT %s, '%s', %s, %s, %s, u.version_num, %s, u.prev_num, u.prev_origin, u.field_versions, %s,
                    pg_current_xact_id()::text, %s
                  FROM %s r JOIN u ON %s, k;
                """.formatted(CLOCK_CTE, PostgresSql.versionTable(table), keys, keptColumn(table),
                PostgresSql.keyList(table, c -> "r." + c), proposedNumber(table, delete ? null : "r", delete ? "r" : null), origin, delete,
                delete || !table.hasFieldVersions() ? "NULL" : fieldVersions(table, operation, null), keptValue(table, delete, "r"), rows,
                keys, upsertSet(table, operation), PostgresSql.keyList(table, c -> "v." + c),
                BisyncTables.HISTORY,
                literal(table.localName()), operation, image(table.keyColumns(), "r"), delete ? image : "NULL",
                delete ? "NULL" : image, origin, origin, CLK, rows, join);
    }

    /**
     * The version upsert and the history insert of one row's change, in one statement; UPDATE reads OLD and NEW, INSERT
     * NEW, DELETE OLD. With {@code changed}, only when it holds (the upsert then writes no row, nor the history insert).
     */
    private String change(SyncedTable table, String operation, String changed) {
        String row = operation.equals("DELETE") ? "OLD" : "NEW";
        String origin = literal(table.systemId());
        String keys = PostgresSql.keyList(table, c -> c);
        boolean delete = operation.equals("DELETE");
        String newFieldVersions = table.hasFieldVersions() && !delete ? fieldVersions(table, operation, null) : "NULL";
        String before = operation.equals("INSERT") ? "NULL" : image(table.columns(), "OLD");
        String after = delete ? "NULL" : image(table.columns(), "NEW");
        return """
                    WITH %s,
                    u AS (
                      INSERT INTO %s AS v (%s, version_num, version_origin, deleted, field_versions%s)
                      SELECT %s, %s, %s, %s, %s%s FROM k%s
                      ON CONFLICT (%s) DO UPDATE SET %s
                      RETURNING v.version_num, v.prev_num, v.prev_origin, v.field_versions)
                    INSERT INTO %s (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
                      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
                    SELECT %s, '%s', %s, %s, %s, u.version_num, %s, u.prev_num, u.prev_origin, u.field_versions, %s,
                      pg_current_xact_id()::text, %s
                    FROM u, k;
                """.formatted(CLOCK_CTE, PostgresSql.versionTable(table), keys, keptColumn(table),
                PostgresSql.keyList(table, c -> row + "." + c), proposedNumber(table, delete ? null : row, operation.equals("INSERT") ? null : "OLD"),
                origin, delete,
                newFieldVersions, keptValue(table, delete, row), changed == null ? "" : " WHERE " + changed,
                keys, upsertSet(table, operation),
                BisyncTables.HISTORY,
                literal(table.localName()), operation, image(table.keyColumns(), row), before, after, origin, origin, CLK);
    }

    /**
     * The number a write proposes for its row version, before the upsert raises it to at least the previous + 1: the
     * instant of the row's timestamp column in UTC epoch microseconds when the table has one and it is set (extract of
     * epoch is exact, and reads a timestamp without time zone as UTC), else the clock + correction + bias. A DELETE
     * ({@code row} null) always takes the clock; infinite timestamps fall back to it too. An UPDATE or DELETE
     * ({@code oldRow} set) of a table with a timestamp column also ranks above the stamp the initial load gives the old
     * row (see {@link #aboveStamp}).
     */
    private static String proposedNumber(SyncedTable table, String row, String oldRow) {
        String proposed = numberFrom(table, row, CLK + " + " + table.bias());
        String floor = aboveStamp(table, oldRow);
        return floor == null ? proposed : "GREATEST(" + proposed + ", " + floor + ")";
    }

    /**
     * One above the number the initial load stamps on {@code oldRow} (its timestamp, else the stamp floor), or null
     * without a timestamp column. A row that existed before the triggers has no version row until the initial load
     * stamps it: a write to it in between must still rank above that stamp, which every other system gives its
     * untouched copy, or that copy wins and the write is lost.
     */
    private static String aboveStamp(SyncedTable table, String oldRow) {
        if (oldRow == null || table.timestampColumn() == null) {
            return null;
        }
        return initialStamp(table, oldRow) + " + 1";
    }

    /** The number the initial load stamps on {@code row} (its timestamp, else the stamp floor), plus the bias. */
    static String initialStamp(SyncedTable table, String row) {
        return numberFrom(table, row, BisyncTables.STAMP_FLOOR + " + " + table.bias());
    }

    /** The instant of {@code row}'s timestamp column in UTC epoch microseconds where set, else {@code otherwise}. */
    static String numberFrom(SyncedTable table, String row, String otherwise) {
        if (row == null || table.timestampColumn() == null) {
            return otherwise;
        }
        String value = row + "." + q(table.timestampColumn().name());
        return "coalesce(CASE WHEN isfinite(" + value + ") THEN (extract(epoch from " + value + ") * 1000000)::bigint END, "
                + otherwise + ")";
    }

    /** What the version upsert sets on an existing version row {@code v}. */
    private String upsertSet(SyncedTable table, String operation) {
        boolean delete = operation.equals("DELETE");
        StringBuilder set = new StringBuilder("prev_num = v.version_num, prev_origin = v.version_origin, "
                + "version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1");
        if (delete && table.hasFieldVersions()) {
            // a tombstone ranks above every field version it saw
            set.append(", (SELECT max((e.value ->> 0)::bigint) + 1 FROM jsonb_each(v.field_versions::jsonb) e)");
        }
        set.append("), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted");
        if (table.hasFieldVersions() && !delete) {
            set.append(", field_versions = ").append(fieldVersions(table, operation, "v.field_versions::jsonb"));
        }
        if (table.keepsDeletedValues()) {
            set.append(", kept_data = EXCLUDED.kept_data, tombstone_num = NULL, tombstone_origin = NULL");
        }
        return set.toString();
    }

    /** The kept_data column of the version upsert, where tombstones keep the row's values. */
    private static String keptColumn(SyncedTable table) {
        return table.keepsDeletedValues() ? ", kept_data" : "";
    }

    /** A delete keeps the image of its OLD row; a write that leaves a live row keeps nothing. */
    private String keptValue(SyncedTable table, boolean delete, String row) {
        if (!table.keepsDeletedValues()) {
            return "";
        }
        return ", " + (delete ? image(table.columns(), row) : "NULL");
    }

    /**
     * The field_versions text after the change: the previous map (null for a new version row) with an entry
     * [max(clock + correction + field bias, previous + 1), origin] for every field the change writes (all on INSERT,
     * the changed ones on UPDATE).
     */
    private String fieldVersions(SyncedTable table, String operation, String previous) {
        String origin = literal(table.systemId());
        StringBuilder json = new StringBuilder("(").append(previous == null ? "'{}'::jsonb" : "coalesce(" + previous + ", '{}'::jsonb)");
        for (Map.Entry<String, Long> field : table.fieldBiases().entrySet()) {
            String name = literal(field.getKey());
            // ON CONFLICT DO UPDATE sees only the version row and EXCLUDED: the statement's clock comes by a subquery
            String proposed = (previous == null ? CLK : "(SELECT k.clk FROM k)") + " + " + field.getValue();
            // an insert over a tombstone gives every field a version above it, or the row would stay deleted elsewhere
            String aboveTombstone = previous != null && operation.equals("INSERT") && table.keepsDeletedValues()
                    ? ", CASE WHEN v.deleted THEN coalesce(v.tombstone_num, v.version_num) + 1 END" : "";
            String number = previous == null ? proposed
                    : "GREATEST(" + proposed + ", coalesce((" + previous + " -> " + name + " ->> 0)::bigint + 1, " + proposed + ")"
                    + aboveTombstone + ")";
            String entry = "jsonb_build_object(" + name + ", jsonb_build_array(" + number + ", " + origin + "))";
            if (operation.equals("UPDATE")) {
                SyncedColumn column = table.byLocal(field.getKey()).orElseThrow();
                entry = "CASE WHEN " + distinct(column, "OLD", "NEW") + " THEN " + entry + " ELSE '{}'::jsonb END";
            }
            json.append(" || ").append(entry);
        }
        return json.append(")::text").toString();
    }

    /** A JSON object (as text) of the columns' images from {@code row}. */
    private String image(List<SyncedColumn> columns, String row) {
        List<String> calls = new ArrayList<>();
        for (int from = 0; from < columns.size(); from += PAIRS_PER_CALL) {
            List<SyncedColumn> chunk = columns.subList(from, Math.min(columns.size(), from + PAIRS_PER_CALL));
            calls.add(chunk.stream().map(c -> literal(c.local()) + ", " + types.imageExpression(row, c.column()))
                    .collect(Collectors.joining(", ", columns.size() > PAIRS_PER_CALL ? "jsonb_build_object(" : "json_build_object(", ")")));
        }
        return "(" + String.join(" || ", calls) + ")::text";
    }

    /** Null-safe change test; json and unknown types have no equality operator, so they compare as text. */
    private static String distinct(SyncedColumn column, String left, String right) {
        String name = q(column.local());
        return PostgresType.of(column.column()).comparable()
                ? left + "." + name + " IS DISTINCT FROM " + right + "." + name
                : left + "." + name + "::text IS DISTINCT FROM " + right + "." + name + "::text";
    }
}
