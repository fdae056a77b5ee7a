/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

/** ResolveConflicts' verdict on a change for its target. */
public enum Decision {
    /** A fast-forward, or a conflict the change won: write it. */
    APPLY,
    /** Field-level merge: write the merged row, compare-and-set on the expected version. */
    MERGE,
    /** Older than, or equal to, what the target holds: skip. */
    STALE,
    /** Held for manual review. */
    CONFLICT
}
