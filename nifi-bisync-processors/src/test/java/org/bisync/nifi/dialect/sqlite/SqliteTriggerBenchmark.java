/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: measures, in one run on one SQLite file (WAL, synchronous FULL as the test files have it), the cost of
 * our triggers on the BASELINES.md table. Run with
 * {@code java -cp <test classpath> org.bisync.nifi.dialect.sqlite.SqliteTriggerBenchmark}.
 */
public final class SqliteTriggerBenchmark {

    private static final int BATCH_ROWS = 20_000;
    private static final int BATCH_SIZE = 1_000;
    private static final int SINGLE_ROWS = 2_000;
    private static final int RUNS = 3;
    private static final String DDL = "CREATE TABLE bench (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100),"
            + " revenue NUMERIC(18,2), updated_at TIMESTAMP)";
    private static final String INSERT = "INSERT INTO bench VALUES (?, ?, ?, ?, ?)";

    private SqliteTriggerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        SqliteFixture db = new SqliteFixture("bench_triggers");
        double batchRaw = median(() -> batched(db, false));
        double batchOurs = median(() -> batched(db, true));
        double singleRaw = median(() -> single(db, false));
        double singleOurs = median(() -> single(db, true));
        System.out.printf(Locale.ROOT, "SQLite %s, %d runs each (median), WAL, synchronous FULL%n", version(db), RUNS);
        System.out.printf(Locale.ROOT, "batched INSERT %d rows in batches of %d, commit per batch: "
                + "raw %,.0f rows/s, with triggers %,.0f rows/s, slowdown %.2fx%n",
                BATCH_ROWS, BATCH_SIZE, batchRaw, batchOurs, batchRaw / batchOurs);
        System.out.printf(Locale.ROOT, "single-row autocommit INSERT x %d: raw %,.0f rows/s, with triggers %,.0f rows/s, slowdown %.2fx%n",
                SINGLE_ROWS, singleRaw, singleOurs, singleRaw / singleOurs);
    }

    private interface Run {
        double rowsPerSecond() throws SQLException;
    }

    private static double median(Run run) throws SQLException {
        run.rowsPerSecond(); // warm-up
        double[] results = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            results[i] = run.rowsPerSecond();
        }
        Arrays.sort(results);
        return results[RUNS / 2];
    }

    private static void fresh(SqliteFixture db, Connection c, boolean triggers) throws SQLException {
        SqliteFixture.run(c, "DROP TABLE IF EXISTS bench", "DROP TABLE IF EXISTS bisync_v_bench", "DELETE FROM bisync_history", DDL);
        if (triggers) {
            db.install(c, TableSettings.twoWay("bench"));
        }
    }

    private static void bindRow(PreparedStatement ps, long id) throws SQLException {
        ps.setLong(1, id);
        ps.setString(2, "Customer " + id);
        ps.setString(3, "Industry " + (id % 17));
        ps.setDouble(4, id * 1.25);
        ps.setString(5, "2024-01-02 03:04:05.123456");
    }

    private static double batched(SqliteFixture db, boolean triggers) throws SQLException {
        try (Connection c = db.connect()) {
            fresh(db, c, triggers);
            c.setAutoCommit(false);
            long start = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (long id = 1; id <= BATCH_ROWS; id++) {
                    bindRow(ps, id);
                    ps.addBatch();
                    if (id % BATCH_SIZE == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            c.setAutoCommit(true);
            check(c, triggers, BATCH_ROWS);
            return BATCH_ROWS / seconds;
        }
    }

    private static double single(SqliteFixture db, boolean triggers) throws SQLException {
        try (Connection c = db.connect()) {
            fresh(db, c, triggers);
            long start = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (long id = 1; id <= SINGLE_ROWS; id++) {
                    bindRow(ps, id);
                    ps.executeUpdate();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            check(c, triggers, SINGLE_ROWS);
            return SINGLE_ROWS / seconds;
        }
    }

    private static void check(Connection c, boolean triggers, long rows) throws SQLException {
        long history = SqliteFixture.count(c, "SELECT count(*) FROM bisync_history");
        if (SqliteFixture.count(c, "SELECT count(*) FROM bench") != rows || history != (triggers ? rows : 0)) {
            throw new IllegalStateException("unexpected row counts");
        }
    }

    private static String version(SqliteFixture db) throws SQLException {
        try (Connection c = db.connect()) {
            List<Object> v = new ArrayList<>(SqliteFixture.rows(c, "SELECT sqlite_version() AS v").get(0).values());
            return String.valueOf(v.get(0));
        }
    }
}
