/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Insert throughput into the BASELINES.md table without and with our triggers, on the embedded PostgreSQL, in one
 * run: batched INSERT (20,000 rows, batches of 1000, pgjdbc reWriteBatchedInserts) and single-row autocommit INSERT
 * (2,000 rows). Each measurement uses a fresh table; medians of {@code -Drounds} (default 5) after a warm-up round.
 * Also measures trigger variants (jsonb images, a pinned search_path) to back the choices made in PostgresTriggerSql,
 * and two references that are not ours: a statement trigger that writes only the history row (the BASELINES.md
 * figure the target is set against), and the floor of any trigger of ours, that history row plus the version
 * row upsert and nothing else (no origin test, no correction, no changed-field or previous-version bookkeeping).
 * Runs twice: as the embedded test server is configured (no fsync, asynchronous commit) and with durable commits.
 * Run: {@code java -cp <test classpath> org.bisync.nifi.dialect.postgres.PostgresTriggerBenchmark} (-Drounds=5).
 */
public final class PostgresTriggerBenchmark {

    private static final int BULK_ROWS = 20_000;
    private static final int BATCH = 1_000;
    private static final int SINGLE_ROWS = 2_000;

    private final String url;
    private final PostgresDialect dialect = new PostgresDialect();

    private PostgresTriggerBenchmark(String url) {
        this.url = url;
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        EmbeddedDatabases.postgres("pg_bench");
        PostgresTriggerBenchmark benchmark = new PostgresTriggerBenchmark(EmbeddedDatabases.postgresJdbcUrl("pg_bench") + "&reWriteBatchedInserts=true");
        benchmark.run(rounds);
    }

    private void run(int rounds) throws SQLException {
        try (Connection connection = connect()) {
            PgFixture.run(connection, dialect.capture().createBisyncTables());
        }
        System.out.println("== as the test server runs: fsync, synchronous_commit and full_page_writes off");
        run(rounds, "off");
        System.out.println("== durable commits: fsync, synchronous_commit and full_page_writes on (as in shared/BASELINES.md)");
        run(rounds, "on");
    }

