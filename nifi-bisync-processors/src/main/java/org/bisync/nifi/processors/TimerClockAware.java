/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import java.util.function.LongSupplier;

/**
 * A processor whose NiFi-side timers (retry back-off, runaway window, install grace, capture lease) read a clock that a
 * headless harness may replace, so that a test advances time to the next due moment instead of sleeping for it. Without
 * a call the processor uses the system clock, as in NiFi.
 *
 * <p>Database clocks, versions and what is measured against them (capture's clock correction, latency) never read this
 * clock: they stay on the real one.
 */
public interface TimerClockAware {

    /** Replaces the clock of this processor's timers; call before the processor is scheduled. */
    void setTimerClock(LongSupplier epochMillis);
}
