/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How many keys one apply transaction takes, so that it holds its row locks for a bounded time: at most
 * {@code maxKeys}, and fewer per table when its transactions take longer than {@code maxDurationMillis} (the next
 * transaction of that table is sized to take about half the limit at the rate just measured); the size grows back,
 * doubling while transactions take less than half the limit, by a quarter while they take less than three quarters.
 * Never below {@value #MIN_KEYS} keys (or {@code maxKeys} when smaller): a transaction's round trips take their time
 * whatever its size, and on a slow or busy database a smaller transaction holds its locks about as long while the rate
 * falls with its size (1 key a transaction on a busy machine: 40 times slower than 50). Shared by the applies of one processor; thread-safe.
 */
public final class TransactionLimits {

    /** The fewest keys a transaction is shrunk to by time. */
    public static final int MIN_KEYS = 50;

    private final int maxKeys;
    private final long maxDurationNanos;
    private final ConcurrentMap<String, Integer> keysPerTable = new ConcurrentHashMap<>();

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
        int current = keysFor(table);
        int next;
        if (nanos > maxDurationNanos) {
            next = (int) Math.max(Math.min(MIN_KEYS, maxKeys), Math.min(current, keys * (maxDurationNanos / 2) / Math.max(1, nanos)));
        } else if (nanos < maxDurationNanos / 2 && keys >= current) {
            next = (int) Math.min(maxKeys, 2L * current);
        } else if (nanos < maxDurationNanos * 3 / 4 && keys >= current) {
            // under the limit but not by much: when the round trips take most of it, a larger transaction holds its
            // locks hardly longer and applies many more keys
            next = (int) Math.min(maxKeys, current + Math.max(1, current / 4));
        } else {
            return;
        }
        keysPerTable.put(table, next);
    }

    public int maxKeys() {
        return maxKeys;
    }

    public long maxDurationMillis() {
        return maxDurationNanos / 1_000_000L;
    }
}
