/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.Decision;

/**
 * The result of resolving one change.
 *
 * @param outcome   what was decided
 * @param relation  how the change related to the target's version
 * @param nearTie   a conflict between versions closer than the near-tie tolerance (decided normally, only flagged)
 * @param reason    a sentence for logs and provenance
 * @param rewritten whether deciding changed the change beyond setting its decision and expected version (its operation,
 *                  changed fields, rows or versions), or replaced a decision, expected version or resolution it came
 *                  with: then only its record written again carries what was decided
 */
public record Verdict(Outcome outcome, Relation relation, boolean nearTie, String reason, boolean rewritten) {

    /** A verdict that left the change as it came, but for its decision and expected version. */
    public Verdict(Outcome outcome, Relation relation, boolean nearTie, String reason) {
        this(outcome, relation, nearTie, reason, false);
    }

    /** This verdict, on a change that deciding rewrote. */
    public Verdict asRewritten() {
        return rewritten ? this : new Verdict(outcome, relation, nearTie, reason, true);
    }

    /**
     * Whether the change is to be written into the target as it came: decided APPLY without being rewritten. Its
     * record as it came says the same to ApplyBidirectionalChanges as one written again with decision APPLY (a record
     * without a decision is applied on its version, as an APPLY is; the expected version matters only to merges and
     * resolutions).
     */
    public boolean appliesAsItCame() {
        return outcome.decision() == Decision.APPLY && !rewritten;
    }
}
