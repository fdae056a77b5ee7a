/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.version;

import java.util.Objects;

/**
 * A row's (or field's) version as stored and sent: the number and the system that produced it. The third part of
 * the ordering triple, the origin's priority rank, is never stored: {@link VersionOrder} looks it up.
 * Equality is on both parts, never on the number alone.
 */
public record Version(long number, String origin) {

    public Version {
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String toString() {
        return number + "@" + origin;
    }
}