    private void run(int rounds, String durability) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                statement.execute("ALTER SYSTEM SET " + setting + " = " + durability);
            }
            statement.execute("SELECT pg_reload_conf()");
        }
        Map<String, Function<List<String>, List<String>>> variants = new LinkedHashMap<>();
        variants.put("none", null);
        variants.put("ours (json_build_object)", rewriting(sql -> sql));
        variants.put("jsonb_build_object", rewriting(sql -> sql.replace("json_build_object(", "jsonb_build_object(")));
        variants.put("ours + SET search_path", rewriting(sql -> sql.replace("LANGUAGE plpgsql AS", "LANGUAGE plpgsql SET search_path FROM CURRENT AS")));
        // not a candidate (the correction is required): what reading it from bisync_config costs per statement
        variants.put("ours without correction read", rewriting(sql -> sql.replace(PostgresSql.CORRECTION, "0")));
        variants.put("ref: history row only", ours -> referenceTrigger(false));
        variants.put("ref: history + version upsert", ours -> referenceTrigger(true));
        Map<String, List<Double>> bulk = new LinkedHashMap<>();
        Map<String, List<Double>> single = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (Map.Entry<String, Function<List<String>, List<String>>> variant : variants.entrySet()) {
                double bulkRate = measure(variant.getValue(), true);
                double singleRate = measure(variant.getValue(), false);
                if (round > 0) { // round 0 warms up
                    bulk.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(bulkRate);
                    single.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(singleRate);
                }
            }
        }
        double bulkBase = median(bulk.get("none"));
        double singleBase = median(single.get("none"));
        System.out.printf("%-32s %14s %9s %14s %9s%n", "triggers", "bulk rows/s", "slowdown", "single rows/s", "slowdown");
        for (String variant : variants.keySet()) {
            double b = median(bulk.get(variant));
            double s = median(single.get(variant));
            System.out.printf("%-32s %14.0f %8.2fx %14.0f %8.2fx%n", variant, b, bulkBase / b, s, singleBase / s);
        }
        double historyBulk = median(bulk.get("ref: history row only"));
        double historySingle = median(single.get("ref: history row only"));
        System.out.printf("against the history-only trigger: ours bulk %.2fx, single %.2fx; the floor of our two writes bulk %.2fx, "
                        + "single %.2fx%n", historyBulk / median(bulk.get("ours (json_build_object)")),
                historySingle / median(single.get("ours (json_build_object)")),
                historyBulk / median(bulk.get("ref: history + version upsert")),
                historySingle / median(single.get("ref: history + version upsert")));
        System.out.println("(medians of " + rounds + " rounds; bulk: " + BULK_ROWS + " rows in batches of " + BATCH
                + ", one commit per batch; single: " + SINGLE_ROWS + " autocommit INSERTs)");
    }

    private static Function<List<String>, List<String>> rewriting(UnaryOperator<String> rewrite) {
        return ours -> ours.stream().map(rewrite).toList();
    }

    /**
     * A statement trigger on bench that writes the history row of every inserted row from the transition table, and with
     * {@code withVersionRow} first upserts its version row as ours does (the upsert's current read of an existing row).
     */
    private static List<String> referenceTrigger(boolean withVersionRow) {
        String versionUpsert = withVersionRow
                ? "INSERT INTO ref_v (id, version_num, version_origin, deleted) SELECT n.id, " + PostgresSql.CLOCK + ", 'A', false "
                        + "FROM new_rows n ON CONFLICT (id) DO UPDATE SET prev_num = ref_v.version_num, prev_origin = ref_v.version_origin, "
                        + "version_num = GREATEST(EXCLUDED.version_num, ref_v.version_num + 1);\n"
                : "";
        return List.of("DROP TABLE IF EXISTS ref_v",
                "CREATE TABLE ref_v (id bigint PRIMARY KEY, version_num bigint NOT NULL, version_origin varchar(64) NOT NULL, "
                        + "prev_num bigint, prev_origin varchar(64), deleted boolean NOT NULL, field_versions text)",
                "CREATE OR REPLACE FUNCTION ref_history() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n" + versionUpsert
                        + "INSERT INTO bisync_history (table_name, operation, key_data, after_data, version_num, version_origin, origin, "
                        + "captured_at) SELECT 'bench', 'INSERT', json_build_object('id', n.id)::text, json_build_object('id', n.id, "
                        + "'name', n.name, 'industry', n.industry, 'revenue', n.revenue, 'updated_at', n.updated_at)::text, 1, 'A', 'A', "
                        + PostgresSql.CLOCK + " FROM new_rows n;\nRETURN NULL;\nEND\n$$",
                "CREATE TRIGGER ref_history AFTER INSERT ON bench REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION ref_history()");
    }

    /** Rows per second into a fresh table, with triggers installed through {@code ddl} from ours (null: no triggers). */
    private double measure(Function<List<String>, List<String>> ddl, boolean bulk) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            PgFixture.run(connection, dialect.capture().uninstallTable("bench"));
            statement.execute("DROP TABLE IF EXISTS bench");
            statement.execute("TRUNCATE bisync_history");
            statement.execute("CREATE TABLE bench (id bigint PRIMARY KEY, name varchar(255), industry varchar(100), "
                    + "revenue numeric(18,2), updated_at timestamp)");
            if (ddl != null) {
                TableSettings settings = TableSettings.twoWay("bench");
                SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
                SyncedTable table = new SyncedTableResolver(dialect, topology).resolve(connection, settings, "A");
                PgFixture.run(connection, ddl.apply(dialect.capture().installTable(table)));
            }
            statement.execute("CHECKPOINT");
        }
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO bench (id, name, industry, revenue, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            int rows = bulk ? BULK_ROWS : SINGLE_ROWS;
            connection.setAutoCommit(!bulk);
            long start = System.nanoTime();
            for (int id = 1; id <= rows; id++) {
                insert.setLong(1, id);
                insert.setString(2, "Customer " + id);
                insert.setString(3, id % 3 == 0 ? "Retail" : "Manufacturing");
                insert.setBigDecimal(4, BigDecimal.valueOf(id * 1234L, 2));
                insert.setTimestamp(5, new Timestamp(1_700_000_000_000L + id));
                if (bulk) {
                    insert.addBatch();
                    if (id % BATCH == 0) {
                        insert.executeBatch();
                        connection.commit();
                    }
                } else {
                    insert.executeUpdate();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (ddl != null) {
                try (Statement statement = connection.createStatement();
                     var rs = statement.executeQuery("SELECT count(*) FROM bisync_history")) {
                    rs.next();
                    if (rs.getLong(1) != rows) {
                        throw new IllegalStateException("expected " + rows + " history rows, found " + rs.getLong(1));
                    }
                }
            }
            return rows / seconds;
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
