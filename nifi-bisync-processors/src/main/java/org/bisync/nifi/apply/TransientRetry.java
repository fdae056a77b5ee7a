/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How a transient database error (deadlock, serialization failure, lock timeout) is retried in place: after a short
 * wait with jitter that doubles each time, for as long as the whole stays within a budget of about a second. Only an
 * error that persists past the budget is handed on (to the retry relationship and its growing back-off).
 *
 * @param firstWaitMillis the longest first wait (the wait is drawn from its upper half, so two transactions that
 *                        collided do not meet again in step)
 * @param budgetMillis    the time, from the first attempt, within which a retry may start
 */
public record TransientRetry(long firstWaitMillis, long budgetMillis) {

    /** About a second in all: waits of up to 20, 40, 80, 160, 320 ms. */
    public static final TransientRetry DEFAULT = new TransientRetry(20, 1_000);

    public TransientRetry {
        if (firstWaitMillis < 0 || budgetMillis < 0) {
            throw new IllegalArgumentException("Waits must not be negative");
        }
    }

    /** The wait before retry number {@code retry} (1 for the first), with jitter: in [w/2, w] for w = first * 2^(retry-1). */
    public long waitMillis(int retry) {
        long longest = firstWaitMillis << Math.min(Math.max(retry - 1, 0), 20);
        return longest / 2 + ThreadLocalRandom.current().nextLong(longest / 2 + 1);
    }

    /**
     * Waits before retry number {@code retry} when that retry still starts within the budget counted from
     * {@code startedNanos} ({@link System#nanoTime()}); false, without waiting, when the budget is spent.
     */
    public boolean awaitRetry(long startedNanos, int retry) {
        long wait = waitMillis(retry);
        long spent = (System.nanoTime() - startedNanos) / 1_000_000L;
        if (spent + wait > budgetMillis) {
            return false;
        }
        try {
            Thread.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
