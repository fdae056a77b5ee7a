/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.processors.BisyncAttributes;
import org.bisync.nifi.processors.CaptureTriggerHistory;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.TestDbcpService;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Capture throughput against the raw JDBC read of the same history rows, in the same run (not a test):
 * {@code java -cp <test classpath> org.bisync.nifi.capture.CaptureBenchmark [rows] [postgres,mariadb,sqlite]}. After a
 * warm-up, each round inserts {@code rows} changes, reads the history with plain JDBC, captures them with the test JSON
 * writer, then inserts as many again and captures them with a writer that writes nothing (NiFi's own JSON writer is a
 * different class, so the serialisation share is shown apart). Prints medians of the rounds ({@code -Drounds}, default
 * 3) and the ratios.
 *
 * <p>The topology is the one users have: system A sends the table to a second system B, so release keeps every row
 * (in bisync_released) until B acknowledged it. Between runs, untimed, the benchmark acknowledges what each FlowFile
 * carried as B's processors would, and capture's maintenance (at its default interval, 10 s) deletes the acknowledged
 * rows within the timed runs.
 */
public final class CaptureBenchmark {

    private CaptureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] engines = args.length > 1 ? args[1].split(",") : new String[]{"postgres", "mariadb", "sqlite"};
        for (String engine : engines) {
            DataSource dataSource = switch (engine) {
                case "postgres" -> EmbeddedDatabases.postgres("capture_bench");
                case "mariadb" -> EmbeddedDatabases.mariadb("capture_bench");
                default -> EmbeddedDatabases.sqlite("capture_bench");
            };
            run(engine, dataSource, rows);
        }
        System.exit(0);
    }

    private static void run(String engine, DataSource dataSource, int rows) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), "
                    + "revenue DECIMAL(18,2))");
        }
        TestRunner runner = TestRunners.newTestRunner(CaptureTriggerHistory.class);
        TestDbcpService pool = new TestDbcpService(dataSource);
        runner.addControllerService("pool", pool);
        runner.enableControllerService(pool);
        StandardSyncTopologyService topology = new StandardSyncTopologyService();
        runner.addControllerService("topology", topology);
        runner.setProperty(topology, StandardSyncTopologyService.TOPOLOGY_DEFINITION,
                "{\"systems\":[{\"id\":\"A\"},{\"id\":\"B\"}],\"tables\":[{\"name\":\"customer\"}]}");
        runner.setProperty(topology, "A", "pool");
        runner.setProperty(topology, "B", "pool"); // capture of A never connects to B
        runner.enableControllerService(topology);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("json", writer);
        runner.enableControllerService(writer);
        NullRecordSetWriterService nullWriter = new NullRecordSetWriterService();
        runner.addControllerService("null", nullWriter);
        runner.enableControllerService(nullWriter);
        runner.setProperty(CaptureTriggerHistory.SYNC_TOPOLOGY, "topology");
        runner.setProperty(CaptureTriggerHistory.SYSTEM_ID, "A");
        runner.setProperty(CaptureTriggerHistory.RECORD_WRITER, "json");
        runner.setProperty(CaptureTriggerHistory.MAX_CHANGES_PER_POLL, "20000");
        runner.run(1, false, true); // installs the triggers

        long[] nextId = {1};
        // warm-up (JIT, caches), not reported
        insert(dataSource, nextId, Math.min(rows, 40_000));
        capture(runner, dataSource, "json", Math.min(rows, 40_000));
        List<Double> raw = new ArrayList<>();
        List<Double> json = new ArrayList<>();
        List<Double> none = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            insert(dataSource, nextId, rows);
            raw.add(rawRead(dataSource));
            json.add(capture(runner, dataSource, "json", rows));
            insert(dataSource, nextId, rows);
            none.add(capture(runner, dataSource, "null", rows));
        }
        double r = median(raw);
        double j = median(json);
        double n = median(none);
        System.out.printf("%-8s capture of %,d changes, median of %d rounds after a warm-up: %,.0f changes/s with the test JSON writer "
                        + "(read, decode, write, release; ratio %.2f), %,.0f changes/s without writing (ratio %.2f); raw JDBC read of "
                        + "the history: %,.0f rows/s%n", engine, rows, ROUNDS, j, j / r, n, n / r, r);
        System.out.printf("%-8s rounds: raw %s, json %s, no writer %s%n", engine, rounded(raw), rounded(json), rounded(none));
        System.out.printf("%-8s topology A -> B: released rows kept until B acknowledged them; left at the end: %s%n", engine,
                historyCounts(dataSource));
    }

    private static final int ROUNDS = Integer.getInteger("rounds", 3);

    private static void insert(DataSource dataSource, long[] nextId, int rows) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO customer VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int n = 1; n <= rows; n++) {
                long i = nextId[0]++;
                insert.setLong(1, i);
                insert.setString(2, "Customer " + i);
                insert.setString(3, "Industry " + (i % 17));
                insert.setBigDecimal(4, java.math.BigDecimal.valueOf(i * 101L, 2));
                insert.addBatch();
                if (n % 1000 == 0) {
                    insert.executeBatch();
                    c.commit();
                }
            }
            insert.executeBatch();
            c.commit();
        }
    }

    /** Rows/s of a plain read of every history row and column. */
    private static double rawRead(DataSource dataSource) throws Exception {
        long start = System.nanoTime();
        long rows = 0;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, table_name, operation, key_data, before_data, after_data, version_num, "
                     + "version_origin, prev_num, prev_origin, field_versions, origin FROM bisync_history ORDER BY id")) {
            while (rs.next()) {
                for (int i = 1; i <= 12; i++) {
                    rs.getObject(i);
                }
                rows++;
            }
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Changes/s of capturing (and releasing) {@code rows} pending changes with the given writer. Only the processor's
     * runs are timed; B's acknowledgements between them are not.
     */
    private static double capture(TestRunner runner, DataSource dataSource, String writer, int rows) throws Exception {
        runner.setProperty(CaptureTriggerHistory.RECORD_WRITER, writer);
        long before = counter(runner);
        long nanos = 0;
        long captured = 0;
        while (captured < rows) {
            long start = System.nanoTime();
            runner.run(1, false, false);
            nanos += System.nanoTime() - start;
            captured = counter(runner) - before;
            acknowledgeAsB(runner, dataSource);
            runner.clearTransferState();
        }
        long start = System.nanoTime();
        runner.run(1, false, false); // releases the last batch
        nanos += System.nanoTime() - start;
        runner.clearTransferState();
        return captured / (nanos / 1e9);
    }

    /** What B's processors do once they decided a FlowFile: acknowledge its history ids in A's bisync_ack. */
    private static void acknowledgeAsB(TestRunner runner, DataSource dataSource) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS)) {
            long first = Long.parseLong(flowFile.getAttribute(BisyncAttributes.FIRST_SEQUENCE));
            long last = Long.parseLong(flowFile.getAttribute(BisyncAttributes.LAST_SEQUENCE));
            for (long id = first; id <= last; id++) {
                ids.add(id);
            }
        }
        if (!ids.isEmpty()) {
            try (Connection c = dataSource.getConnection()) {
                new AckLedger(Dialects.forConnection(c).capture()).acknowledge(c, "B", ids);
            }
        }
    }

    private static String historyCounts(DataSource dataSource) throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of(BisyncTables.HISTORY, BisyncTables.RELEASED, BisyncTables.ACK)) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    text.append(text.isEmpty() ? "" : ", ").append(table).append(' ').append(rs.getLong(1));
                }
            }
        }
        return text.toString();
    }

    private static long counter(TestRunner runner) {
        Long value = runner.getCounterValue("Changes captured");
        return value == null ? 0 : value;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(v -> String.format("%,.0f", v)).toList().toString();
    }
}
