/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

/**
 * Exponential back-off of records sent to retry: the n-th retry waits {@code base * 2^(n-1)}, at most {@code max}.
 *
 * @param baseMillis the wait before the first retry
 * @param maxMillis  the longest wait
 */
public record RetryBackoff(long baseMillis, long maxMillis) {

    public RetryBackoff {
        if (baseMillis < 0 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("Back-off base " + baseMillis + " ms must be at least 0 and at most the maximum " + maxMillis + " ms");
        }
    }

    /** The wait before retry number {@code count} (1 for the first retry). */
    public long delayMillis(int count) {
        if (count < 1 || baseMillis == 0) {
            return 0L;
        }
        int doublings = Math.min(count - 1, 62);
        long delay = baseMillis > (maxMillis >> doublings) ? maxMillis : baseMillis << doublings;
        return Math.min(delay, maxMillis);
    }

    /** The earliest time, in epoch millis, retry number {@code count} may be tried. */
    public long notBefore(long nowMillis, int count) {
        return nowMillis + delayMillis(count);
    }
}
