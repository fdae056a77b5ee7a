/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.InterleavedRounds;
import org.bisync.nifi.dialect.TriggerWorkload;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Not a test: the cost of our triggers on the embedded PostgreSQL against the floor of any trigger of ours, a trigger
 * that does only our two writes, with the same data, into the same tables: the version row upsert and the history row
 * with the same row images, the new and previous version the upsert returns, the transaction id and the capture time,
 * in the cheapest form we know (statement triggers over the transition tables for INSERT and UPDATE, one function per
 * event, the two writes in one statement; for UPDATE also a row trigger, and each UPDATE scenario takes the cheaper of
 * the two as its floor: the statement trigger in bulk, about even for one row), and nothing else: no origin test, no
 * clock correction, no changed-column or key-change test (the floor's statement UPDATE pairs OLD and NEW rows with an
 * inner join on the key, ours with a full join whose unpaired rows are the key changes). See {@link TriggerWorkload} for
 * the writes and {@link InterleavedRounds} for the report. {@code -Dbreakdown=true} adds variants of ours with one part
 * removed each, and ours with a row UPDATE trigger (as before UPDATE got a statement trigger, as field-level tables have it);
 * {@code -Ddurable=true} turns fsync, synchronous_commit and full_page_writes on (the test server runs with them off).
 * Run: {@code java -cp <test classpath> org.bisync.nifi.dialect.postgres.PostgresTriggerBenchmark} ({@code -Drounds=15}).
 */
public final class PostgresTriggerBenchmark {

    private static final String COLUMNS = "(id bigint PRIMARY KEY, name varchar(255), industry varchar(100), revenue numeric(18,2), "
            + "updated_at timestamp)";

    private final PostgresDialect dialect = new PostgresDialect();
    private final String url;

    private PostgresTriggerBenchmark(String url) {
        this.url = url;
    }

    public static void main(String[] args) throws Exception {
        EmbeddedDatabases.postgres("pg_bench");
        boolean within = new PostgresTriggerBenchmark(EmbeddedDatabases.postgresJdbcUrl("pg_bench")).run();
        System.exit(within ? 0 : 2);
    }

