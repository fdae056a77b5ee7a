/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import java.util.Objects;

/**
 * A database taking part in the sync. {@code priority} is the system's rank: higher wins a real conflict under
 * {@link Strategy#SYSTEM_PRIORITY} and breaks ties of equal version numbers under every strategy.
 */
public record SyncSystem(String id, int priority) {

    /** About a century in microseconds: the step between two priority ranks' version biases. */
    public static final long PRIORITY_STEP_MICROS = 100L * 365 * 24 * 3600 * 1_000_000L;

    public SyncSystem {
        Objects.requireNonNull(id, "id");
        if (id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("System id must be 1 to 64 characters: '" + id + "'");
        }
        if (priority < 0 || priority > 1000) {
            throw new IllegalArgumentException("Priority of system '" + id + "' must be between 0 and 1000, was " + priority);
        }
    }

    /** The bias this system's triggers add to the clock under system priority. */
    public long priorityBias() {
        return priority * PRIORITY_STEP_MICROS;
    }
}
