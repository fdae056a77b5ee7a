/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncTopology;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit's rate against a full {@code SELECT} of both tables read over JDBC, in the same run (not a test):
 * {@code java -Xmx256m -cp <test classpath> org.bisync.nifi.audit.AuditBenchmark [rows]} (default 1,000,000). PostgreSQL
 * (system A) and MariaDB (B) each hold {@code rows} identical rows of a table with text, decimal and timestamp columns;
 * five differences are planted in B (a missing row, an extra row, a changed decimal, NULL against '', a timestamp off by
 * a microsecond). Each round audits the table and then reads both tables whole (every column, streamed, values
 * touched); prints the medians of {@code -Drounds} (default 3) after a warm-up, rows per second over both systems,
 * the ratio, and the heap used.
 */
public final class AuditBenchmark {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}], "tables": [{"name": "customer"}]}""";

    private AuditBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = Integer.getInteger("rounds", 3);
        DataSource a = EmbeddedDatabases.postgres("audit_bench");
        DataSource b = EmbeddedDatabases.mariadb("audit_bench");
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        long loadStart = System.nanoTime();
        AuditTables.execute(a, "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(255), industry varchar(100), "
                        + "revenue numeric(18,2), updated_at timestamp(6))",
                "INSERT INTO customer SELECT g, 'customer ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'industry ' || (g % 50) END, "
                        + "(g * 13 % 100000) / 100.0, timestamp '2024-01-01 00:00:00' + g * interval '1 second' + (g % 1000) * interval '1 microsecond' "
                        + "FROM generate_series(1, " + rows + ") g");
        AuditTables.execute(b, "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(255), industry varchar(100), "
                        + "revenue decimal(18,2), updated_at datetime(6))",
                "INSERT INTO customer SELECT seq, CONCAT('customer ', seq), CASE WHEN seq % 7 = 0 THEN NULL ELSE CONCAT('industry ', seq % 50) END, "
                        + "(seq * 13 % 100000) / 100.0, TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL (seq % 1000) MICROSECOND "
                        + "FROM seq_1_to_" + rows);
        for (DataSource ds : List.of(a, b)) {
            try (Connection connection = ds.getConnection(); Statement statement = connection.createStatement()) {
                Dialect dialect = Dialects.forConnection(connection);
                for (String sql : dialect.capture().createBisyncTables()) {
                    statement.execute(sql);
                }
                for (String sql : dialect.capture().installTable(resolve(connection, topology, ds == a ? "A" : "B"))) {
                    statement.execute(sql);
                }
            }
        }
        AuditTables.execute(b, "DELETE FROM customer WHERE id = 4242", "INSERT INTO customer (id, name) VALUES (" + (rows + 1) + ", 'extra')",
                "UPDATE customer SET revenue = revenue + 0.01 WHERE id = 77777",
                "UPDATE customer SET industry = '' WHERE id = 7", "UPDATE customer SET updated_at = updated_at + INTERVAL 1 MICROSECOND WHERE id = 500001");
        System.out.printf("loaded %,d rows into each system in %.1f s%n", rows, (System.nanoTime() - loadStart) / 1e9);

        List<Double> auditSeconds = new ArrayList<>();
        List<Double> selectSeconds = new ArrayList<>();
        int found = 0;
        for (int round = 0; round <= rounds; round++) {
            long start = System.nanoTime();
            found = audit(a, b, topology);
            double auditTime = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            long read = selectAll(a) + selectAll(b);
            double selectTime = (System.nanoTime() - start) / 1e9;
            if (read != 2L * rows) {
                throw new IllegalStateException("read " + read + " rows");
            }
            System.out.printf("round %d%s: audit %.2f s (%d differences), full SELECT of both %.2f s%n", round, round == 0 ? " (warm-up)" : "",
                    auditTime, found, selectTime);
            if (round > 0) {
                auditSeconds.add(auditTime);
                selectSeconds.add(selectTime);
            }
        }
        double audit = median(auditSeconds);
        double select = median(selectSeconds);
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.out.printf("%,d rows per system, %d planted differences found: %d%n", rows, 5, found);
        System.out.printf("audit:       median %.2f s = %,.0f rows/s over both systems%n", audit, 2.0 * rows / audit);
        System.out.printf("full SELECT: median %.2f s = %,.0f rows/s over both systems%n", select, 2.0 * rows / select);
        System.out.printf("audit / full SELECT time: %.2f; max heap %d MB, used after GC %d MB%n", audit / select,
                runtime.maxMemory() >> 20, (runtime.totalMemory() - runtime.freeMemory()) >> 20);
        System.exit(0);
    }

    private static SyncedTable resolve(Connection connection, SyncTopology topology, String system) throws SQLException {
        return new SyncedTableResolver(Dialects.forConnection(connection), topology).resolve(connection,
                topology.table("customer").orElseThrow(), system);
    }

    private static int audit(DataSource a, DataSource b, SyncTopology topology) throws SQLException {
        try (Connection ca = a.getConnection(); Connection cb = b.getConnection()) {
            List<AuditedSide> sides = List.of(
                    new AuditedSide("A", ca, Dialects.forConnection(ca), resolve(ca, topology, "A")),
                    new AuditedSide("B", cb, Dialects.forConnection(cb), resolve(cb, topology, "B")));
            int[] differences = new int[1];
            new ConsistencyAudit(256, 10_000).compare(sides, c -> differences[0] += Difference.of(c, "A").size());
            return differences[0];
        }
    }

    /** Every column of every row, streamed as a user's full comparison would read it. */
    private static long selectAll(DataSource dataSource) throws SQLException {
        long rows = 0;
        long touched = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(10_000);
                try (ResultSet rs = statement.executeQuery("SELECT id, name, industry, revenue, updated_at FROM customer")) {
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= 5; i++) {
                            Object value = rs.getObject(i);
                            touched += value == null ? 0 : 1;
                        }
                    }
                }
            }
            connection.commit();
        }
        return touched > 0 ? rows : -1;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
