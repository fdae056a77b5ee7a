/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.KeyList;
import org.bisync.nifi.dialect.KeyParameters;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Not a test: the time of one statement over 500 keys of a 100,000-row table on PostgreSQL, each key list bound as one
 * array ({@link PostgresKeyList}, {@code k = ANY(?)}) against a parameter per key ({@code k IN (?, ...)}, what every
 * statement over keys did before), in the same run, interleaved: Apply's version reads (plain, and locked in key order),
 * its row locks and its read-back (versions joined to the rows), ResolveConflicts' version and row reads. The count of
 * keys varies a little from read to read (450 to 500), as the batches of a real flow do. Prints the median and the 90th
 * percentile of each. Run: {@code java -cp <test classpath> org.bisync.nifi.dialect.postgres.PostgresKeyListBenchmark
 * [reads per round]} ({@code -Drounds}, default 5).
 */
public final class PostgresKeyListBenchmark {

    private static final int ROWS = 100_000;
    private static final int KEYS = 500;

    private PostgresKeyListBenchmark() {
    }

    private record Statement(String name, IntFunction<String> sql) {
    }

    public static void main(String[] args) throws Exception {
        int reads = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = Integer.getInteger("rounds", 5);
        PgFixture db = new PgFixture("pg_key_list_bench");
        db.exec("CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(255), industry varchar(100), revenue numeric(18,2))",
                "INSERT INTO customer SELECT g, 'name ' || g, 'industry ' || (g % 10), g * 1.5 FROM generate_series(1, " + ROWS + ") g");
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        db.exec("INSERT INTO " + PostgresSql.versionTable(table) + " (id, version_num, version_origin, deleted) "
                + "SELECT id, 100, 'A', false FROM customer ON CONFLICT DO NOTHING", "ANALYZE");
        PostgresDialect dialect = db.dialect;
        List<Statement> statements = List.of(
                new Statement("Apply: version read", n -> dialect.apply().readVersions(table, n)),
                new Statement("Apply: versions locked", n -> dialect.apply().selectVersions(table, n)),
                new Statement("Apply: rows locked", n -> dialect.apply().lockRows(table, n)),
                new Statement("Apply: read-back", n -> KeyQueries.selectVersionsWithRows(dialect, table, n)),
                new Statement("Resolve: row read", n -> KeyQueries.selectRowsByKeys(dialect, table, n)));
        KeyList array = dialect.keyList(table.keyColumns());
        KeyList perKey = new KeyParameters(dialect.types(), table.keyColumns(), (alias, n) -> array.condition(alias, n));
        String arrayCondition = array.condition(null, KEYS);
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        Random random = new Random(7);
        System.out.println("PostgreSQL, one statement over " + (KEYS - 50) + "-" + KEYS + " keys of " + ROWS + " rows, " + reads
                + " reads per variant and round, " + rounds + " rounds after a warm-up; " + loadAverage());
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            for (int round = -1; round < rounds; round++) {
                for (Statement statement : statements) {
                    boolean arrayFirst = round % 2 == 0;
                    for (boolean asArray : arrayFirst ? new boolean[]{true, false} : new boolean[]{false, true}) {
                        List<Double> times = new ArrayList<>();
                        for (int i = 0; i < reads; i++) {
                            int n = KEYS - random.nextInt(51);
                            List<Map<String, Object>> keys = new ArrayList<>();
                            random.longs(n, 1, ROWS + 1).sorted().forEach(id -> keys.add(Map.of("id", id)));
                            String sql = statement.sql().apply(n);
                            if (!asArray) {
                                // the same statement with the keys' IN list, as it was before the array
                                sql = sql.replace(arrayCondition, "\"id\" IN (" + String.join(", ", Collections.nCopies(n, "?")) + ")");
                            }
                            long start = System.nanoTime();
                            try (PreparedStatement select = connection.prepareStatement(sql)) {
                                (asArray ? array : perKey).bind(select, 1, keys);
                                try (ResultSet rs = select.executeQuery()) {
                                    while (rs.next()) {
                                        rs.getObject(1);
                                    }
                                }
                            }
                            connection.commit();
                            times.add((System.nanoTime() - start) / 1e6);
                        }
                        if (round >= 0) {
                            millis.computeIfAbsent(statement.name() + (asArray ? ", = ANY(?)" : ", IN (?, ...)"), k -> new ArrayList<>())
                                    .addAll(times);
                        }
                    }
                }
            }
        }
        millis.forEach((name, times) -> {
            double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("  %-40s median %6.2f ms  p90 %6.2f ms%n", name, sorted[sorted.length / 2], sorted[sorted.length * 9 / 10]);
        });
        System.out.println("after the run: " + loadAverage());
        System.exit(0);
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
