/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.util.FormatUtils;

import java.util.concurrent.TimeUnit;

/**
 * Scheduling of a source (a processor without an incoming connection): it runs every round, except when its template
 * schedules it a minute apart or more (such as a ManageSyncTriggers that installs at start): then at the first round
 * after it starts and once per its period after that, as in NiFi.
 */
final class SourceSchedule {

    /** Sources scheduled at least this far apart run once per period; shorter schedules are compressed to every round. */
    static final long LONG_PERIOD_MILLIS = 60_000L;

    /** The run schedule when it is long, else 0: run every round. */
    private final long periodMillis;
    private long lastRunAt;

    SourceSchedule(String schedulingPeriod) {
        long period = schedulingPeriod == null ? 0 : FormatUtils.getTimeDuration(schedulingPeriod, TimeUnit.MILLISECONDS);
        this.periodMillis = period >= LONG_PERIOD_MILLIS ? period : 0;
    }

    /** Whether the source is due at {@code now}: every round, or for a long schedule once per period. */
    boolean due(long now) {
        return periodMillis == 0 || lastRunAt == 0 || now - lastRunAt >= periodMillis;
    }

    void ran(long now) {
        lastRunAt = now;
    }

    /** A started processor runs at once. */
    void runAtOnce() {
        lastRunAt = 0;
    }
}
