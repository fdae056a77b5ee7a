/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.bench;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;

/**
 * Not a test: the initial load (onboarding) of two non-empty tables against a raw JDBC copy of the same rows between
 * the same databases, in the same run. PostgreSQL holds ids 1..N, MariaDB ids N/2+1..3N/2 (N rows each, default
 * 1,000,000): a quarter of each side's rows is identical on the other, a quarter differs (name), half is on one side
 * only. The load is the two-way template run headless ({@link FlowHarness}: capture with Initial Load "Existing Rows"
 * on both sides, prevent loops, resolve, apply) until quiet; both sides then hold the same 3N/2 rows. The raw copy reads
 * every row of each side (streamed, ordered by key) and writes it into a copy of the other side's table with multi-row
 * upserts of 1000 rows (PostgreSQL ON CONFLICT, MariaDB ON DUPLICATE KEY UPDATE), committing every 10,000 rows as the
 * load does per FlowFile. Prints both rates (the sources' rows per second) and their ratio, each processor's time, and
 * the most the JVM's heap held after a collection during the load (harness and processors).
 *
 * <p>Run with the heap the load must fit in: {@code ./mvnw -q -o -pl nifi-bisync-demo -am test-compile
 * dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test} then {@code java -Xmx256m -cp
 * nifi-bisync-demo/target/test-classes:nifi-bisync-demo/target/classes:$(cat nifi-bisync-demo/cp.txt)
 * org.bisync.nifi.demo.bench.InitialLoadBenchmark [rows per side]}.
 */
public final class InitialLoadBenchmark {

