/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Commit-to-commit latency of one direction at a steady rate: a writer inserts new rows into the source every
 * {@value #TICK_MILLIS} ms (one multi-row INSERT, autocommit) and notes, per key, when its commit returned; a poller
 * reads the target's new keys every {@value #POLL_MILLIS} ms and notes when each first became visible there. The
 * latency of a change is the difference, on this JVM's monotonic clock; the poll adds up to {@value #POLL_MILLIS} ms
 * (half of it on average) to what the flow takes.
 */
final class LatencyProbe {

    static final long TICK_MILLIS = 10;
    static final long POLL_MILLIS = 20;

    private final String label;
    private final DataSource source;
    private final DataSource target;
    private final long firstId;
    private final int perSecond;
    private final long[] committedAt;
    private final long[] arrivedAt;
    private final AtomicInteger written = new AtomicInteger();
    private volatile boolean writing;
    private volatile Exception failure;
    private long start;
    private volatile long longestPollGap;
    private volatile long writerLate;

    LatencyProbe(String label, DataSource source, DataSource target, long firstId, int perSecond, int seconds) {
        this.label = label;
        this.source = source;
        this.target = target;
        this.firstId = firstId;
        this.perSecond = perSecond;
        this.committedAt = new long[perSecond * seconds];
        this.arrivedAt = new long[committedAt.length];
    }

    String label() {
        return label;
    }

    /** Writes for the planned seconds from {@code startNanos}, and polls until every row arrived or {@code wait} passed. */
    Thread[] start(long startNanos, long waitNanos) {
        this.start = startNanos;
        writing = true;
        Thread writer = Thread.ofPlatform().name("latency-writer-" + label).start(this::write);
        Thread poller = Thread.ofPlatform().name("latency-poller-" + label).start(() -> poll(waitNanos));
        return new Thread[] {writer, poller};
    }

    private void write() {
        int perTick = (int) Math.max(1, perSecond * TICK_MILLIS / 1000);
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(true);
            String sql = "INSERT INTO customer (id, name, email, balance, updated_at) VALUES "
                    + String.join(", ", java.util.Collections.nCopies(perTick, "(?, ?, ?, ?, CURRENT_TIMESTAMP)"));
            try (PreparedStatement insert = c.prepareStatement(sql)) {
                long tick = 0;
                while (written.get() + perTick <= committedAt.length) {
                    long due = start + TimeUnit.MILLISECONDS.toNanos(tick * TICK_MILLIS);
                    long now = System.nanoTime();
                    if (due > now) {
                        LockSupport.parkNanos(due - now);
                    } else {
                        writerLate = Math.max(writerLate, now - due);
                    }
                    int first = written.get();
                    int p = 1;
                    for (int i = first; i < first + perTick; i++) {
                        insert.setLong(p++, firstId + i);
                        insert.setString(p++, "latency " + i);
                        insert.setString(p++, "latency" + i + "@example.com");
                        insert.setBigDecimal(p++, java.math.BigDecimal.valueOf(i % 10000, 2));
                    }
                    insert.executeUpdate();
                    long committed = System.nanoTime();
                    for (int i = first; i < first + perTick; i++) {
                        committedAt[i] = committed;
                    }
                    written.addAndGet(perTick);
                    tick++;
                }
            }
        } catch (Exception e) {
            failure = e;
        } finally {
            writing = false;
        }
    }

    private void poll(long waitNanos) {
        int low = 0;
        long deadline = Long.MAX_VALUE;
        try (Connection c = target.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT id FROM customer WHERE id >= ? AND id < ?")) {
            c.setAutoCommit(true);
            long lastPoll = 0;
            while (true) {
                long now = System.nanoTime();
                if (lastPoll != 0) {
                    longestPollGap = Math.max(longestPollGap, now - lastPoll);
                }
                lastPoll = now;
                int high = written.get();
                if (!writing && deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + waitNanos;
                }
                if (low < high) {
                    select.setLong(1, firstId + low);
                    select.setLong(2, firstId + high);
                    try (ResultSet rs = select.executeQuery()) {
                        long seen = System.nanoTime();
                        while (rs.next()) {
                            int i = (int) (rs.getLong(1) - firstId);
                            if (arrivedAt[i] == 0) {
                                arrivedAt[i] = seen;
                            }
                        }
                    }
                    while (low < high && arrivedAt[low] != 0) {
                        low++;
                    }
                }
                if (!writing && low >= written.get() || System.nanoTime() > deadline) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            }
        } catch (SQLException e) {
            failure = e;
        }
    }

    Exception failure() {
        return failure;
    }

    int written() {
        return written.get();
    }

    int arrived() {
        int n = 0;
        for (int i = 0; i < written.get(); i++) {
            n += arrivedAt[i] != 0 ? 1 : 0;
        }
        return n;
    }

    /** Milliseconds from commit to arrival of every arrived change, in commit order. */
    double[] latenciesMillis() {
        return java.util.stream.IntStream.range(0, written.get()).filter(i -> arrivedAt[i] != 0)
                .mapToDouble(i -> (arrivedAt[i] - committedAt[i]) / 1e6).toArray();
    }

    /** Seconds from the start of the run to each arrived change's commit, in the order of {@link #latenciesMillis()}. */
    double[] commitSeconds() {
        return java.util.stream.IntStream.range(0, written.get()).filter(i -> arrivedAt[i] != 0)
                .mapToDouble(i -> (committedAt[i] - start) / 1e9).toArray();
    }

    /** The {@code p}-th percentile (0-100) of sorted values, nearest rank. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    String summary(double seconds) {
        double[] sorted = latenciesMillis();
        Arrays.sort(sorted);
        long over1 = Arrays.stream(sorted).filter(v -> v > 1000).count();
        long over2 = Arrays.stream(sorted).filter(v -> v > 2000).count();
        // the probe's own hiccups (this JVM starved of a core) show as a writer behind its schedule or a late poll
        return String.format("%-22s written %,d (%,.0f/s), arrived %,d; latency ms p50 %.0f, p95 %.0f, p99 %.0f, max %.0f; "
                        + "over 1 s: %d, over 2 s: %d; probe's own delays: writer behind schedule up to %.0f ms, polls apart up to %.0f ms",
                label, written(), written() / seconds, arrived(), percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], over1, over2, writerLate / 1e6, longestPollGap / 1e6);
    }
}
