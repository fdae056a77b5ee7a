/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

/** How an incoming change relates to what the target holds for its key (DESIGN.md section 4, conflict detection). */
public enum Relation {
    /** The target holds the change's own version: a duplicate or an echo. */
    DUPLICATE,
    /** The target holds what the source had before the change (or a version the change supersedes): a fast-forward. */
    FAST_FORWARD,
    /** The target holds a greater version from the change's own origin: one system's writes are sequential, so the change is simply older. */
    OLDER_FROM_SAME_ORIGIN,
    /** The target has no version for the key, but the change has a previous version: the target never saw the row's history. */
    CONFLICT_WITHOUT_HISTORY,
    /** Concurrent edits, or deliveries out of order (the test is conservative). */
    CONFLICT;

    public boolean isConflict() {
        return this == CONFLICT || this == CONFLICT_WITHOUT_HISTORY;
    }
}
