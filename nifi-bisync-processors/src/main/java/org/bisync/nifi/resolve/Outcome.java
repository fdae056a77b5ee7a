/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.Decision;

/** What ResolveConflicts did with one change, finer than the {@link Decision} it writes into the record. */
public enum Outcome {
    /** The target held what the source had before: applied. */
    FAST_FORWARDED(Decision.APPLY),
    /** A conflict the change won by the version order: applied. */
    CONFLICT_WON(Decision.APPLY),
    /** A conflict the change lost by the version order: skipped. */
    CONFLICT_LOST(Decision.STALE),
    /** Field-level: the target row with the fields the change won. */
    MERGED(Decision.MERGE),
    /** Manual review: held with the target's row and version. */
    HELD_FOR_REVIEW(Decision.CONFLICT),
    /** A reviewer's resolution on a target that still holds what the reviewer saw: passed on to apply. */
    RESOLUTION_PASSED(Decision.APPLY),
    /** A duplicate, an echo, an older change of the same origin, or a resolution whose mirror already arrived. */
    STALE(Decision.STALE);

    private final Decision decision;

    Outcome(Decision decision) {
        this.decision = decision;
    }

    public Decision decision() {
        return decision;
    }
}
