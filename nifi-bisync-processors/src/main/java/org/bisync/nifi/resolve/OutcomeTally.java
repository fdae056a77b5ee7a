/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import java.util.EnumMap;
import java.util.Map;

/** The counts of what one batch's changes came to, which ResolveConflicts turns into counters and attributes. */
public final class OutcomeTally {

    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    private int nearTies;
    private int failed;
    private int replays;
    private int extraRowsDeleted;

    public void add(Verdict verdict) {
        outcomes.merge(verdict.outcome(), 1, Integer::sum);
        if (verdict.nearTie()) {
            nearTies++;
        }
    }

    /** Changes that cannot be decided on. */
    public void failed(int count) {
        failed = count;
    }

    /** Changes the target already decided, replayed: stale. */
    public void replays(int count) {
        replays = count;
    }

    /** A one-way target's rows the source lacks at the initial load, deleted. */
    public void extraRowsDeleted(int count) {
        extraRowsDeleted = count;
    }

    public int of(Outcome outcome) {
        return outcomes.getOrDefault(outcome, 0);
    }

    /** Fast-forwards, conflicts won and reviewed resolutions. */
    public int applied() {
        return of(Outcome.FAST_FORWARDED) + of(Outcome.CONFLICT_WON) + of(Outcome.RESOLUTION_PASSED);
    }

    /** Stale changes, conflicts lost and replays. */
    public int stale() {
        return of(Outcome.STALE) + of(Outcome.CONFLICT_LOST) + replays;
    }

    public int nearTies() {
        return nearTies;
    }

    public int failed() {
        return failed;
    }

    public int extraRowsDeleted() {
        return extraRowsDeleted;
    }

    public String describe() {
        return "applied " + applied() + " (fast-forwarded " + of(Outcome.FAST_FORWARDED) + ", conflicts won "
                + of(Outcome.CONFLICT_WON) + ", reviewed resolutions " + of(Outcome.RESOLUTION_PASSED) + "), merged "
                + of(Outcome.MERGED) + ", removed as stale " + stale() + " (conflicts lost " + of(Outcome.CONFLICT_LOST)
                + ", replays " + replays + "), extra target rows deleted " + extraRowsDeleted + ", held for review "
                + of(Outcome.HELD_FOR_REVIEW) + ", failed " + failed + ", near-ties " + nearTies;
    }
}
