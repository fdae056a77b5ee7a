/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.InterleavedRounds;
import org.bisync.nifi.dialect.TriggerWorkload;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Not a test: the cost of our triggers on one SQLite file (WAL, synchronous FULL as the test files have it) against the
 * floor of any trigger of ours, row triggers that do only our two writes, with the same data, into the same tables (the
 * version row upsert, and the history row with the same row images and the new and previous version read back from the
 * version row just written, the only way a SQLite trigger has to hand them over) and nothing else: no origin test (the
 * context table), no clock correction, no changed-column test. SQLite runs in the JVM's thread,
 * so the CPU time per row is that thread's. {@code -Dbreakdown=true} adds variants of ours without the correction or
 * the origin test. See {@link TriggerWorkload} and {@link InterleavedRounds}.
 * Run: {@code java -cp <test classpath> org.bisync.nifi.dialect.sqlite.SqliteTriggerBenchmark} ({@code -Drounds=15}).
 */
public final class SqliteTriggerBenchmark {

    private static final String COLUMNS = "(id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), revenue NUMERIC(18,2), "
            + "updated_at TIMESTAMP)";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final SqliteFixture db;

    private SqliteTriggerBenchmark(SqliteFixture db) {
        this.db = db;
    }

    public static void main(String[] args) throws Exception {
        boolean within = new SqliteTriggerBenchmark(new SqliteFixture("bench_triggers")).run();
        System.exit(within ? 0 : 2);
    }

    private boolean run() throws Exception {
        Map<String, String> variants = new LinkedHashMap<>();
        String version;
        try (Connection c = db.connect()) {
            SqliteFixture.run(c, "CREATE TABLE bench_ours " + COLUMNS);
            db.install(c, TableSettings.twoWay("bench_ours"));
            variants.put("ours", "bench_ours");
            variants.put("floor: only the two writes", floor(c, "bench_floor"));
            if (Boolean.getBoolean("breakdown")) {
                // not candidates (the correction and the origin test are required): what each costs
                variants.put("ours without correction", ours(c, "bench_no_correction", sql -> sql.replace(SqliteSql.CORRECTED_CLOCK, SqliteSql.CLOCK)));
                variants.put("ours without origin test", ours(c, "bench_no_origin",
                        sql -> sql.replace(" AND " + SqliteTriggerSql.NOT_MARKED, "").replace(" WHEN " + SqliteTriggerSql.NOT_MARKED, "")));
            }
            version = String.valueOf(SqliteFixture.rows(c, "SELECT sqlite_version() AS v").get(0).get("v"));
        }
        TriggerWorkload workload = new TriggerWorkload(new TriggerWorkload.Engine() {
            @Override
            public Connection connect() throws SQLException {
                return db.connect();
            }

            /** Marked as the applier's (a row in the context table), so our DELETE triggers skip the rows. */
            @Override
            public void emptyAll(Connection c, String table) throws SQLException {
                SqliteFixture.run(c, "INSERT INTO bisync_context (origin) VALUES ('bench')", "DELETE FROM " + table,
                        "DELETE FROM bisync_context", "DELETE FROM bisync_v_" + table, "DELETE FROM bisync_history");
            }

            @Override
            public void emptyHistory(Connection c) throws SQLException {
                SqliteFixture.run(c, "DELETE FROM bisync_history");
            }

            @Override
            public TriggerWorkload.CpuClock cpuClock(Connection c) {
                return THREADS::getCurrentThreadCpuTime;
            }

            /** Decimal as a REAL and the time as text, as applications usually bind them on SQLite. */
            @Override
            public void bindRow(PreparedStatement ps, int index, long id) throws SQLException {
                ps.setLong(index, id);
                ps.setString(index + 1, "Customer " + id);
                ps.setString(index + 2, id % 3 == 0 ? "Retail" : "Manufacturing");
                ps.setDouble(index + 3, id * 12.34);
                ps.setString(index + 4, "2024-01-02 03:04:05.123456");
            }
        });
        return new InterleavedRounds("SQLite " + version + " (WAL, synchronous FULL): our triggers against the floor",
                InterleavedRounds.roundsFromProperty()).run(workload.scenarios(variants));
    }

    /** The version table of ours (same DDL), and INSERT and UPDATE row triggers that do the two writes and nothing else. */
    private String ours(Connection c, String name, UnaryOperator<String> rewrite) throws SQLException {
        SqliteFixture.run(c, "CREATE TABLE " + name + " " + COLUMNS);
        SyncedTable table = db.resolve(c, TableSettings.twoWay(name));
        SqliteFixture.run(c, db.dialect.capture().installTable(table).stream().map(rewrite).toList());
        return name;
    }

    private String floor(Connection c, String name) throws SQLException {
        SqliteFixture.run(c, "CREATE TABLE " + name + " " + COLUMNS);
        SyncedTable table = db.resolve(c, TableSettings.twoWay(name));
        SqliteFixture.run(c, db.dialect.capture().installTargetOnlyTable(table));
        String upsert = "INSERT INTO bisync_v_" + name + " (id, version_num, version_origin, deleted) VALUES (NEW.id, " + SqliteSql.CLOCK
                + ", 'A', 0) ON CONFLICT (id) DO UPDATE SET prev_num = version_num, prev_origin = version_origin, "
                + "version_num = max(excluded.version_num, version_num + 1), version_origin = excluded.version_origin, deleted = excluded.deleted;\n";
        // the history row takes the new and previous version from the version row just written, as ours does
        String history = "INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin, "
                + "prev_num, prev_origin, field_versions, origin, captured_at) SELECT '" + name + "', ";
        String rest = ", " + image(table, "NEW") + ", v.version_num, v.version_origin, v.prev_num, v.prev_origin, v.field_versions, 'A', "
                + SqliteSql.CLOCK + " FROM bisync_v_" + name + " AS v WHERE v.id = NEW.id;\n";
        SqliteFixture.run(c,
                "CREATE TRIGGER " + name + "_ins AFTER INSERT ON " + name + " FOR EACH ROW BEGIN\n" + upsert
                        + history + "'INSERT', json_object('id', NEW.id), NULL" + rest + "END",
                "CREATE TRIGGER " + name + "_upd AFTER UPDATE ON " + name + " FOR EACH ROW BEGIN\n" + upsert
                        + history + "'UPDATE', json_object('id', NEW.id), " + image(table, "OLD") + rest + "END");
        return name;
    }

    /** The row image as ours writes it. */
    private static String image(SyncedTable table, String row) {
        return SqliteTriggerSql.jsonObject(table.columns(), c -> SqliteTypeMapping.INSTANCE.imageExpression(row, c.column()));
    }
}