    private static final int ROWS_PER_STATEMENT = 1000;
    private static final int ROWS_PER_COMMIT = 10_000;
    private static final String COLUMNS = "id, name, email, balance, updated_at";
    private static final String TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
             "tables": [{"name": "customer", "exclude": ["touch_count"]}]}""";

    private InitialLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        DataSource postgres = EmbeddedDatabases.postgres("initial_load_bench");
        DataSource mariadb = EmbeddedDatabases.mariadb("initial_load_bench");
        SampleTable.create(postgres, mariadb);
        long started = System.nanoTime();
        SampleTable.execute(postgres, "INSERT INTO customer (" + COLUMNS + ") SELECT n, 'name ' || n, 'm' || n || '@x', n % 1000 + 0.25, "
                + "timestamp '2024-03-01 08:00:00' + n * interval '1 microsecond' FROM generate_series(1, " + rows + ") AS n");
        int half = rows / 2;
        SampleTable.execute(mariadb, "INSERT INTO customer (" + COLUMNS + ") SELECT seq, CONCAT(IF(seq <= " + (half + half / 2)
                + ", 'name ', 'maria '), seq), CONCAT('m', seq, '@x'), seq % 1000 + 0.25, TIMESTAMP '2024-03-01 08:00:00' + INTERVAL seq "
                + "MICROSECOND FROM seq_" + (half + 1) + "_to_" + (half + rows));
        SampleTable.execute(postgres, "CREATE TABLE raw_copy (LIKE customer INCLUDING ALL)", "INSERT INTO raw_copy SELECT * FROM customer",
                "ANALYZE customer", "ANALYZE raw_copy");
        SampleTable.execute(mariadb, "CREATE TABLE raw_copy LIKE customer", "INSERT INTO raw_copy SELECT * FROM customer");
        System.out.printf("%d rows per side generated in %.1f s; max heap %d MB%n", rows, (System.nanoTime() - started) / 1e9,
                Runtime.getRuntime().maxMemory() >> 20);

        started = System.nanoTime();
        long copied = copy(postgres, mariadb, "INSERT INTO raw_copy (" + COLUMNS + ") VALUES %s ON DUPLICATE KEY UPDATE name = VALUES(name), "
                + "email = VALUES(email), balance = VALUES(balance), updated_at = VALUES(updated_at)");
        copied += copy(mariadb, postgres, "INSERT INTO raw_copy (" + COLUMNS + ") VALUES %s ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
                + "email = EXCLUDED.email, balance = EXCLUDED.balance, updated_at = EXCLUDED.updated_at");
        double rawSeconds = (System.nanoTime() - started) / 1e9;
        double rawRate = copied / rawSeconds;
        System.out.printf("raw JDBC copy (read + multi-row upsert, both directions): %d rows in %.1f s, %.0f rows/s%n", copied, rawSeconds, rawRate);

        System.gc();
        resetPeakHeap();
        LiveHeap live = new LiveHeap();
        live.start();
        started = System.nanoTime();
        boolean quiet;
        try (FlowHarness harness = FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                .dataSource("postgresql", postgres).dataSource("mariadb", mariadb)
                .parameter("Sync Topology Definition", TOPOLOGY)
                .processorProperty("Capture PostgreSQL", "Initial Load", "Existing Rows")
                .processorProperty("Capture MariaDB", "Initial Load", "Existing Rows")
                // the harness keeps FlowFile content in memory (NiFi keeps it in its content repository): at most 10
                // pages of 1000 rows per capture run keep the harness's own share of the heap small
                .processorProperty("Capture PostgreSQL", "Max Changes Per Poll", "10000")
                .processorProperty("Capture MariaDB", "Max Changes Per Poll", "10000")
                .build()) {
            long[] rounds = {0};
            long loadStart = started;
            quiet = harness.runUntilQuiet(1_000_000, r -> {
                if (++rounds[0] % 20 == 0) {
                    System.out.printf("  round %d: %.0f s, %d rows loaded, at most %d MB live after a collection so far%n", r.round(),
                            (System.nanoTime() - loadStart) / 1e9, harness.counter("CaptureTriggerHistory", "Rows loaded initially"),
                            live.maxLive >> 20);
                }
            });
            double loadSeconds = (System.nanoTime() - started) / 1e9;
            long loaded = harness.counter("CaptureTriggerHistory", "Rows loaded initially");
            long peak = peakHeap();
            live.interrupt();
            // the rate counts the sources' rows, as the raw copy does; the captures read more: a side's load also reads the
            // rows the other side's load wrote into it ahead of its own pages (found already there)
            long sourceRows = 2L * rows;
            System.out.printf("initial load (two-way, both sides Existing Rows): %d source rows in %.1f s, %.0f rows/s (the captures read %d); "
                    + "quiet: %s; failed runs: %d%n", sourceRows, loadSeconds, sourceRows / loadSeconds, loaded, quiet, harness.failedRuns());
            System.out.printf("load rate / raw copy rate: %.2f%n", sourceRows / loadSeconds / rawRate);
            for (String processor : harness.processorNames()) {
                System.out.printf("  %-45s %7.1f s in its runs%n", processor, harness.runMillis(processor) / 1000.0);
            }
            System.out.printf("heap during the load (harness and processors): at most %d MB live after a collection; pools' peaks "
                    + "(garbage included, summed over pools) %d MB; max heap %d MB%n", live.maxLive >> 20, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
        long pgCount = count(postgres);
        long mariaCount = count(mariadb);
        boolean same = checksum(postgres).equals(checksum(mariadb));
        System.out.printf("rows: PostgreSQL %d, MariaDB %d (expected %d each); same content checksum: %s%n", pgCount, mariaCount,
                rows + half, same);
        System.exit(quiet && same && pgCount == rows + half && mariaCount == rows + half ? 0 : 1);
    }

    /** Reads every row of {@code from}'s customer table in key order into {@code to}'s raw_copy with multi-row upserts. */
    private static long copy(DataSource from, DataSource to, String upsertTemplate) throws SQLException {
        String row = "(?, ?, ?, ?, ?)";
        String full = upsertTemplate.formatted(String.join(", ", Collections.nCopies(ROWS_PER_STATEMENT, row)));
        long count = 0;
        try (Connection source = from.getConnection(); Connection target = to.getConnection()) {
            source.setAutoCommit(false);
            target.setAutoCommit(false);
            try (Statement select = source.createStatement(); PreparedStatement upsert = target.prepareStatement(full)) {
                select.setFetchSize(1000);
                try (ResultSet rs = select.executeQuery("SELECT " + COLUMNS + " FROM customer ORDER BY id")) {
                    Object[][] buffer = new Object[ROWS_PER_STATEMENT][];
                    int buffered = 0;
                    while (rs.next()) {
                        buffer[buffered++] = new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getTimestamp(5)};
                        count++;
                        if (buffered == ROWS_PER_STATEMENT) {
                            bind(upsert, buffer, buffered);
                            upsert.executeUpdate();
                            buffered = 0;
                            if (count % ROWS_PER_COMMIT == 0) {
                                target.commit();
                            }
                        }
                    }
                    if (buffered > 0) {
                        try (PreparedStatement rest = target.prepareStatement(upsertTemplate.formatted(String.join(", ",
                                Collections.nCopies(buffered, row))))) {
                            bind(rest, buffer, buffered);
                            rest.executeUpdate();
                        }
                    }
                }
            }
            target.commit();
            source.commit();
        }
        return count;
    }

    private static void bind(PreparedStatement statement, Object[][] rows, int count) throws SQLException {
        int index = 1;
        for (int i = 0; i < count; i++) {
            for (Object value : rows[i]) {
                statement.setObject(index++, value);
            }
        }
    }

    private static long count(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM customer")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Count, and sums over the synced values, equal across engines when the tables hold the same rows. */
    private static String checksum(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(id), sum(length(name)), sum(length(email)), sum(balance), "
                     + "sum(CASE WHEN name LIKE 'maria%' THEN 1 ELSE 0 END) FROM customer")) {
            rs.next();
            return rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3) + "|" + rs.getLong(4) + "|"
                    + rs.getBigDecimal(5).stripTrailingZeros().toPlainString() + "|" + rs.getLong(6);
        }
    }

    /** Samples what the heap holds after each collection (the live data), keeping the most. */
    private static final class LiveHeap extends Thread {
        volatile long maxLive;

        LiveHeap() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                long live = heapPools().stream().map(MemoryPoolMXBean::getCollectionUsage).filter(java.util.Objects::nonNull)
                        .mapToLong(java.lang.management.MemoryUsage::getUsed).sum();
                maxLive = Math.max(maxLive, live);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static void resetPeakHeap() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
