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
import static org.bisync.nifi.dialect.postgres.PostgresSql.NOT_MARKED;
import static org.bisync.nifi.dialect.postgres.PostgresSql.q;

/**
 * The version table, the trigger function and the triggers of one synced table. One plpgsql function per table
 * serves four triggers: AFTER INSERT and AFTER DELETE statement triggers with transition tables, which capture all
 * rows of a statement with one set-based statement (about 2.5 times cheaper per row in bulk than a row trigger), an
 * AFTER UPDATE row trigger (it needs each row's OLD and NEW together, and a key change becomes DELETE + INSERT), and a
 * BEFORE TRUNCATE trigger that refuses what no row trigger would see. Each trigger's {@code WHEN} clause tests the
 * origin marker, so applier writes never enter the function; the UPDATE trigger's also tests that a synced column
 * changed. Each capture is one version upsert (atomic, locking, returning the previous version) and one history insert.
 */
final class PostgresTriggerSql {

    /** json_build_object takes at most 100 arguments; wider images are built from jsonb pieces. */
    private static final int PAIRS_PER_CALL = 50;
    /** Transition tables of the statement-level INSERT and DELETE triggers. */
    private static final String NEW_ROWS = "bisync_new_rows";
    private static final String OLD_ROWS = "bisync_old_rows";
    /**
     * The function's variables, always qualified by its block label: with {@code #variable_conflict use_column} an
     * unqualified name that is also a column of a table in the statement (a user's column {@code pn} in ON CONFLICT or
     * in the transition table) means the column, never our variable, so no column name can make the user's write fail
     * with "column reference is ambiguous" or give our statements the column's value.
     */
    private static final String BLOCK = "bisync_capture";
    private static final String CLK = BLOCK + ".clk";
    private static final String CA = BLOCK + ".ca";
    /**
     * The session's cache of the clock correction (custom settings, session-scoped; RESET ALL or DISCARD ALL just empty
     * it): read from bisync_config at most once a second per session, not by a query on every call, which cost a
     * third of a single-row write's trigger time; the correction only changes smoothly (slew-capped).
     */
    private static final String CACHED_CORRECTION = "bisync.correction";
    private static final String CORRECTION_AT = "bisync.correction_at";
    private static final String VN = BLOCK + ".vn";
    private static final String PN = BLOCK + ".pn";
    private static final String PO = BLOCK + ".po";
    private static final String FV = BLOCK + ".fv";

    private final PostgresTypeMapping types;

    PostgresTriggerSql(PostgresTypeMapping types) {
        this.types = types;
    }

    /** The triggers {@link #install} creates on the table, unquoted. */
    static List<String> triggerNames(String localTableName) {
        return Stream.of("_ins", "_upd", "_del", "_trunc")
                .map(suffix -> PostgresSql.IDS.derivedName(BisyncTables.TRIGGER_PREFIX, localTableName + suffix)).toList();
    }

