/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.loops;

import java.util.Objects;

/** The first loop check in the flow: a change whose origin is the target system must never travel back to it. */
public final class OriginFilter {

    private final String targetSystemId;

    public OriginFilter(String targetSystemId) {
        this.targetSystemId = Objects.requireNonNull(targetSystemId, "targetSystemId");
    }

    /** Whether a change first made at {@code origin} would travel back to where it was made. */
    public boolean isLoop(String origin) {
        return targetSystemId.equals(origin);
    }

    public String targetSystemId() {
        return targetSystemId;
    }
}
