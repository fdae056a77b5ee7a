package org.bisync.nifi.capture;

import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.processors.CaptureTriggerHistory;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.TestDbcpService;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Capture throughput against the raw JDBC read of the same history rows, in the same run (not a test):
 * {@code java -cp <test classpath> org.bisync.nifi.capture.CaptureBenchmark [rows]}. Prints changes/s and the ratio.
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
                "{\"systems\":[{\"id\":\"A\"}],\"tables\":[{\"name\":\"customer\"}]}");
        runner.setProperty(topology, "A", "pool");
        runner.enableControllerService(topology);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(CaptureTriggerHistory.SYNC_TOPOLOGY, "topology");
        runner.setProperty(CaptureTriggerHistory.SYSTEM_ID, "A");
        runner.setProperty(CaptureTriggerHistory.RECORD_WRITER, "writer");
        runner.setProperty(CaptureTriggerHistory.MAX_CHANGES_PER_POLL, "20000");
        runner.run(1, false, true); // installs the triggers

        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO customer VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= rows; i++) {
                insert.setLong(1, i);
                insert.setString(2, "Customer " + i);
                insert.setString(3, "Industry " + (i % 17));
                insert.setBigDecimal(4, java.math.BigDecimal.valueOf(i * 101L, 2));
                insert.addBatch();
                if (i % 1000 == 0) {
                    insert.executeBatch();
                    c.commit();
                }
            }
            insert.executeBatch();
            c.commit();
        }

        long rawStart = System.nanoTime();
        long rawRows = 0;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, table_name, operation, key_data, before_data, after_data, version_num, "
                     + "version_origin, prev_num, prev_origin, field_versions, origin FROM bisync_history ORDER BY id")) {
            while (rs.next()) {
                for (int i = 1; i <= 12; i++) {
                    rs.getObject(i);
                }
                rawRows++;
            }
        }
        double rawSeconds = (System.nanoTime() - rawStart) / 1e9;

        long start = System.nanoTime();
        long captured = 0;
        while (captured < rows) {
            runner.run(1, false, false);
            captured = runner.getCounterValue("Changes captured") == null ? 0 : runner.getCounterValue("Changes captured");
            runner.clearTransferState();
        }
        runner.run(1, true, false); // releases the last batch
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-8s capture %,d changes: %,.0f changes/s (read, decode, write JSON, release); raw JDBC read of the "
                        + "history: %,.0f rows/s; ratio %.2f%n", engine, captured, captured / seconds, rawRows / rawSeconds,
                (captured / seconds) / (rawRows / rawSeconds));
    }
}
