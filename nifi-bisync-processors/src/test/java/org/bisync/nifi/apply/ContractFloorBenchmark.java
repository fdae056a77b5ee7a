/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.capture.CapturePoll;
import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.resolve.BatchResolution;
import org.bisync.nifi.resolve.DecidedChanges;
import org.bisync.nifi.resolve.Resolver;
import org.bisync.nifi.resolve.TargetResolution;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not a test: how close to a raw JDBC copy the design's contracts let a bulk sync get, without NiFi. For each direction
 * between PostgreSQL and MariaDB, a bulk INSERT of {@code -Dbisync.bench.rows} (100,000) rows of the end-to-end
 * benchmark's table (nifi-bisync-system-tests' BulkRows) in one statement at the source, then, in interleaved rounds
 * ({@code -Drounds}, 3, after a warm-up of a tenth of the rows), each of:
 * <ul>
 *   <li>(a) raw: the e2e benchmark's raw copy (read the rows, upserts of 1,000 rows per statement, each committed, into a
 *   table without triggers);</li>
 *   <li>(b) floor: the same copy into the target's synced table with our triggers (installed by {@link TriggerInstaller}),
 *   under Apply's origin marker, plus the version rows as Apply writes them ({@code upsertVersions}) and their read-back
 *   ({@link KeyQueries#selectVersionsWithRows}, as Apply verifies) in the same transaction; at the source, the history
 *   rows read and released by {@link HistoryReader};</li>
 *   <li>(c) ours: {@link CapturePoll} (read and decode the history, polls of 50,000), in changes of 1,000 (a FlowFile)
 *   handed in memory to {@link TargetResolution} (ResolveConflicts' decision) and {@link ChangeApplier} (500 keys per
 *   transaction, 100 ms, Apply's defaults), the applied ids acknowledged ({@link AckLedger}) and the poll released.</li>
 * </ul>
 * Prints per direction the medians (with min and max) of rows/s, the ratios to (a), and the time of each step.
 * Run: {@code java -cp <test classpath> org.bisync.nifi.apply.ContractFloorBenchmark}.
 */
public final class ContractFloorBenchmark {

    private static final int ROWS = Integer.getInteger("bisync.bench.rows", 100_000);
    private static final int ROUNDS = Integer.getInteger("rounds", 3);
    /** As BulkRows and capture's Max Changes Per FlowFile in the templates. */
    private static final int CHUNK = 1000;
    private static final int POLL = 50_000;
    private static final long POLL_BYTES = 32L << 20;
    private static final int APPLY_ROWS = 500;
    private static final String TABLE = "customer";
    private static final String RAW_TABLE = "customer_raw";

    private record Side(String system, Dialect dialect, DataSource dataSource, SyncedTable table) {
        String engine() {
            return system;
        }
    }

    /**
     * Time per step of one run, in the order the steps ran, and the database's share of each: the time of the statements
     * (execute and commit calls) run on the connections {@link #timed} wrapped, per step and kind of statement.
     */
    private static final class Steps {
        final Map<String, Long> nanos = new LinkedHashMap<>();
        /** step, then kind of statement: {count, nanos}. */
        final Map<String, Map<String, long[]>> statements = new LinkedHashMap<>();
        private String current = "untimed";

        <T> T time(String step, SqlWork<T> work) throws SQLException {
            long start = System.nanoTime();
            current = step;
            try {
                return work.run();
            } finally {
                current = "untimed";
                nanos.merge(step, System.nanoTime() - start, Long::sum);
            }
        }

        double seconds() {
            return nanos.values().stream().mapToLong(Long::longValue).sum() / 1e9;
        }

        private void statement(String kind, long took) {
            long[] entry = statements.computeIfAbsent(current, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new long[2]);
            entry[0]++;
            entry[1] += took;
        }

        /** The connection, with the time of its statements' execute calls and of its commits recorded per step and kind. */
        Connection timed(Connection connection) {
            return (Connection) Proxy.newProxyInstance(ContractFloorBenchmark.class.getClassLoader(), new Class<?>[]{Connection.class},
                    (proxy, method, args) -> {
                        long start = System.nanoTime();
                        Object result = invoke(connection, method, args);
                        if (method.getName().equals("commit")) {
                            statement("COMMIT", System.nanoTime() - start);
                        } else if (result instanceof PreparedStatement prepared) {
                            return timed(prepared, kind((String) args[0]));
                        } else if (result instanceof Statement plain) {
                            return timed(plain, null);
                        }
                        return result;
                    });
        }

        private Object timed(Statement statement, String kind) {
            Class<?> type = statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(ContractFloorBenchmark.class.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
                if (!method.getName().startsWith("execute")) {
                    return invoke(statement, method, args);
                }
                long start = System.nanoTime();
                try {
                    return invoke(statement, method, args);
                } finally {
                    statement(kind != null ? kind : kind((String) args[0]), System.nanoTime() - start);
                }
            });
        }

        private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /** A statement's kind: its verb and the first table it names, with FOR UPDATE and JOIN when there. */
        private static String kind(String sql) {
            // the head and the tail only: a multi-row statement's text is long, and this runs inside the timed steps
            String head = sql.length() > 400 ? sql.substring(0, 400) + " " + sql.substring(sql.length() - 100) : sql;
            String text = head.replaceAll("\\s+", " ").trim();
            Matcher verb = Pattern.compile("^(\\w+)").matcher(text);
            String kind = verb.find() ? verb.group(1).toUpperCase(Locale.ROOT) : "?";
            Matcher table = Pattern.compile("(?i)\\b(?:INTO|FROM|UPDATE)\\s+[`\"]?(\\w+)").matcher(text);
            if (table.find()) {
                kind += " " + table.group(1);
            }
            String upper = text.toUpperCase(Locale.ROOT);
            return kind + (upper.contains(" JOIN ") ? " JOIN" : "") + (upper.contains("FOR UPDATE") || upper.contains("FOR SHARE") ? " locking" : "");
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("postgresql", 0), new SyncSystem("mariadb", 0)),
            List.of(TableSettings.twoWay(TABLE)), null);

    private long nextId = 1;

    private ContractFloorBenchmark() {
    }

    public static void main(String[] args) {
        try {
            measure();
        } catch (Throwable e) { // an OutOfMemoryError included: the embedded databases' threads would keep the JVM alive
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void measure() throws Exception {
        System.out.println("start: " + loadAverage());
        Side pg = side("postgresql", new PostgresDialect(), EmbeddedDatabases.postgres("floor_bench"));
        Side maria = side("mariadb", new MariaDbDialect(), EmbeddedDatabases.mariadb("floor_bench"));
        ContractFloorBenchmark bench = new ContractFloorBenchmark();
        List<Side[]> directions = List.of(new Side[]{pg, maria}, new Side[]{maria, pg});
        Map<String, Map<String, List<Steps>>> results = new LinkedHashMap<>();
        String[] kinds = {"a", "b", "c"};
        for (int round = -1; round < ROUNDS; round++) {
            int rows = round < 0 ? ROWS / 10 : ROWS;
            for (Side[] direction : directions) {
                String name = direction[0].engine() + " -> " + direction[1].engine();
                for (int k = 0; k < kinds.length; k++) {
                    String kind = kinds[Math.floorMod(k + round, kinds.length)]; // each kind first, second, third in turn
                    Steps steps = bench.run(kind, direction[0], direction[1], rows);
                    if (round >= 0) {
                        results.computeIfAbsent(name, n -> new LinkedHashMap<>()).computeIfAbsent(kind, n -> new ArrayList<>()).add(steps);
                    }
                }
            }
            System.out.printf("round %d done (%,d rows): %s%n", round, rows, loadAverage());
        }
        results.forEach((name, byKind) -> report(name, byKind));
        System.out.println("end: " + loadAverage());
    }

    private static Side side(String system, Dialect dialect, DataSource dataSource) throws SQLException {
        String timestamp = system.equals("mariadb") ? "DATETIME(6)" : "TIMESTAMP(6)";
        for (String table : List.of(TABLE, RAW_TABLE)) {
            Jdbc.exec(dataSource, "CREATE TABLE " + table + " (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                    + "balance DECIMAL(12,2), updated_at " + timestamp + ")");
        }
        try (Connection c = dataSource.getConnection()) {
            SyncedTable table = new SyncedTableCache(TOPOLOGY, system, dialect).table(c, TABLE);
            new TriggerInstaller(dialect).install(c, List.of(table), System.currentTimeMillis() * 1000L);
            return new Side(system, dialect, dataSource, table);
        }
    }

    private Steps run(String kind, Side source, Side target, int rows) throws SQLException {
        long first = nextId;
        long last = first + rows - 1;
        nextId = last + 1;
        cleanUp(source);
        cleanUp(target);
        insertAtSource(source, first, last);
        Steps steps = new Steps();
        try (Connection rawFrom = source.dataSource().getConnection(); Connection rawTo = target.dataSource().getConnection()) {
            Connection from = steps.timed(rawFrom);
            Connection to = steps.timed(rawTo);
            switch (kind) {
                case "a" -> raw(steps, from, to, target, first, last);
                case "b" -> floor(steps, from, to, source, target, first, last);
                default -> ours(steps, from, to, source, target);
            }
        }
        check(kind, source, target, first, last);
        return steps;
    }

    private record Row(long id, String name, String email, BigDecimal balance, Timestamp updatedAt) {
    }

    /** (a): BulkRows.rawCopy's work, on held connections. */
    private static void raw(Steps steps, Connection from, Connection to, Side target, long first, long last) throws SQLException {
        List<Row> rows = steps.time("read rows", () -> readRows(from, first, last));
        steps.time("upsert rows", () -> {
            to.setAutoCommit(true);
            for (int i = 0; i < rows.size(); i += CHUNK) {
                upsert(to, target.engine(), RAW_TABLE, rows.subList(i, Math.min(rows.size(), i + CHUNK)));
            }
            return null;
        });
    }

    /** (b): the raw copy into the synced table under the origin marker, with the version rows, their read-back and the history. */
    private static void floor(Steps steps, Connection from, Connection to, Side source, Side target, long first, long last)
            throws SQLException {
        List<Row> rows = steps.time("read rows", () -> readRows(from, first, last));
        HistoryReader reader = new HistoryReader(source.dialect().capture());
        ChangeDecoder decoder = new ChangeDecoder(source.dialect().types(), source.system());
        Map<Long, HistoryRow> historyById = new HashMap<>();
        List<Long> historyIds = new ArrayList<>();
        steps.time("read history", () -> {
            // every unreleased row in one read (its pages follow the ids; nothing is released before the chunks are written)
            for (HistoryRow row : reader.readUnreleased(from, Integer.MAX_VALUE, Long.MAX_VALUE)) {
                historyIds.add(row.id());
                historyById.put(((Number) decoder.decodeKey(row.id(), row.keyData(), source.table()).get("id")).longValue(), row);
            }
            return null;
        });
        SyncedTable table = target.table();
        to.setAutoCommit(false);
        for (int i = 0; i < rows.size(); i += CHUNK) {
            List<Row> chunk = rows.subList(i, Math.min(rows.size(), i + CHUNK));
            steps.time("mark origin", () -> {
                target.dialect().apply().markOrigin(to, source.system());
                return null;
            });
            steps.time("upsert rows", () -> upsert(to, target.engine(), TABLE, chunk));
            steps.time("upsert versions", () -> {
                try (PreparedStatement versions = to.prepareStatement(target.dialect().apply().upsertVersions(table, chunk.size()))) {
                    int index = 1;
                    for (Row row : chunk) {
                        HistoryRow history = historyById.get(row.id());
                        versions.setLong(index++, row.id());
                        versions.setLong(index++, history.versionNum());
                        versions.setString(index++, history.versionOrigin());
                        if (history.prevNum() == null) {
                            versions.setNull(index++, Types.BIGINT);
                        } else {
                            versions.setLong(index++, history.prevNum());
                        }
                        versions.setString(index++, history.prevOrigin());
                        versions.setBoolean(index++, false);
                        versions.setString(index++, null);
                        versions.setNull(index++, Types.BIGINT);
                        versions.setString(index++, null);
                        versions.setString(index++, null);
                    }
                    return versions.executeUpdate();
                }
            });
            steps.time("read back", () -> {
                try (PreparedStatement read = to.prepareStatement(KeyQueries.selectVersionsWithRows(target.dialect(), table, chunk.size()))) {
                    int index = 1;
                    for (Row row : chunk) {
                        read.setLong(index++, row.id());
                    }
                    int seen = 0;
                    try (ResultSet rs = read.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getLong(2) != historyById.get(rs.getLong(1)).versionNum()) {
                                throw new IllegalStateException("version row " + rs.getLong(1) + " does not read back as written");
                            }
                            seen++;
                        }
                    }
                    if (seen != chunk.size()) {
                        throw new IllegalStateException(seen + " of " + chunk.size() + " version rows read back");
                    }
                    return null;
                }
            });
            steps.time("clear origin, commit", () -> {
                target.dialect().apply().clearOriginBeforeCommit(to);
                to.commit();
                return null;
            });
        }
        target.dialect().apply().clearOrigin(to);
        to.setAutoCommit(true);
        steps.time("release history", () -> {
            reader.release(from, historyIds, System.currentTimeMillis() * 1000L, true);
            return null;
        });
    }

    /** (c): capture's poll, ResolveConflicts' decision and Apply's applier, handed the ChangeRecords in memory. */
    private static void ours(Steps steps, Connection from, Connection to, Side source, Side target) throws SQLException {
        HistoryReader reader = new HistoryReader(source.dialect().capture());
        CapturePoll poll = new CapturePoll(reader, new ChangeDecoder(source.dialect().types(), source.system()), source.system());
        SyncedTableCache sourceTables = new SyncedTableCache(TOPOLOGY, source.system(), source.dialect());
        TargetResolution resolution = new TargetResolution(TOPOLOGY, target.system(), Resolver.DEFAULT_NEAR_TIE_MICROS);
        ChangeApplier applier = new ChangeApplier(target.dialect(), TOPOLOGY, target.system(), APPLY_ROWS, warning -> { })
                .limitTransactions(new TransactionLimits(APPLY_ROWS, 100));
        AckLedger acks = new AckLedger(source.dialect().capture());
        while (true) {
            CapturePoll.Result polled = steps.time("capture poll", () -> {
                CapturePoll.Result result = poll.poll(from, (c, local) -> java.util.Optional.of(sourceTables.table(c, TABLE)), POLL, POLL_BYTES);
                if (!from.getAutoCommit()) {
                    from.commit();
                }
                return result;
            });
            if (polled.readIds().isEmpty()) {
                return;
            }
            if (!polled.failed().isEmpty() || polled.notSent() > 0) {
                throw new IllegalStateException(polled.failed().size() + " history rows failed, " + polled.notSent() + " not sent");
            }
            for (CapturePoll.TableBatch batch : polled.batches()) {
                for (int i = 0; i < batch.changes().size(); i += CHUNK) {
                    List<ChangeRecord> flowFile = batch.changes().subList(i, Math.min(batch.changes().size(), i + CHUNK));
                    List<ChangeRecord> toApply = steps.time("resolve", () -> {
                        List<BatchResolution.Pending> pending = new ArrayList<>();
                        for (int n = 0; n < flowFile.size(); n++) {
                            pending.add(new BatchResolution.Pending(n, flowFile.get(n)));
                        }
                        TargetResolution.Result result = resolution.decide(to, Map.of(TABLE, pending), new TargetResolution.PageRange(null, null),
                                System.currentTimeMillis() * 1000L);
                        return DecidedChanges.of(result).toApply();
                    });
                    if (toApply.size() != flowFile.size()) {
                        throw new IllegalStateException(toApply.size() + " of " + flowFile.size() + " changes decided APPLY");
                    }
                    ApplyResult applied = steps.time("apply", () -> applier.apply(to, target.table(), toApply));
                    if (applied.count(ApplyStatus.APPLIED) != toApply.size()) {
                        throw new IllegalStateException("not all applied: " + applied.outcomes().stream()
                                .filter(o -> o.status() != ApplyStatus.APPLIED).findFirst().orElseThrow());
                    }
                    steps.time("acknowledge", () -> {
                        acks.acknowledge(from, target.system(), toApply.stream().map(c -> c.sequence).toList());
                        return null;
                    });
                }
            }
            steps.time("release history", () -> {
                reader.release(from, polled.readIds(), System.currentTimeMillis() * 1000L, true);
                return null;
            });
        }
    }

    private static List<Row> readRows(Connection from, long first, long last) throws SQLException {
        List<Row> rows = new ArrayList<>();
        boolean autoCommit = from.getAutoCommit();
        from.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        try (PreparedStatement read = from.prepareStatement(
                "SELECT id, name, email, balance, updated_at FROM " + TABLE + " WHERE id BETWEEN ? AND ? ORDER BY id")) {
            read.setFetchSize(CHUNK);
            read.setLong(1, first);
            read.setLong(2, last);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getTimestamp(5)));
                }
            }
            from.commit();
        } finally {
            from.setAutoCommit(autoCommit);
        }
        return rows;
    }

    /** BulkRows' multi-row upsert, into {@code table}. */
    private static int upsert(Connection to, String engine, String table, List<Row> rows) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (id, name, email, balance, updated_at) VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?)");
        }
        sql.append(engine.equals("mariadb")
                ? " ON DUPLICATE KEY UPDATE name = VALUES(name), email = VALUES(email), balance = VALUES(balance), updated_at = VALUES(updated_at)"
                : " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, balance = EXCLUDED.balance, "
                + "updated_at = EXCLUDED.updated_at");
        try (PreparedStatement upsert = to.prepareStatement(sql.toString())) {
            int i = 1;
            for (Row row : rows) {
                upsert.setLong(i++, row.id());
                upsert.setString(i++, row.name());
                upsert.setString(i++, row.email());
                upsert.setBigDecimal(i++, row.balance());
                upsert.setTimestamp(i++, row.updatedAt());
            }
            return upsert.executeUpdate();
        }
    }

    /** BulkRows.insert: one INSERT of ids first..last into the synced table, its triggers writing the history. */
    private static void insertAtSource(Side source, long first, long last) throws SQLException {
        String sql = source.engine().equals("postgresql")
                ? "INSERT INTO " + TABLE + " (id, name, email, balance, updated_at) SELECT g, 'name ' || g, 'user' || g || '@example.com', "
                + "(g % 100000) / 100.0, TIMESTAMP '2026-01-01 00:00:00' + g * INTERVAL '1 second' FROM generate_series(" + first + ", " + last + ") g"
                : "INSERT INTO " + TABLE + " (id, name, email, balance, updated_at) SELECT seq, CONCAT('name ', seq), CONCAT('user', seq, "
                + "'@example.com'), (seq % 100000) / 100.0, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_" + first + "_to_" + last;
        try (Connection c = source.dataSource().getConnection()) {
            c.setAutoCommit(false);
            Jdbc.exec(c, sql);
            c.commit();
        }
    }

    /** Untimed: empties the tables, the version rows, released history and acknowledgements (under the marker: no history). */
    private static void cleanUp(Side side) throws SQLException {
        String versions = side.dialect().identifiers().quote(side.dialect().identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, TABLE));
        try (Connection c = side.dataSource().getConnection()) {
            c.setAutoCommit(false);
            side.dialect().apply().markOrigin(c, "cleanup");
            Jdbc.exec(c, "DELETE FROM " + TABLE, "DELETE FROM " + RAW_TABLE, "DELETE FROM " + versions,
                    "DELETE FROM " + BisyncTables.RELEASED, "DELETE FROM " + BisyncTables.ACK);
            side.dialect().apply().clearOriginBeforeCommit(c);
            c.commit();
            side.dialect().apply().clearOrigin(c);
            c.setAutoCommit(true);
        }
    }

    /** Every row arrived, with a version row for (b) and (c), and nothing is left unreleased at the source. */
    private static void check(String kind, Side source, Side target, long first, long last) throws SQLException {
        String range = " WHERE id BETWEEN " + first + " AND " + last;
        String versions = target.dialect().identifiers().quote(target.dialect().identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, TABLE));
        long expected = last - first + 1;
        long arrived = Jdbc.count(target.dataSource(), "SELECT COUNT(*) FROM " + (kind.equals("a") ? RAW_TABLE : TABLE) + range);
        long versioned = kind.equals("a") ? expected : Jdbc.count(target.dataSource(), "SELECT COUNT(*) FROM " + versions + range);
        long targetHistory = Jdbc.count(target.dataSource(), "SELECT COUNT(*) FROM " + BisyncTables.HISTORY);
        long unreleased = kind.equals("a") ? 0 : Jdbc.count(source.dataSource(), "SELECT COUNT(*) FROM " + BisyncTables.HISTORY);
        if (arrived != expected || versioned != expected || unreleased != 0 || targetHistory != 0) {
            throw new IllegalStateException("(" + kind + ") " + source.system() + " -> " + target.system() + ": " + arrived + " rows and "
                    + versioned + " version rows of " + expected + " at the target, " + unreleased + " history rows left at the source, "
                    + targetHistory + " history rows written at the target");
        }
        if (kind.equals("a")) {
            // the raw copy leaves the source's history of its rows unread: cleared untimed
            try (Connection c = source.dataSource().getConnection()) {
                Jdbc.exec(c, "DELETE FROM " + BisyncTables.HISTORY);
            }
        }
    }

    private static void report(String direction, Map<String, List<Steps>> byKind) {
        double raw = median(byKind.get("a"));
        System.out.printf("%n%s, %,d rows, %d rounds (median rows/s, min-max):%n", direction, ROWS, byKind.get("a").size());
        for (Map.Entry<String, List<Steps>> entry : byKind.entrySet()) {
            List<Steps> runs = entry.getValue();
            double[] rates = runs.stream().mapToDouble(s -> ROWS / s.seconds()).sorted().toArray();
            double rate = median(runs);
            String label = switch (entry.getKey()) {
                case "a" -> "(a) raw copy           ";
                case "b" -> "(b) contract's floor   ";
                default -> "(c) our pipeline       ";
            };
            System.out.printf("  %s %,8.0f rows/s (%,.0f-%,.0f), ratio to (a) %.2f%n", label, rate, rates[0], rates[rates.length - 1],
                    rate / raw);
            Map<String, List<Double>> stepSeconds = new LinkedHashMap<>();
            runs.forEach(s -> s.nanos.forEach((step, nanos) -> stepSeconds.computeIfAbsent(step, k -> new ArrayList<>()).add(nanos / 1e9)));
            StringBuilder line = new StringBuilder("      steps, median s:");
            stepSeconds.forEach((step, values) -> line.append(String.format(" %s %.2f;", step, values.stream().sorted().toList()
                    .get(values.size() / 2))));
            System.out.println(line);
            if (!entry.getKey().equals("a")) {
                statementShares(runs);
            }
        }
    }

    /** Per step, the mean per run of its statements' time by kind, and the rest (Java, JDBC encoding, round trips' ends). */
    private static void statementShares(List<Steps> runs) {
        Map<String, Double> stepSeconds = new LinkedHashMap<>();
        Map<String, Map<String, double[]>> byStep = new LinkedHashMap<>();
        for (Steps run : runs) {
            run.nanos.forEach((step, nanos) -> stepSeconds.merge(step, nanos / 1e9 / runs.size(), Double::sum));
            run.statements.forEach((step, kinds) -> kinds.forEach((kind, value) -> {
                double[] sum = byStep.computeIfAbsent(step, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new double[2]);
                sum[0] += (double) value[0] / runs.size();
                sum[1] += value[1] / 1e9 / runs.size();
            }));
        }
        stepSeconds.forEach((step, seconds) -> {
            Map<String, double[]> kinds = byStep.getOrDefault(step, Map.of());
            double database = kinds.values().stream().mapToDouble(v -> v[1]).sum();
            StringBuilder line = new StringBuilder(String.format("      %-22s mean %.2f s: statements %.2f s, rest %.2f s", step, seconds, database,
                    seconds - database));
            kinds.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1]))
                    .forEach(e -> line.append(String.format("; %s %.0fx %.2f s", e.getKey(), e.getValue()[0], e.getValue()[1])));
            System.out.println(line);
        });
    }

    private static double median(List<Steps> runs) {
        double[] rates = runs.stream().mapToDouble(s -> ROWS / s.seconds()).sorted().toArray();
        return rates[rates.length / 2];
    }

    private static String loadAverage() {
        try {
            return "load average " + String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (java.io.IOException e) {
            return "load average unknown";
        }
    }
}
