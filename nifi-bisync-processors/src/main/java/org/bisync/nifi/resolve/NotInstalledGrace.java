/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import java.util.concurrent.TimeUnit;

/**
 * How long a target may lack its installation before that is an error: when a group starts for the first time, the
 * target's own CaptureTriggerHistory installs it within seconds, while the other side's initial load may already be
 * there. Within the grace, counted from the first time it was found missing, it is a warning (the changes wait); after
 * it, an error. The caller's clock gives the times, so a test moves it instead of waiting.
 */
public final class NotInstalledGrace {

    /** The grace the processors give: a minute. */
    public static final long DEFAULT_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** How loudly a missing installation is reported. */
    public enum Severity { WARNING, ERROR }

    private final long graceNanos;
    private Long missingSince;

    public NotInstalledGrace(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    /** The target was found without its installation at {@code nowNanos}: a warning within the grace, then an error. */
    public synchronized Severity missing(long nowNanos) {
        if (missingSince == null) {
            missingSince = nowNanos;
        }
        return nowNanos - missingSince < graceNanos ? Severity.WARNING : Severity.ERROR;
    }

    /** The target was found installed, or the processor starts anew: the next time it is missing, a new grace begins. */
    public synchronized void clear() {
        missingSince = null;
    }
}
