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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Not a test: how the applications fare on a hot key set while the flow syncs it. 300 rows, three writer threads per
 * side (PostgreSQL and MariaDB) each updating random rows of the set in autocommit through our triggers, in
 * alternating phases without and with the two-way template running (headless, {@link FlowHarness}: capture, prevent
 * loops, resolve and apply in both directions). Prints per engine the users' own write rate without and with the flow
 * (median of the phases) and their ratio (target at least 0.5), and the deadlocks and other errors the users' own
 * statements received while the flow ran (target 0). At the end the flow runs until quiet and both tables are compared.
 *
 * <p>Run: {@code ./mvnw -q -o -pl nifi-bisync-demo -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * -Dmdep.includeScope=test} then {@code java -cp nifi-bisync-demo/target/test-classes:nifi-bisync-demo/target/classes:$(cat
 * nifi-bisync-demo/cp.txt) org.bisync.nifi.demo.bench.HotKeysBenchmark [seconds per phase] [phase pairs]}.
 */
public final class HotKeysBenchmark {

    private static final int KEYS = 300;
    private static final int WRITERS_PER_SIDE = 3;

    /** What the users of one side did in one phase. */
    private static final class Tally {
        final AtomicLong writes = new AtomicLong();
        final AtomicLong deadlocks = new AtomicLong();
        final AtomicLong otherErrors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        DataSource postgres = EmbeddedDatabases.postgres("hot_keys_bench");
        DataSource mariadb = EmbeddedDatabases.mariadb("hot_keys_bench");
        for (DataSource dataSource : List.of(postgres, mariadb)) {
            SampleTable.create(dataSource);
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO customer (id, name, email, balance) SELECT n, 'name', 'mail', 0 FROM "
                        + (SampleTable.engine(dataSource).equals("mariadb")
                                ? "(SELECT seq AS n FROM seq_1_to_" + KEYS + ") AS t"
                                : "generate_series(1, " + KEYS + ") AS t(n)"));
            }
        }
        try (FlowHarness harness = FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                .dataSource("postgresql", postgres)
                .dataSource("mariadb", mariadb)
                .log(line -> { })
                .build()) {
            harness.round(); // capture installs the triggers
            harness.runUntilQuiet(10_000, r -> { });
            List<double[]> pgRates = new ArrayList<>();
            List<double[]> mariaRates = new ArrayList<>();
            Tally pgWithFlow = new Tally();
            Tally mariaWithFlow = new Tally();
            long[] flowWork = new long[3]; // changes captured, FlowFiles moved, rounds
            for (int pair = 0; pair < pairs; pair++) {
                double[] pg = new double[2];
                double[] maria = new double[2];
                for (int withFlow = 0; withFlow < 2; withFlow++) {
                    Tally pgTally = withFlow == 1 ? pgWithFlow : new Tally();
                    Tally mariaTally = withFlow == 1 ? mariaWithFlow : new Tally();
                    long pgBefore = pgTally.writes.get();
                    long mariaBefore = mariaTally.writes.get();
                    long nanos = phase(postgres, mariadb, pgTally, mariaTally, withFlow == 1 ? harness : null, seconds, flowWork);
                    pg[withFlow] = (pgTally.writes.get() - pgBefore) * 1e9 / nanos;
                    maria[withFlow] = (mariaTally.writes.get() - mariaBefore) * 1e9 / nanos;
                    System.out.printf("phase %d %s flow: PostgreSQL users %.0f writes/s, MariaDB users %.0f writes/s%n", pair + 1,
                            withFlow == 1 ? "with" : "without", pg[withFlow], maria[withFlow]);
                }
                pgRates.add(pg);
                mariaRates.add(maria);
            }
            report("PostgreSQL", pgRates, pgWithFlow);
            report("MariaDB", mariaRates, mariaWithFlow);
            System.out.printf("while it ran, the flow captured %d changes (both sides) and moved %d FlowFiles in %d rounds%n",
                    flowWork[0], flowWork[1], flowWork[2]);
            boolean quiet = harness.runUntilQuiet(100_000, r -> { });
            System.out.printf("then quiet: %s, tables identical: %s%n", quiet, SampleTable.rows(postgres).equals(SampleTable.rows(mariadb)));
        }
        System.exit(0);
    }

    private static void report(String engine, List<double[]> rates, Tally withFlow) {
        double without = median(rates.stream().mapToDouble(r -> r[0]).toArray());
        double with = median(rates.stream().mapToDouble(r -> r[1]).toArray());
        System.out.printf("%s users on %d hot keys, %d writers: %.0f writes/s without the flow, %.0f with it: ratio %.2f (target >= 0.5); "
                        + "deadlocks received by the users' own statements while the flow ran: %d (target 0), other errors: %d%s%n",
                engine, KEYS, WRITERS_PER_SIDE, without, with, with / without, withFlow.deadlocks.get(), withFlow.otherErrors.get(),
                withFlow.firstError.get() == null ? "" : " (first: " + withFlow.firstError.get() + ")");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Runs the writers (and the flow, when given) for {@code seconds}; returns the nanoseconds the writers ran. */
    private static long phase(DataSource postgres, DataSource mariadb, Tally pg, Tally maria, FlowHarness harness, int seconds,
                              long[] flowWork) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WRITERS_PER_SIDE; i++) {
            threads.add(new Thread(() -> write(postgres, pg, running), "pg-writer-" + i));
            threads.add(new Thread(() -> write(mariadb, maria, running), "maria-writer-" + i));
        }
        AtomicReference<Throwable> flowFailure = new AtomicReference<>();
        Thread flow = harness == null ? null : new Thread(() -> {
            try {
                while (running.get()) {
                    FlowHarness.RoundReport report = harness.round();
                    flowWork[0] += report.captured();
                    flowWork[1] += report.moved();
                    flowWork[2]++;
                }
            } catch (Throwable t) {
                flowFailure.set(t);
            }
        }, "flow");
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        if (flow != null) {
            flow.start();
        }
        Thread.sleep(seconds * 1000L);
        running.set(false);
        long nanos = System.nanoTime() - start;
        for (Thread thread : threads) {
            thread.join();
        }
        if (flow != null) {
            flow.join();
            if (flowFailure.get() != null) {
                throw new IllegalStateException("The flow failed", flowFailure.get());
            }
        }
        return nanos;
    }

    private static void write(DataSource dataSource, Tally tally, AtomicBoolean running) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE customer SET balance = balance + 1, name = ? WHERE id = ?")) {
            while (running.get()) {
                update.setString(1, "n" + random.nextInt(1_000_000));
                update.setLong(2, 1 + random.nextInt(KEYS));
                try {
                    update.executeUpdate();
                    tally.writes.incrementAndGet();
                } catch (SQLException e) {
                    if (isDeadlock(e)) {
                        tally.deadlocks.incrementAndGet();
                    } else {
                        tally.otherErrors.incrementAndGet();
                        tally.firstError.compareAndSet(null, e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            tally.otherErrors.incrementAndGet();
            tally.firstError.compareAndSet(null, e.getMessage());
        }
    }

    private static boolean isDeadlock(SQLException e) {
        return "40P01".equals(e.getSQLState()) || e.getErrorCode() == 1213 || String.valueOf(e.getMessage()).contains("eadlock");
    }
}
