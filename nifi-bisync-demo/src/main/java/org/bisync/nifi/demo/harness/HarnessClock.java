/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

/**
 * NiFi's side of time in a {@link FlowHarness}: penalties, yields, long source schedules and the processors' own timers
 * (through {@link org.bisync.nifi.processors.TimerClockAware}). It starts at the real time and moves only when the
 * harness advances it, to the moment the next parked or retried FlowFile is due, so no run waits for a window to pass
 * and a slower machine sees the same windows. Databases keep their real clocks.
 */
final class HarnessClock {

    private long nowMillis = System.currentTimeMillis();

    /** Epoch millis, as NiFi's timers would read them. */
    synchronized long millis() {
        return nowMillis;
    }

    /** Moves the clock forward to {@code epochMillis}; an earlier time leaves it where it is. */
    synchronized void advanceTo(long epochMillis) {
        nowMillis = Math.max(nowMillis, epochMillis);
    }
}