    private boolean run() throws Exception {
        String durability = Boolean.getBoolean("durable") ? "on" : "off";
        Map<String, String> variants = new LinkedHashMap<>();
        Map<String, String> updateFloors = new LinkedHashMap<>();
        try (Connection c = connect()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                PgFixture.run(c, List.of("ALTER SYSTEM SET " + setting + " = " + durability));
            }
            PgFixture.run(c, List.of("SELECT pg_reload_conf()"));
            PgFixture.run(c, dialect.capture().createBisyncTables());
            variants.put("ours", ours(c, "bench_ours", sql -> sql));
            variants.put("floor: only the two writes", floor(c, "bench_floor", false));
            // for UPDATE, a row trigger doing the two writes is a candidate too (each row's OLD and NEW at hand, no pairing
            // by key): dearer in bulk, about as cheap as the statement trigger for one row
            updateFloors.put("floor, row UPDATE trigger", floor(c, "bench_floor_row", true));
            if (Boolean.getBoolean("breakdown")) {
                // ours as it was before UPDATE got a statement trigger, and as field-level tables still have it
                variants.put("ours with a row UPDATE trigger", oursWithRowUpdate(c, "bench_row_update"));
                // not candidates (the correction and the origin test are required): what each costs
                variants.put("ours without correction read", ours(c, "bench_no_correction", sql -> sql.replace(PostgresSql.CORRECTION, "0")));
                variants.put("ours without origin test", ours(c, "bench_no_origin",
                        sql -> sql.contains("TRUNCATE of synced table") ? sql
                                : sql.replace("IF current_setting('bisync.origin', true) <> '' THEN\n    RETURN NULL;\n  END IF;\n", "")));
            }
        }
        TriggerWorkload workload = new TriggerWorkload(new TriggerWorkload.Engine() {
            @Override
            public Connection connect() throws SQLException {
                return PostgresTriggerBenchmark.this.connect();
            }

            /** Marked as the applier's, so our BEFORE TRUNCATE trigger lets the TRUNCATE through. */
            @Override
            public void emptyAll(Connection c, String table) throws SQLException {
                PgFixture.run(c, List.of("SET bisync.origin = 'bench'", "TRUNCATE " + table + ", bisync_v_" + table + ", bisync_history",
                        "RESET bisync.origin", "CHECKPOINT"));
            }

            @Override
            public void emptyHistory(Connection c) throws SQLException {
                PgFixture.run(c, List.of("TRUNCATE bisync_history"));
            }

            /** The session's backend process. */
            @Override
            public TriggerWorkload.CpuClock cpuClock(Connection c) throws SQLException {
                long pid = TriggerWorkload.count(c, "SELECT pg_backend_pid()");
                return TriggerWorkload.CpuClock.schedstat("/proc/" + pid);
            }
        });
        return new InterleavedRounds("PostgreSQL (embedded, fsync " + durability + "): our triggers against the floor",
                InterleavedRounds.roundsFromProperty()).run(workload.scenarios(variants, updateFloors));
    }

    private String ours(Connection c, String name, UnaryOperator<String> rewrite) throws SQLException {
        SyncedTable table = create(c, name);
        PgFixture.run(c, dialect.capture().installTable(table).stream().map(rewrite).toList());
        return name;
    }

    private String oursWithRowUpdate(Connection c, String name) throws SQLException {
        SyncedTable table = create(c, name);
        PgFixture.run(c, dialect.capture().installTable(table));
        PgFixture.run(c, new PostgresTriggerSql(new PostgresTypeMapping()).rowUpdateTrigger(table));
        return name;
    }

    /**
     * The version table of ours (same DDL), statement triggers for INSERT and UPDATE (with {@code rowUpdate} a row
     * trigger for UPDATE), each running one statement: the version upsert, whose RETURNING feeds the history insert. The
     * UPDATE statement trigger pairs the OLD and NEW rows by key with an inner join, which is all the two writes need.
     */
    private String floor(Connection c, String name, boolean rowUpdate) throws SQLException {
        SyncedTable table = create(c, name);
        PgFixture.run(c, dialect.capture().installTargetOnlyTable(table));
        String upsert = "k AS MATERIALIZED (SELECT " + PostgresSql.CLOCK + " AS clk), u AS (INSERT INTO bisync_v_" + name
                + " AS v (id, version_num, version_origin, deleted, field_versions) SELECT %s.id, k.clk, 'A', false, NULL FROM %s"
                + " ON CONFLICT (id) DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, "
                + "version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, "
                + "deleted = EXCLUDED.deleted RETURNING %sv.version_num, v.prev_num, v.prev_origin, v.field_versions)\n";
        String history = "INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin, "
                + "prev_num, prev_origin, field_versions, origin, tx_id, captured_at) SELECT '" + name + "', ";
        String versions = "u.version_num, 'A', u.prev_num, u.prev_origin, u.field_versions, 'A', pg_current_xact_id()::text, k.clk";
        PgFixture.run(c, List.of(
                "CREATE FUNCTION " + name + "_ins() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\nWITH " + upsert.formatted("n", "new_rows n, k", "v.id, ")
                        + history + "'INSERT', json_build_object('id', n.id)::text, NULL, " + image(table, "n") + ", " + versions
                        + " FROM new_rows n JOIN u ON u.id = n.id, k;\nRETURN NULL;\nEND\n$$",
                "CREATE TRIGGER " + name + "_ins AFTER INSERT ON " + name + " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION " + name + "_ins()",
                rowUpdate ? "CREATE FUNCTION " + name + "_upd() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\nWITH " + upsert.formatted("NEW", "k", "")
                        + history + "'UPDATE', json_build_object('id', NEW.id)::text, " + image(table, "OLD") + ", " + image(table, "NEW") + ", "
                        + versions + " FROM u, k;\nRETURN NULL;\nEND\n$$"
                        : "CREATE FUNCTION " + name + "_upd() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\nWITH "
                        + upsert.formatted("n", "new_rows n, k", "v.id, ") + history + "'UPDATE', json_build_object('id', n.id)::text, "
                        + image(table, "o") + ", " + image(table, "n") + ", " + versions
                        + " FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN u ON u.id = n.id, k;\nRETURN NULL;\nEND\n$$",
                "CREATE TRIGGER " + name + "_upd AFTER UPDATE ON " + name
                        + (rowUpdate ? " FOR EACH ROW" : " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT")
                        + " EXECUTE FUNCTION " + name + "_upd()"));
        return name;
    }

    private SyncedTable create(Connection c, String name) throws SQLException {
        PgFixture.run(c, List.of("DROP TABLE IF EXISTS " + name + " CASCADE", "CREATE TABLE " + name + " " + COLUMNS));
        TableSettings settings = TableSettings.twoWay(name);
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
        return new SyncedTableResolver(dialect, topology).resolve(c, settings, "A");
    }

    /** The row image as ours writes it. */
    private String image(SyncedTable table, String row) {
        return table.columns().stream().map(col -> PostgresIdentifiers.literal(col.local()) + ", " + dialect.types().imageExpression(row, col.column()))
                .collect(Collectors.joining(", ", "json_build_object(", ")::text"));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }
}
