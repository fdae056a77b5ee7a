/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the replay check of ResolveConflicts and ApplyBidirectionalChanges (DecidedReplays) costs per FlowFile: one
 * connection from the pool and one read of every bisync_ack row of the target, per source system. Not a test:
 * {@code java -cp <test classpath> org.bisync.nifi.purge.AckReadBenchmark [postgres,mariadb,sqlite]}. For growing
 * numbers of ack rows (one row per acknowledged FlowFile range that did not merge), prints the median time of that
 * read next to a {@code SELECT 1} on a pooled connection in the same run, and the ratio.
 */
public final class AckReadBenchmark {

    private static final int ROUNDS = 51;

    private AckReadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String[] engines = args.length > 0 ? args[0].split(",") : new String[]{"postgres", "mariadb", "sqlite"};
        for (String engine : engines) {
            DataSource dataSource = switch (engine) {
                case "postgres" -> EmbeddedDatabases.postgres("ack_bench");
                case "mariadb" -> EmbeddedDatabases.mariadb("ack_bench");
                default -> EmbeddedDatabases.sqlite("ack_bench");
            };
            run(engine, dataSource);
        }
        System.exit(0);
    }

    private static void run(String engine, DataSource dataSource) throws Exception {
        Dialect dialect;
        try (Connection connection = dataSource.getConnection()) {
            dialect = Dialects.forConnection(connection);
            new TriggerInstaller(dialect).install(connection, List.of(), 0);
        }
        AckLedger ledger = new AckLedger(dialect.capture());
        int rows = 0;
        for (int target : new int[]{10, 100, 1_000, 10_000, 50_000}) {
            List<Range> more = new ArrayList<>();
            for (; rows < target; rows++) {
                more.add(new Range(rows * 200L + 1, rows * 200L + 100)); // gaps: ranges of different FlowFiles that do not merge
            }
            try (Connection connection = dataSource.getConnection()) {
                ledger.acknowledge(connection, "B", more);
            }
            double read = median(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    ledger.acknowledged(connection, "B");
                }
            });
            double trivial = median(() -> {
                try (Connection connection = dataSource.getConnection();
                     Statement s = connection.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
            });
            System.out.printf("%-8s ack rows %6d: read %8.3f ms, SELECT 1 %6.3f ms, ratio %6.1f%n", engine, rows, read, trivial, read / trivial);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double median(Work work) throws Exception {
        double[] times = new double[ROUNDS];
        for (int i = 0; i < 5; i++) {
            work.run();
        }
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            work.run();
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(times);
        return times[ROUNDS / 2];
    }
}
