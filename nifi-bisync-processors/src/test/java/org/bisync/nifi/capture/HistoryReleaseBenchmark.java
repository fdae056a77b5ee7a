/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Not a test: capture's release of the history rows it emitted ({@link HistoryReader#release}: copied into
 * bisync_released, deleted from bisync_history), {@code rows} rows of about 850 bytes (a change of the benchmark tables'
 * size) released in polls of 10,000 ids, while another session keeps inserting history rows one per transaction, as the
 * triggers of the users' writes do. Where the engine has range statements, each round also releases the same rows by
 * lists of ids (what MariaDB did before it had ranges), interleaved, in the same run. Prints the median rows/s of each
 * and the load average. Run: {@code java -cp <test classpath> org.bisync.nifi.capture.HistoryReleaseBenchmark [rows]
 * [mariadb,postgres,sqlite]} ({@code -Drounds}, default 5, after a warm-up round).
 */
public final class HistoryReleaseBenchmark {

    private static final int POLL = 10_000;
    private static final int FILL_BATCH = 500;

    private HistoryReleaseBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] engines = args.length > 1 ? args[1].split(",") : new String[]{"mariadb", "postgres", "sqlite"};
        int rounds = Integer.getInteger("rounds", 5);
        for (String engine : engines) {
            Dialect dialect = switch (engine) {
                case "postgres" -> new PostgresDialect();
                case "mariadb" -> new MariaDbDialect();
                default -> new SqliteDialect();
            };
            DataSource dataSource = switch (engine) {
                case "postgres" -> EmbeddedDatabases.postgres("release_bench");
                case "mariadb" -> EmbeddedDatabases.mariadb("release_bench");
                default -> EmbeddedDatabases.sqlite("release_bench");
            };
            run(engine, dialect, dataSource, rows, rounds);
        }
        System.exit(0);
    }

    private static void run(String engine, Dialect dialect, DataSource dataSource, int rows, int rounds) throws Exception {
        CaptureDialect capture = dialect.capture();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : capture.createBisyncTables()) {
                s.execute(sql);
            }
        }
        Map<String, CaptureDialect> variants = new LinkedHashMap<>();
        if (capture.deleteHistoryRange() != null) {
            variants.put("ranges", capture);
            variants.put("id lists", withoutRanges(capture));
        } else {
            variants.put("id lists", capture);
        }
        boolean concurrentWriter = !engine.equals("sqlite"); // one writer at a time there: a second one would only wait
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        System.out.printf("%s: release of %,d history rows in polls of %,d ids%s; %d rounds after a warm-up; %s%n", engine, rows, POLL,
                concurrentWriter ? ", another session inserting history rows meanwhile" : "", rounds, loadAverage());
        for (int round = -1; round < rounds; round++) {
            List<String> order = new ArrayList<>(variants.keySet());
            if (round % 2 != 0) {
                Collections.reverse(order);
            }
            for (String variant : order) {
                double rate = release(dataSource, variants.get(variant), rows, concurrentWriter);
                if (round >= 0) {
                    rates.computeIfAbsent(variant, k -> new ArrayList<>()).add(rate);
                }
            }
        }
        rates.forEach((variant, values) -> {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("  %-9s median %,8.0f rows/s (min %,.0f, max %,.0f)%n", variant, sorted[sorted.length / 2], sorted[0],
                    sorted[sorted.length - 1]);
        });
        System.out.println("  after the run: " + loadAverage());
    }

    /** The dialect as it is, but without range statements: history is released by lists of ids. */
    private static CaptureDialect withoutRanges(CaptureDialect capture) {
        return (CaptureDialect) Proxy.newProxyInstance(HistoryReleaseBenchmark.class.getClassLoader(), new Class<?>[]{CaptureDialect.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("copyHistoryRangeToReleased") || method.getName().equals("deleteHistoryRange")) {
                        return null;
                    }
                    try {
                        return method.invoke(capture, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Fills the history (untimed), then releases it poll by poll while a writer adds rows; returns rows released per second. */
    private static double release(DataSource dataSource, CaptureDialect capture, int rows, boolean concurrentWriter) throws Exception {
        fill(dataSource, rows);
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM bisync_history WHERE table_name = 'customer' ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> write(dataSource, stop));
        if (concurrentWriter) {
            writer.start();
        }
        HistoryReader reader = new HistoryReader(capture);
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < ids.size(); from += POLL) {
                reader.release(c, ids.subList(from, Math.min(ids.size(), from + POLL)), 1L, true);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        if (concurrentWriter) {
            writer.join();
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            if (count(s, "SELECT count(*) FROM bisync_history WHERE table_name = 'customer'") != 0
                    || count(s, "SELECT count(*) FROM bisync_released") != ids.size()) {
                throw new IllegalStateException("not every row released exactly once");
            }
            s.execute("DELETE FROM bisync_released");
            s.execute("DELETE FROM bisync_history");
        }
        return ids.size() / seconds;
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String image(long id) {
        return "{\"id\": " + id + ", \"name\": \"customer " + id + " with a name of some length\", \"industry\": \"industry " + (id % 17)
                + "\", \"revenue\": " + (id * 3) + ".25, \"notes\": \"" + "n".repeat(600) + "\"}";
    }

    private static void fill(DataSource dataSource, int rows) throws SQLException {
        String row = "('customer', 'INSERT', ?, NULL, ?, ?, 'A', NULL, NULL, NULL, 'A', NULL, NULL, ?, NULL, NULL)";
        String sql = "INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin, "
                + "prev_num, prev_origin, field_versions, origin, supersedes, tx_id, captured_at, tombstone_num, tombstone_origin) VALUES "
                + String.join(", ", Collections.nCopies(FILL_BATCH, row));
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql)) {
            c.setAutoCommit(false);
            for (int done = 0; done < rows; done += FILL_BATCH) {
                int index = 1;
                for (int i = 0; i < FILL_BATCH; i++) {
                    long id = done + i;
                    insert.setString(index++, "{\"id\": " + id + "}");
                    insert.setString(index++, image(id));
                    insert.setLong(index++, 1_000_000L + id);
                    insert.setLong(index++, 1_000_000L + id);
                }
                insert.executeUpdate();
                c.commit();
            }
        }
    }

    /** History rows of another table, one per transaction, until stopped. */
    private static void write(DataSource dataSource, AtomicBoolean stop) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("INSERT INTO bisync_history "
                + "(table_name, operation, key_data, after_data, version_num, version_origin, origin, captured_at) "
                + "VALUES ('other', 'INSERT', '{}', ?, 1, 'A', 'A', 1)")) {
            for (long i = 0; !stop.get(); i++) {
                insert.setString(1, image(i));
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String loadAverage() {
        try {
            return "load average " + String.join(" ", Arrays.copyOf(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim().split(" "), 3));
        } catch (java.io.IOException e) {
            return "load average unknown";
        }
    }
}
