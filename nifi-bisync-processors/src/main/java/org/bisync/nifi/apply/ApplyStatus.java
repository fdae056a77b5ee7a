/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

/** What happened to one change record in an apply. */
public enum ApplyStatus {
    /** Written into the target (data, version row, and history row where one is due). */
    APPLIED,
    /** Not newer than what the target holds (a duplicate, an echo, or an older change): dropped. */
    STALE,
    /** A compare-and-set lost: the target's version is no longer the one the decision was made against. */
    RE_RESOLVE,
    /**
     * A foreign-key conflict settled by the greater version past the retry limit (DESIGN.md section 5): a parent delete
     * that won with its cascade, a parent delete that lost (the parent kept and sent back to the other systems), or a
     * child insert or update that lost to its parent's newer tombstone (the child left as a tombstone). Final: the
     * reason says what was decided.
     */
    SETTLED,
    /** Worth trying again later: a transient database error, or a foreign-key violation (the parent may be on its way). */
    RETRY,
    /** Cannot be applied as it is: bad value, validation rule, unresolved conflict, refused table, database error. */
    FAILED;

    /** Whether the change reached a final decision at the target (acknowledged to its source), not waiting in a queue. */
    public boolean isDecided() {
        return this == APPLIED || this == STALE || this == SETTLED;
    }
}