    List<String> install(SyncedTable table) {
        String local = table.localName();
        String userTable = q(local);
        String function = PostgresSql.function(local);
        List<String> ddl = new ArrayList<>(versionTable(table));
        ddl.add(function(table));
        String execute = " EXECUTE FUNCTION " + function + "()";
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_ins") + " AFTER INSERT ON " + userTable
                + " REFERENCING NEW TABLE AS " + NEW_ROWS + " FOR EACH STATEMENT WHEN (" + NOT_MARKED + ")" + execute);
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_upd") + " AFTER UPDATE ON " + userTable
                + " FOR EACH ROW WHEN (" + NOT_MARKED + " AND (" + anyChanged(table.columns()) + "))" + execute);
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_del") + " AFTER DELETE ON " + userTable
                + " REFERENCING OLD TABLE AS " + OLD_ROWS + " FOR EACH STATEMENT WHEN (" + NOT_MARKED + ")" + execute);
        ddl.add("CREATE OR REPLACE TRIGGER " + PostgresSql.trigger(local, "_trunc") + " BEFORE TRUNCATE ON " + userTable
                + " FOR EACH STATEMENT WHEN (" + NOT_MARKED + ")" + execute);
        return ddl;
    }

    /** The version table, and the capture function dropped with its triggers. */
    List<String> installTargetOnly(SyncedTable table) {
        List<String> ddl = new ArrayList<>(versionTable(table));
        ddl.add("DROP FUNCTION IF EXISTS " + PostgresSql.function(table.localName()) + "() CASCADE");
        return ddl;
    }

    /** Dropping the function drops the four triggers with it (and works when the user's table is already gone). */
    List<String> uninstall(String localTableName) {
        return List.of("DROP FUNCTION IF EXISTS " + PostgresSql.function(localTableName) + "() CASCADE",
                "DROP TABLE IF EXISTS " + PostgresSql.versionTable(localTableName));
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

    private String function(SyncedTable table) {
        String keyChanged = table.keyColumns().stream()
                .map(c -> distinct(c, "OLD", "NEW")).collect(Collectors.joining(" OR "));
        // the clock and the dispatch take as few plpgsql expressions as can be: in a single-row autocommit write each one
        // is set up anew in every transaction, and that cost as much as the two writes together
        String body = """
                #variable_conflict use_column
                <<%s>>
                DECLARE
                  clk bigint;
                  ca bigint;
                  vn bigint;
                  pn bigint;
                  po varchar(64);
                  fv text;
                BEGIN
                  %s := CASE WHEN %s - nullif(current_setting('%s', true), '')::bigint BETWEEN 0 AND 1000000
                    THEN %s + nullif(current_setting('%s', true), '')::bigint END;
                  IF %s IS NULL THEN
                    %s := %s;
                    %s := %s;
                    PERFORM set_config('%s', %s::text, false), set_config('%s', %s::text, false);
                    %s := %s + %s;
                  END IF;
                  IF TG_OP = 'UPDATE' THEN
                    IF %s THEN
                %s%s    ELSE
                %s    END IF;
                  ELSIF TG_OP = 'INSERT' THEN
                %s  ELSIF TG_OP = 'DELETE' THEN
                %s  ELSE
                    RAISE EXCEPTION 'nifi-bisync: TRUNCATE of synced table %% is not captured; DELETE the rows instead or uninstall first', TG_TABLE_NAME
                      USING ERRCODE = 'feature_not_supported';
                  END IF;
                  RETURN NULL;
                END
                """.formatted(BLOCK,
                CLK, CLOCK, CORRECTION_AT, CLOCK, CACHED_CORRECTION,
                CLK, CLK, CLOCK, CA, CORRECTION, CACHED_CORRECTION, CA, CORRECTION_AT, CLK, CLK, CLK, CA,
                keyChanged, change(table, "DELETE"), change(table, "INSERT"), change(table, "UPDATE"),
                statementChange(table, "INSERT"), statementChange(table, "DELETE"));
        String tag = "$bisync$";
        for (int i = 0; body.contains(tag); i++) {
            tag = "$bisync" + i + "$";
        }
        return "CREATE OR REPLACE FUNCTION " + PostgresSql.function(table.localName()) + "() RETURNS trigger LANGUAGE plpgsql"
                + " AS " + tag + "\n" + body + tag;
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
                    WITH u AS (
                      INSERT INTO %s AS v (%s, version_num, version_origin, deleted, field_versions%s)
                      SELECT %s, %s, %s, %s, %s%s FROM %s r
                      ON CONFLICT (%s) DO UPDATE SET %s
                      RETURNING %s, v.version_num, v.prev_num, v.prev_origin, v.field_versions)
                    INSERT INTO %s (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
                      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
                    SELECT %s, '%s', %s, %s, %s, u.version_num, %s, u.prev_num, u.prev_origin, u.field_versions, %s,
                      pg_current_xact_id()::text, %s
                    FROM %s r JOIN u ON %s;
                """.formatted(PostgresSql.versionTable(table), keys, keptColumn(table),
                PostgresSql.keyList(table, c -> "r." + c), proposedNumber(table, delete ? null : "r"), origin, delete,
                delete || !table.hasFieldVersions() ? "NULL" : fieldVersions(table, operation, null), keptValue(table, delete, "r"), rows,
                keys, upsertSet(table, operation), PostgresSql.keyList(table, c -> "v." + c),
                BisyncTables.HISTORY,
                literal(table.localName()), operation, image(table.keyColumns(), "r"), delete ? image : "NULL",
                delete ? "NULL" : image, origin, origin, CLK, rows, join);
    }

    /** The version upsert and the history insert of one row's change; UPDATE reads OLD and NEW, INSERT NEW, DELETE OLD. */
    private String change(SyncedTable table, String operation) {
        String row = operation.equals("DELETE") ? "OLD" : "NEW";
        String origin = literal(table.systemId());
        String versions = PostgresSql.versionTable(table);
        String keys = PostgresSql.keyList(table, c -> c);
        boolean delete = operation.equals("DELETE");
        String set = upsertSet(table, operation);
        String newFieldVersions = table.hasFieldVersions() && !delete ? fieldVersions(table, operation, null) : "NULL";
        String before = operation.equals("INSERT") ? "NULL" : image(table.columns(), "OLD");
        String after = delete ? "NULL" : image(table.columns(), "NEW");
        return """
                    INSERT INTO %s AS v (%s, version_num, version_origin, deleted, field_versions%s)
                    VALUES (%s, %s, %s, %s, %s%s)
                    ON CONFLICT (%s) DO UPDATE SET %s
                    RETURNING v.version_num, v.prev_num, v.prev_origin, v.field_versions INTO %s, %s, %s, %s;
                    INSERT INTO %s (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
                      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
                    VALUES (%s, '%s', %s, %s, %s, %s, %s, %s, %s, %s, %s, pg_current_xact_id()::text, %s);
                """.formatted(versions, keys, keptColumn(table),
                PostgresSql.keyList(table, c -> row + "." + c), proposedNumber(table, delete ? null : row), origin, delete,
                newFieldVersions, keptValue(table, delete, row),
                keys, set, VN, PN, PO, FV,
                BisyncTables.HISTORY,
                literal(table.localName()), operation, image(table.keyColumns(), row), before, after, VN, origin, PN, PO, FV, origin, CLK);
    }

    /**
     * The number a write proposes for its row version, before the upsert raises it to at least the previous + 1: the
     * instant of the row's timestamp column in UTC epoch microseconds when the table has one and it is set (extract of
     * epoch is exact, and reads a timestamp without time zone as UTC), else the clock + correction + bias. A DELETE
     * ({@code row} null) always takes the clock; infinite timestamps fall back to it too.
     */
    private static String proposedNumber(SyncedTable table, String row) {
        return numberFrom(table, row, CLK + " + " + table.bias());
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
            String proposed = CLK + " + " + field.getValue();
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

    private static String anyChanged(List<SyncedColumn> columns) {
        return columns.stream().map(c -> distinct(c, "OLD", "NEW")).collect(Collectors.joining(" OR "));
    }

    /** Null-safe change test; json and unknown types have no equality operator, so they compare as text. */
    private static String distinct(SyncedColumn column, String left, String right) {
        String name = q(column.local());
        return PostgresType.of(column.column()).comparable()
                ? left + "." + name + " IS DISTINCT FROM " + right + "." + name
                : left + "." + name + "::text IS DISTINCT FROM " + right + "." + name + "::text";
    }
}
