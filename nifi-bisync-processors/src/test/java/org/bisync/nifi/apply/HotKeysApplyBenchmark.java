/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.bisync.nifi.apply.ApplyDatabase.change;
import static org.bisync.nifi.apply.ApplyDatabase.row;
import static org.bisync.nifi.change.Operation.UPDATE;

/**
 * Not a test: the applications against apply on a hot key set, per engine. 300 rows carrying our triggers; three user
 * threads update random rows in autocommit (through the triggers), while two apply threads (two concurrent Apply tasks)
 * apply batches of 100 synced updates of random rows of the same set (1,000 changes/s in all by default, about what
 * the other side's users write), each a version above the clock so it wins and writes.
 * Alternating phases without and with apply: prints the users' write rate (median of the phases)
 * and its ratio with/without (target at least 0.5), the deadlocks and other errors the users' own statements received
 * while apply ran (target 0), and what apply did (records applied, records that ended in retry after the in-place
 * retries). Run: {@code java -cp <test classpath of nifi-bisync-processors> org.bisync.nifi.apply.HotKeysApplyBenchmark
 * [seconds per phase] [phase pairs] [apply changes/s]}.
 */
public final class HotKeysApplyBenchmark {

    private static final int KEYS = 300;
    private static final int USERS = 3;
    private static final int APPLIERS = 2;
    private static final int BATCH = 100;
    /** Changes per second all appliers together apply: what the other side's users write, as a flow would bring it. */
    private static int applyRate;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        applyRate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        run("PostgreSQL", new ApplyDatabase(new PostgresDialect(), EmbeddedDatabases.postgres("hot_apply_bench"), "SELECT 1", "%s"), seconds, pairs);
        run("MariaDB", new ApplyDatabase(new MariaDbDialect(), EmbeddedDatabases.mariadb("hot_apply_bench"), "SELECT 1", "%s"), seconds, pairs);
        System.exit(0);
    }

    private static void run(String engine, ApplyDatabase db, int seconds, int pairs) throws Exception {
        db.exec("CREATE TABLE hot (id int PRIMARY KEY, name varchar(40), qty int)");
        SyncTopology topology = ApplyDatabase.topology(null, TableSettings.twoWay("hot"));
        SyncedTable table = db.install(topology, "hot");
        try (Connection c = db.connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO hot (id, name, qty) VALUES (?, 'n', 0)")) {
            for (int id = 1; id <= KEYS; id++) {
                insert.setInt(1, id);
                insert.executeUpdate();
            }
        }
        AtomicLong userDeadlocks = new AtomicLong();
        AtomicLong userErrors = new AtomicLong();
        AtomicLong applied = new AtomicLong();
        AtomicLong retried = new AtomicLong();
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        String firstError = null;
        for (int pair = 0; pair < pairs; pair++) {
            for (int withApply = 0; withApply < 2; withApply++) {
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong writes = new AtomicLong();
                AtomicLong deadlocks = new AtomicLong();
                AtomicLong errors = new AtomicLong();
                String[] error = new String[1];
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    threads.add(new Thread(() -> user(db, running, writes, deadlocks, errors, error)));
                }
                for (int i = 0; withApply == 1 && i < APPLIERS; i++) {
                    threads.add(new Thread(() -> applier(db, topology, table, running, applied, retried)));
                }
                long start = System.nanoTime();
                threads.forEach(Thread::start);
                Thread.sleep(seconds * 1000L);
                running.set(false);
                long nanos = System.nanoTime() - start;
                for (Thread thread : threads) {
                    thread.join();
                }
                double rate = writes.get() * 1e9 / nanos;
                (withApply == 1 ? with : without).add(rate);
                if (withApply == 1) {
                    userDeadlocks.addAndGet(deadlocks.get());
                    userErrors.addAndGet(errors.get());
                    firstError = firstError == null ? error[0] : firstError;
                }
                System.out.printf("%s phase %d %s apply: users %.0f writes/s, deadlocks %d%n", engine, pair + 1,
                        withApply == 1 ? "with" : "without", rate, deadlocks.get());
            }
        }
        double w = median(without);
        double a = median(with);
        System.out.printf("%s: users on %d hot keys, %d writers, %d concurrent applies of %d-row batches, %d changes/s: %.0f writes/s without apply, "
                        + "%.0f with it: ratio %.2f (target >= 0.5); deadlocks received by the users' own statements: %d (target 0), "
                        + "other user errors: %d%s; apply applied %d records, %d ended in retry%n",
                engine, KEYS, USERS, APPLIERS, BATCH, applyRate, w, a, a / w, userDeadlocks.get(), userErrors.get(),
                firstError == null ? "" : " (first: " + firstError + ")", applied.get(), retried.get());
    }

    private static void user(ApplyDatabase db, AtomicBoolean running, AtomicLong writes, AtomicLong deadlocks, AtomicLong errors, String[] error) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = db.connect(); PreparedStatement update = c.prepareStatement("UPDATE hot SET qty = qty + 1, name = ? WHERE id = ?")) {
            while (running.get()) {
                update.setString(1, "u" + random.nextInt(1000));
                update.setInt(2, 1 + random.nextInt(KEYS));
                try {
                    update.executeUpdate();
                    writes.incrementAndGet();
                } catch (SQLException e) {
                    if ("40P01".equals(e.getSQLState()) || e.getErrorCode() == 1213) {
                        deadlocks.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                        error[0] = e.getMessage();
                    }
                }
            }
        } catch (SQLException e) {
            errors.incrementAndGet();
            error[0] = e.getMessage();
        }
    }

    private static void applier(ApplyDatabase db, SyncTopology topology, SyncedTable table, AtomicBoolean running, AtomicLong applied,
                                AtomicLong retried) {
        ChangeApplier applier = new ChangeApplier(db.dialect, topology, "B", BATCH, w -> { });
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long period = 1_000_000_000L * BATCH * APPLIERS / Math.max(1, applyRate);
        long next = System.nanoTime();
        try (Connection c = db.connect()) {
            while (running.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                next += period;
                List<ChangeRecord> batch = new ArrayList<>();
                long version = System.currentTimeMillis() * 1000L + 3_600_000_000L;
                for (int i = 0; i < BATCH; i++) {
                    int id = 1 + random.nextInt(KEYS);
                    batch.add(change("hot", UPDATE, id, row("name", "s" + i, "qty", i), version + i, "A"));
                }
                ApplyResult result = applier.apply(c, table, batch);
                applied.addAndGet(result.count(ApplyStatus.APPLIED));
                retried.addAndGet(result.count(ApplyStatus.RETRY));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
