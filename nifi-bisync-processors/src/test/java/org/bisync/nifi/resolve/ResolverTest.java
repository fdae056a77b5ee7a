/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResolverTest {

    /** Ranks: B above A above C. */
    private static final VersionOrder ORDER = new VersionOrder(id -> switch (id) {
        case "A" -> 1;
        case "B" -> 2;
        case "C" -> 0;
        default -> -1;
    });

    private static Resolver resolver(Strategy strategy) {
        return new Resolver(strategy, ORDER, Resolver.DEFAULT_NEAR_TIE_MICROS);
    }

    private static Version v(long number, String origin) {
        return new Version(number, origin);
    }

    private static ChangeRecord change(Version version, Version prev, Map<String, Object> after) {
        return ChangeRecordBuilder.change("customer", prev == null ? Operation.INSERT : Operation.UPDATE).keyOnly("id", 1)
                .after(after).version(version).prev(prev).build();
    }

    private static Map<String, Object> row(Object name, Object email) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1);
        row.put("name", name);
        row.put("email", email);
        return row;
    }

    private static ChangeRecord withChangedFields(ChangeRecord change) {
        change.changedFields = List.of("name", "email");
        return change;
    }

    @Test
    void aFastForwardOrAWonConflictOfTheChangeAsItCameAppliesAsItCame() {
        ChangeRecord forward = withChangedFields(change(v(100, "A"), v(50, "B"), row("x", "y")));
        Verdict forwarded = resolver(Strategy.LAST_WRITE_WINS).decide(forward, TargetState.of(v(50, "B")));
        assertEquals(Outcome.FAST_FORWARDED, forwarded.outcome());
        assertTrue(forwarded.appliesAsItCame());

        ChangeRecord conflict = withChangedFields(change(v(130, "A"), v(50, "A"), row("x", "y")));
        Verdict won = resolver(Strategy.LAST_WRITE_WINS).decide(conflict, TargetState.of(v(120, "B")));
        assertEquals(Outcome.CONFLICT_WON, won.outcome());
        assertTrue(won.appliesAsItCame());
        assertEquals(row("x", "y"), conflict.after);
        assertEquals(List.of("name", "email"), conflict.changedFields);
    }

    @Test
    void aChangeTheDecisionRewroteDoesNotApplyAsItCame() {
        // a version taken where the row was alike meets a different row: its changed fields are filled in
        ChangeRecord noFields = change(v(100, "A"), v(50, "B"), row("x", "y"));
        Verdict filled = resolver(Strategy.LAST_WRITE_WINS).decide(noFields, TargetState.of(v(50, "B")).withRow(row("old", "y")));
        assertEquals(Outcome.FAST_FORWARDED, filled.outcome());
        assertFalse(filled.appliesAsItCame());
        assertEquals(List.of("id", "name", "email"), noFields.changedFields);

        // a snapshot of a row the target holds alike under an older version: reduced to taking the version
        ChangeRecord snapshot = withChangedFields(change(v(100, "A"), null, row("x", "y")));
        snapshot.operation = Operation.SNAPSHOT;
        Verdict alike = resolver(Strategy.LAST_WRITE_WINS).decide(snapshot, TargetState.of(v(50, "B")).withRow(row("x", "y")));
        assertEquals(Outcome.FAST_FORWARDED, alike.outcome());
        assertFalse(alike.appliesAsItCame());
        assertEquals(List.of(), snapshot.changedFields);

        // a merge of field-level edits
        ChangeRecord edit = change(v(200, "A"), v(100, "C"), row("Ann", "old@x"));
        edit.fieldVersions.put("name", v(200, "A"));
        edit.fieldVersions.put("email", v(100, "C"));
        Verdict merged = resolver(Strategy.FIELD_NEWEST).decide(withChangedFields(edit), new TargetState(v(180, "B"), false,
                Map.of("name", v(100, "C"), "email", v(180, "B")), row("old", "new@x")));
        assertEquals(Outcome.MERGED, merged.outcome());
        assertTrue(merged.rewritten());
    }

    @Test
    void aChangeThatCameWithADecisionOfItsOwnDoesNotApplyAsItCame() {
        // a merge sent back by ApplyBidirectionalChanges' re-resolve, a fast-forward now: its old decision is replaced
        ChangeRecord merge = withChangedFields(change(v(100, "A"), v(50, "B"), row("x", "y")));
        merge.decision = Decision.MERGE;
        merge.expectedVersion = v(40, "B");
        Verdict again = resolver(Strategy.LAST_WRITE_WINS).decide(merge, TargetState.of(v(50, "B")));
        assertEquals(Outcome.FAST_FORWARDED, again.outcome());
        assertFalse(again.appliesAsItCame());
        assertEquals(Decision.APPLY, merge.decision);
        assertEquals(v(50, "B"), merge.expectedVersion);
    }

    @Test
    void sameVersionFromEchoIsStale() {
        ChangeRecord c = change(v(100, "A"), v(50, "A"), row("x", "y"));
        Verdict verdict = resolver(Strategy.LAST_WRITE_WINS).decide(c, TargetState.of(v(100, "A")));
        assertEquals(Outcome.STALE, verdict.outcome());
        assertEquals(Relation.DUPLICATE, verdict.relation());
        assertEquals(Decision.STALE, c.decision);
        assertEquals(v(100, "A"), c.expectedVersion);
    }

    @Test
    void sameNumberFromAnotherOriginIsAConflictNotAnEcho() {
        ChangeRecord c = change(v(100, "A"), v(50, "A"), row("x", "y"));
        Verdict verdict = resolver(Strategy.LAST_WRITE_WINS).decide(c, TargetState.of(v(100, "B")));
        assertEquals(Relation.CONFLICT, verdict.relation());
        assertEquals(Outcome.CONFLICT_LOST, verdict.outcome(), "B ranks above A on equal numbers");
    }

    @Test
    void targetHoldingPreviousVersionIsFastForward() {
        ChangeRecord c = change(v(100, "A"), v(50, "B"), row("x", "y"));
        Verdict verdict = resolver(Strategy.LAST_WRITE_WINS).decide(c, TargetState.of(v(50, "B")));
        assertEquals(Outcome.FAST_FORWARDED, verdict.outcome());
        assertEquals(Decision.APPLY, c.decision);
        assertEquals(v(50, "B"), c.expectedVersion);
    }

    @Test
    void newRowOnBothSidesWithoutHistoryIsFastForward() {
        ChangeRecord c = change(v(100, "A"), null, row("x", "y"));
        Verdict verdict = resolver(Strategy.SYSTEM_PRIORITY).decide(c, TargetState.none());
        assertEquals(Outcome.FAST_FORWARDED, verdict.outcome());
        assertNull(c.expectedVersion);
    }

    @Test
    void changeWithHistoryMeetingNoTargetVersionIsAConflictNeverAFastForward() {
        ChangeRecord c = change(v(100, "A"), v(50, "A"), row("x", "y"));
        Verdict verdict = resolver(Strategy.LAST_WRITE_WINS).decide(c, TargetState.none());
        assertEquals(Relation.CONFLICT_WITHOUT_HISTORY, verdict.relation());
        assertEquals(Outcome.CONFLICT_WON, verdict.outcome(), "any version beats none");

        ChangeRecord held = change(v(100, "A"), v(50, "A"), row("x", "y"));
        assertEquals(Outcome.HELD_FOR_REVIEW, resolver(Strategy.MANUAL).decide(held, TargetState.none()).outcome());
    }

    @Test
    void supersededTargetVersionIsFastForward() {
        ChangeRecord c = change(v(300, "B"), v(200, "A"), row("x", "y"));
        c.supersedes.add(v(250, "B"));
        c.supersedes.add(v(200, "A"));
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, TargetState.of(v(250, "B")));
        assertEquals(Outcome.FAST_FORWARDED, verdict.outcome());
        assertEquals(v(250, "B"), c.expectedVersion);
    }

    @Test
    void olderChangeFromSameOriginIsStaleNotConflict() {
        ChangeRecord c = change(v(100, "A"), v(50, "A"), row("x", "y"));
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, TargetState.of(v(120, "A")));
        assertEquals(Relation.OLDER_FROM_SAME_ORIGIN, verdict.relation());
        assertEquals(Outcome.STALE, verdict.outcome());
        assertEquals(Decision.STALE, c.decision);
    }

    @Test
    void lastWriteWinsAppliesTheGreaterNumber() {
        ChangeRecord newer = change(v(200, "A"), v(50, "A"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_WON, resolver(Strategy.LAST_WRITE_WINS).decide(newer, TargetState.of(v(150, "B"))).outcome());
        assertEquals(Decision.APPLY, newer.decision);
        assertEquals(v(150, "B"), newer.expectedVersion);

        ChangeRecord older = change(v(140, "A"), v(50, "A"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_LOST, resolver(Strategy.LAST_WRITE_WINS).decide(older, TargetState.of(v(150, "B"))).outcome());
        assertEquals(Decision.STALE, older.decision);
    }

    @Test
    void higherPriorityWinsEqualNumbers() {
        ChangeRecord fromB = change(v(100, "B"), v(50, "C"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_WON, resolver(Strategy.SYSTEM_PRIORITY).decide(fromB, TargetState.of(v(100, "A"))).outcome());
        ChangeRecord fromA = change(v(100, "A"), v(50, "C"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_LOST, resolver(Strategy.SYSTEM_PRIORITY).decide(fromA, TargetState.of(v(100, "B"))).outcome());
    }

    @Test
    void priorityBiasInTheNumberBeatsALaterLowerSystemEdit() {
        long now = 1_700_000_000_000_000L;
        Version higher = v(now + 2 * SyncSystem.PRIORITY_STEP_MICROS, "B");
        ChangeRecord lowerLater = change(v(now + SyncSystem.PRIORITY_STEP_MICROS + 3_600_000_000L, "A"), v(now - 1000, "C"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_LOST, resolver(Strategy.SYSTEM_PRIORITY).decide(lowerLater, TargetState.of(higher)).outcome());
    }

    @Test
    void nearTieIsFlaggedButDecidedByTheOrder() {
        ChangeRecord c = change(v(1_000_500, "A"), v(50, "A"), row("x", "y"));
        Verdict verdict = resolver(Strategy.LAST_WRITE_WINS).decide(c, TargetState.of(v(1_000_000, "B")));
        assertTrue(verdict.nearTie());
        assertEquals(Outcome.CONFLICT_WON, verdict.outcome());

        ChangeRecord far = change(v(3_000_000, "A"), v(50, "A"), row("x", "y"));
        assertFalse(resolver(Strategy.LAST_WRITE_WINS).decide(far, TargetState.of(v(1_000_000, "B"))).nearTie());
    }

    @Test
    void deleteLosingToNewerUpdateIsStale() {
        ChangeRecord delete = change(v(100, "A"), v(50, "A"), null);
        delete.operation = Operation.DELETE;
        delete.before = row("x", "y");
        assertEquals(Outcome.CONFLICT_LOST, resolver(Strategy.LAST_WRITE_WINS).decide(delete, TargetState.of(v(120, "B"))).outcome());
    }

    @Test
    void updateNewerThanTombstoneWins() {
        ChangeRecord update = change(v(130, "A"), v(50, "A"), row("x", "y"));
        assertEquals(Outcome.CONFLICT_WON, resolver(Strategy.LAST_WRITE_WINS).decide(update, TargetState.tombstone(v(120, "B"))).outcome());
    }

    @Test
    void fieldEditsOfDifferentFieldsMerge() {
        ChangeRecord c = change(v(200, "A"), v(100, "C"), row("Ann", "old@x"));
        c.fieldVersions.put("name", v(200, "A"));
        c.fieldVersions.put("email", v(100, "C"));
        TargetState target = new TargetState(v(180, "B"), false, Map.of("name", v(100, "C"), "email", v(180, "B")),
                row("old", "new@x"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(Decision.MERGE, c.decision);
        assertEquals(row("Ann", "new@x"), c.after);
        assertEquals(Map.of("name", v(200, "A"), "email", v(180, "B")), c.fieldVersions);
        assertEquals(v(200, "A"), c.version, "the greater row version");
        assertEquals(v(180, "B"), c.expectedVersion, "compare-and-set on what the target held");
        assertEquals(List.of("name"), c.changedFields);
        assertEquals(row("old", "new@x"), c.before);
        assertTrue(c.supersedes.contains(v(180, "B")));
    }

    @Test
    void mergeKeepsTheTargetRowVersionWhenItIsGreater() {
        ChangeRecord c = change(v(150, "A"), v(100, "C"), row("Ann", "old@x"));
        c.fieldVersions.put("name", v(150, "A"));
        c.fieldVersions.put("email", v(100, "C"));
        TargetState target = new TargetState(v(180, "B"), false, Map.of("name", v(100, "C"), "email", v(180, "B")),
                row("old", "new@x"));
        resolver(Strategy.FIELD_OWNER).decide(c, target);
        assertEquals(Decision.MERGE, c.decision);
        assertEquals(v(180, "B"), c.version);
        assertEquals(row("Ann", "new@x"), c.after);
        assertEquals(List.of(v(150, "A")), c.supersedes);
    }

    @Test
    void fieldEditsOfTheSameFieldGoToTheGreaterFieldVersion() {
        ChangeRecord c = change(v(200, "A"), v(100, "C"), row("Ann", "old@x"));
        c.fieldVersions.put("name", v(200, "A"));
        c.fieldVersions.put("email", v(100, "C"));
        TargetState target = new TargetState(v(250, "B"), false, Map.of("name", v(250, "B"), "email", v(100, "C")),
                row("Bob", "old@x"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.CONFLICT_LOST, verdict.outcome(), "the target wins the only field that differs");
        assertEquals(Decision.STALE, c.decision);
    }

    @Test
    void fieldOwnerBiasInFieldVersionWinsItsField() {
        long owner = SyncSystem.PRIORITY_STEP_MICROS;
        ChangeRecord c = change(v(200, "A"), v(100, "C"), row("Ann", "a@x"));
        c.fieldVersions.put("name", v(200, "A"));
        c.fieldVersions.put("email", v(owner + 150, "A"));
        TargetState target = new TargetState(v(300, "B"), false, Map.of("name", v(300, "B"), "email", v(290, "B")),
                row("Bob", "b@x"));
        resolver(Strategy.FIELD_OWNER).decide(c, target);
        assertEquals(Decision.MERGE, c.decision);
        assertEquals(row("Bob", "a@x"), c.after);
    }

    @Test
    void fastForwardOnFieldLevelTableKeepsTargetFieldsWithGreaterVersions() {
        // the target merged a field at an unchanged row version: a plain fast-forward would lose it
        ChangeRecord c = change(v(300, "A"), v(200, "B"), row("Ann", "old@x"));
        c.fieldVersions.put("name", v(300, "A"));
        c.fieldVersions.put("email", v(100, "C"));
        TargetState target = new TargetState(v(200, "B"), false, Map.of("name", v(200, "B"), "email", v(150, "C")),
                row("Bob", "merged@x"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Relation.FAST_FORWARD, verdict.relation());
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(row("Ann", "merged@x"), c.after);
    }

    @Test
    void fastForwardOnFieldLevelTableDominatingTheTargetIsAPlainApply() {
        ChangeRecord c = change(v(300, "A"), v(200, "B"), row("Ann", "b@x"));
        c.fieldVersions.put("name", v(300, "A"));
        c.fieldVersions.put("email", v(200, "B"));
        TargetState target = new TargetState(v(200, "B"), false, Map.of("name", v(100, "C"), "email", v(200, "B")),
                row("Bob", "b@x"));
        assertEquals(Outcome.FAST_FORWARDED, resolver(Strategy.FIELD_NEWEST).decide(c, target).outcome());
        assertEquals(Decision.APPLY, c.decision);
    }

    private static ChangeRecord fieldDelete(Version version, Version prev, Map<String, Object> before, Map<String, Version> fieldVersions) {
        ChangeRecord c = change(version, prev, null);
        c.operation = Operation.DELETE;
        c.before = new LinkedHashMap<>(before);
        c.fieldVersions.putAll(fieldVersions);
        return c;
    }

    @Test
    void fieldEditNewerThanTombstoneBringsTheRowBackWithTheValuesTheTombstoneKept() {
        // C never saw A's name edit, which the tombstone at B kept: the row comes back with it and C's email
        ChangeRecord c = change(v(250, "C"), v(100, "C"), row("n0", "c@x"));
        c.fieldVersions.put("name", v(100, "C"));
        c.fieldVersions.put("email", v(250, "C"));
        TargetState target = new TargetState(v(200, "B"), true, Map.of("name", v(150, "A"), "email", v(100, "C")),
                row("N-A", "e0"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(Operation.INSERT, c.operation, "the tombstone's row comes back");
        assertEquals(row("N-A", "c@x"), c.after);
        assertNull(c.before);
        assertEquals(Map.of("name", v(150, "A"), "email", v(250, "C")), c.fieldVersions);
        assertEquals(v(250, "C"), c.version);
        assertEquals(v(200, "B"), c.expectedVersion);
    }

    @Test
    void fieldEditOlderThanTombstoneIsKeptInTheTombstone() {
        ChangeRecord c = change(v(150, "A"), v(100, "C"), row("N-A", "e0"));
        c.fieldVersions.put("name", v(150, "A"));
        c.fieldVersions.put("email", v(100, "C"));
        TargetState target = new TargetState(v(200, "B"), true, Map.of("name", v(100, "C"), "email", v(100, "C")),
                row("n0", "e0"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(Operation.DELETE, c.operation, "the row stays deleted");
        assertEquals(row("N-A", "e0"), c.before, "but its tombstone keeps the newer name");
        assertNull(c.after);
        assertEquals(v(200, "B"), c.version);
        assertNull(c.tombstoneVersion, "measured against its own version");
        assertEquals(v(200, "B"), c.tombstone());
    }

    @Test
    void deleteOlderThanAFieldEditLeavesTheRowWithTheFieldsItDeletedNewer() {
        // the delete at A saw its own newer name; B's email edit is newer than the delete: the row lives with both
        ChangeRecord c = fieldDelete(v(250, "A"), v(160, "A"), row("N-A", "e0"), Map.of("name", v(160, "A"), "email", v(100, "C")));
        TargetState target = new TargetState(v(300, "B"), false, Map.of("name", v(100, "C"), "email", v(300, "B")),
                row("n0", "b@x"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(Operation.UPDATE, c.operation);
        assertEquals(row("N-A", "b@x"), c.after);
        assertEquals(v(300, "B"), c.version);
    }

    @Test
    void deleteNewerThanEveryFieldWinsAndKeepsTheValues() {
        ChangeRecord c = fieldDelete(v(400, "A"), v(300, "B"), row("n0", "b@x"), Map.of("name", v(100, "C"), "email", v(300, "B")));
        TargetState target = new TargetState(v(300, "B"), false, Map.of("name", v(100, "C"), "email", v(300, "B")),
                row("n0", "b@x"));
        assertEquals(Outcome.FAST_FORWARDED, resolver(Strategy.FIELD_NEWEST).decide(c, target).outcome());
        assertEquals(Decision.APPLY, c.decision);
        assertEquals(row("n0", "b@x"), c.before, "apply keeps these in the tombstone");
    }

    @Test
    void deleteMergedWithAGreaterRowVersionKeepsItsOwnTombstoneVersion() {
        // the target's row version ranks above the delete but none of its fields do: deleted, measured against the delete
        ChangeRecord c = fieldDelete(v(50, "A"), v(30, "C"), row("n0", "e0"), Map.of("name", v(30, "C"), "email", v(30, "C")));
        TargetState target = new TargetState(v(120, "B"), false, Map.of("name", v(40, "B"), "email", v(30, "C")),
                row("n-b", "e0"));
        Verdict verdict = resolver(Strategy.FIELD_NEWEST).decide(c, target);
        assertEquals(Outcome.MERGED, verdict.outcome());
        assertEquals(Operation.DELETE, c.operation);
        assertEquals(v(120, "B"), c.version, "the greater row version");
        assertEquals(v(50, "A"), c.tombstoneVersion, "a later field edit above 50 must still bring the row back");
        assertEquals(row("n-b", "e0"), c.before);
    }

    @Test
    void manualStrategyHoldsConflictWithTargetRowAndBothVersions() {
        ChangeRecord c = change(v(200, "A"), v(100, "A"), row("Ann", "a@x"));
        TargetState target = TargetState.of(v(150, "B")).withRow(row("Bob", "b@x"));
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, target);
        assertEquals(Outcome.HELD_FOR_REVIEW, verdict.outcome());
        assertEquals(Decision.CONFLICT, c.decision);
        assertEquals(row("Bob", "b@x"), c.targetRow);
        assertEquals(v(150, "B"), c.targetVersion);
        assertEquals(v(150, "B"), c.expectedVersion);
        assertEquals(v(200, "A"), c.version);
    }

    @Test
    void manualStrategyStillFastForwardsWithoutConflict() {
        ChangeRecord c = change(v(200, "A"), v(100, "A"), row("Ann", "a@x"));
        assertEquals(Outcome.FAST_FORWARDED, resolver(Strategy.MANUAL).decide(c, TargetState.of(v(100, "A")).withRow(row("x", "y"))).outcome());
    }

    private static ChangeRecord reviewed(Resolution resolution) {
        ChangeRecord c = change(v(200, "A"), v(100, "A"), row("Ann", "a@x"));
        c.decision = Decision.CONFLICT;
        c.targetRow = row("Bob", "b@x");
        c.targetVersion = v(150, "B");
        c.resolution = resolution;
        return c;
    }

    @Test
    void reviewedResolutionOnUnchangedTargetIsPassedOnWithTheReviewedVersion() {
        ChangeRecord c = reviewed(Resolution.KEEP_TARGET);
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, TargetState.of(v(150, "B")).withRow(row("Bob", "b@x")));
        assertEquals(Outcome.RESOLUTION_PASSED, verdict.outcome());
        assertEquals(Decision.APPLY, c.decision);
        assertEquals(v(150, "B"), c.expectedVersion);
        assertEquals(Resolution.KEEP_TARGET, c.resolution);
    }

    @Test
    void reviewedResolutionOnMovedTargetIsHeldAgainWithTheFreshRow() {
        ChangeRecord c = reviewed(Resolution.TAKE_INCOMING);
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, TargetState.of(v(170, "B")).withRow(row("Bobby", "b@x")));
        assertEquals(Outcome.HELD_FOR_REVIEW, verdict.outcome());
        assertEquals(Decision.CONFLICT, c.decision);
        assertEquals(row("Bobby", "b@x"), c.targetRow);
        assertEquals(v(170, "B"), c.targetVersion);
        assertNull(c.resolution, "the reviewer decides again on the fresh row");
    }

    @Test
    void mirroredResolutionAlreadyArrivedMakesReplayedCopyStale() {
        // the other side resolved its copy first: it wrote the resolution above both versions with its own origin (A)
        ChangeRecord c = reviewed(Resolution.TAKE_INCOMING);
        Verdict verdict = resolver(Strategy.MANUAL).decide(c, TargetState.of(v(260, "A")).withRow(row("Ann", "a@x")));
        assertEquals(Outcome.STALE, verdict.outcome());
        assertEquals(Decision.STALE, c.decision);
    }

    @Test
    void useAfterWithoutAfterIsInvalid() {
        ChangeRecord c = reviewed(Resolution.USE_AFTER);
        c.after = null;
        InvalidChangeException e = assertThrows(InvalidChangeException.class,
                () -> resolver(Strategy.MANUAL).decide(c, TargetState.of(v(150, "B"))));
        assertEquals("after", e.field());
    }
}
