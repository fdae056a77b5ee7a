/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How many keys one apply transaction takes, so that it holds its row locks for a bounded time: at most
 * {@code maxKeys}, and fewer per table when its transactions take longer than the bound (the next transaction of that
 * table is sized to take about half the bound at the rate just measured); the size grows back, doubling, while
 * twice the keys would stay within the bound (judged by what each key beyond a small transaction costs), by a quarter
 * while transactions take less than three quarters of the bound. Never below
 * {@value #MIN_KEYS} keys (or {@code maxKeys} when smaller).
 *
 * <p>The bound is {@code maxDurationMillis}, or twice what a transaction of at most {@value #MIN_KEYS} keys takes
 * (smoothed; at most ten times {@code maxDurationMillis}) when that is more: on a slow or busy database a
 * transaction's round trips take their time whatever its size, so a smaller one holds its locks about as long while
 * the rate falls with its size, and the apply falls behind just when the machine is short of time (a 1,000-changes/s
 * run on a loaded machine piled up seconds of backlog before apply at 50 keys a transaction). Shared by the applies of
 * one processor; thread-safe.
 */
public final class TransactionLimits {

    /** The fewest keys a transaction is shrunk to by time. */
    public static final int MIN_KEYS = 50;

    private final int maxKeys;
    private final long maxDurationNanos;
    private final ConcurrentMap<String, Integer> keysPerTable = new ConcurrentHashMap<>();
    /** Per table, what a transaction of at most MIN_KEYS keys takes, smoothed: the part of a transaction no shrinking saves. */
    private final ConcurrentMap<String, Long> smallTransactionNanos = new ConcurrentHashMap<>();

    /**
     * @param maxKeys           the most keys in one transaction
     * @param maxDurationMillis the longest a transaction should hold its locks; 0 for no limit by time
     */
    public TransactionLimits(int maxKeys, long maxDurationMillis) {
        if (maxKeys < 1 || maxDurationMillis < 0) {
            throw new IllegalArgumentException("A transaction takes at least one key and no negative time, were " + maxKeys
                    + " and " + maxDurationMillis + " ms");
        }
        this.maxKeys = maxKeys;
        this.maxDurationNanos = maxDurationMillis * 1_000_000L;
    }

    /** No limit but the keys per transaction. */
    public static TransactionLimits byKeys(int maxKeys) {
        return new TransactionLimits(maxKeys, 0);
    }

    /** How many keys the next transaction of {@code table} takes. */
    public int keysFor(String table) {
        return keysPerTable.getOrDefault(table, maxKeys);
    }

    /** Records that a transaction of {@code table} with {@code keys} keys held its locks for {@code nanos}. */
    public void took(String table, int keys, long nanos) {
        if (maxDurationNanos == 0 || keys < 1) {
            return;
        }
        long small = keys <= MIN_KEYS ? smallTransactionNanos.merge(table, nanos, (old, now) -> old + (now - old) / 4)
                : smallTransactionNanos.getOrDefault(table, 0L);
        // never more than ten times the limit: a small transaction that waited for a user's row lock must not open it wide
        long bound = Math.max(maxDurationNanos, Math.min(10 * maxDurationNanos, 2 * small));
        int current = keysFor(table);
        int next;
        if (nanos > bound) {
            next = (int) Math.max(Math.min(MIN_KEYS, maxKeys), Math.min(current, keys * (bound / 2) / Math.max(1, nanos)));
        } else if (keys >= current && doubledNanos(keys, nanos, small) <= bound) {
            next = (int) Math.min(maxKeys, 2L * current);
        } else if (keys >= current && nanos < bound * 3 / 4) {
            // under the bound but not by much: when the round trips take most of it, a larger transaction holds its
            // locks hardly longer and applies many more keys
            next = (int) Math.min(maxKeys, current + Math.max(1, current / 4));
        } else {
            return;
        }
        keysPerTable.put(table, next);
    }

    /**
     * What a transaction of twice {@code keys} keys would take: its time plus, per added key, what each key above
     * {@value #MIN_KEYS} added to a small transaction's time; twice its time when no small one was measured.
     */
    private static long doubledNanos(int keys, long nanos, long small) {
        if (keys <= MIN_KEYS || small <= 0) {
            return 2 * nanos;
        }
        return nanos + Math.max(0, nanos - small) * keys / (keys - MIN_KEYS);
    }

    public int maxKeys() {
        return maxKeys;
    }

    public long maxDurationMillis() {
        return maxDurationNanos / 1_000_000L;
    }
}
