/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the changes of a batch go once decided, and their counts: APPLY and MERGE (and the deletes of a one-way target's
 * extra rows) on to apply, conflicts held for review, stale ones removed (and acknowledged to their source).
 *
 * @param toApply   decided APPLY or MERGE, then the deletes of the target's extra rows
 * @param held      held for manual review
 * @param heldNotes the first ten of those, described by table, key and both versions
 * @param stale     removed as stale
 * @param notable   conflicts and near-ties, each with the reason of its decision (key columns only)
 * @param appliedAsTheyCame every change decided was decided APPLY without being rewritten ({@link Verdict#appliesAsItCame()}),
 *                  and there are no deletes of extra rows: {@code toApply} holds the decided changes as they came
 */
public record DecidedChanges(List<ChangeRecord> toApply, List<ChangeRecord> held, List<String> heldNotes, List<ChangeRecord> stale,
                             List<String> notable, OutcomeTally tally, boolean appliedAsTheyCame) {

    private static final int HELD_NOTES = 10;

    public static DecidedChanges of(TargetResolution.Result result) {
        OutcomeTally tally = new OutcomeTally();
        List<ChangeRecord> toApply = new ArrayList<>();
        List<ChangeRecord> held = new ArrayList<>();
        List<String> heldNotes = new ArrayList<>();
        List<ChangeRecord> stale = new ArrayList<>();
        List<String> notable = new ArrayList<>();
        boolean asTheyCame = result.extraRowDeletes().isEmpty();
        for (BatchResolution.Decided decided : result.resolved().decided()) {
            ChangeRecord change = decided.change();
            Verdict verdict = decided.verdict();
            tally.add(verdict);
            asTheyCame &= verdict.appliesAsItCame();
            switch (verdict.outcome().decision()) {
                case APPLY, MERGE -> toApply.add(change);
                case CONFLICT -> {
                    held.add(change);
                    if (heldNotes.size() < HELD_NOTES) {
                        heldNotes.add(decided.table() + change.key + " incoming " + change.version + " vs target " + change.targetVersion);
                    }
                }
                case STALE -> stale.add(change);
            }
            if (verdict.nearTie() || verdict.outcome() == Outcome.CONFLICT_LOST || verdict.outcome() == Outcome.CONFLICT_WON) {
                notable.add(decided.table() + " " + ChangeRecord.keyColumns(change.key) + ": " + verdict.reason()
                        + (verdict.nearTie() ? " (near-tie)" : ""));
            }
        }
        toApply.addAll(result.extraRowDeletes());
        tally.extraRowsDeleted(result.extraRowDeletes().size());
        return new DecidedChanges(toApply, held, heldNotes, stale, notable, tally, asTheyCame);
    }
}
