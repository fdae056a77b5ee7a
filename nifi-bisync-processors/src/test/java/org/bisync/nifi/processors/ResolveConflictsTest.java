/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.resolve.PgTarget;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.processors.ChangeFlowFiles.change;
import static org.bisync.nifi.processors.ChangeFlowFiles.changes;
import static org.bisync.nifi.processors.ChangeFlowFiles.enqueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ResolveConflicts into a real PostgreSQL target (system B); changes come from system A. */
class ResolveConflictsTest {

    private ResolveConflictsOnPostgres target;
    private PgTarget pg;
    private TestRunner runner;

    private void start(String database, String strategy) throws Exception {
        target = new ResolveConflictsOnPostgres(database, strategy);
        pg = target.pg;
        runner = target.runner;
    }

    private void targetRow(int id, String name, long number, String origin) throws Exception {
        target.targetRow(id, name, number, origin);
    }

    @Test
    void versionsOfAllKeysAreReadInOneQueryPerBatch() throws Exception {
        start("resolve_one_query", "LAST_WRITE_WINS");
        List<ChangeRecord> batch = new ArrayList<>();
        for (int id = 1; id <= 30; id++) {
            targetRow(id, "b" + id, 1_000 + id, "B");
            batch.add(change(id, "a" + id, new Version(2_000 + id, "A"), new Version(1_000 + id, "B"), "A"));
        }
        enqueue(runner, batch);
        pg.prepared.clear();
        runner.run();

        assertEquals(1, pg.preparedContaining("bisync_v_customer"), String.valueOf(pg.prepared));
        assertEquals(0, pg.preparedContaining("FROM \"customer\""), "last-write-wins needs no target rows");
        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        List<ChangeRecord> decided = changes(out);
        assertEquals(30, decided.size());
        assertTrue(decided.stream().allMatch(c -> c.decision == Decision.APPLY));
        assertEquals(new Version(1_007, "B"), decided.get(6).expectedVersion);
        out.assertAttributeEquals("bisync.applied", "30");
        assertEquals(30, runner.getCounterValue(ResolveConflicts.COUNTER_FAST_FORWARDED));
    }

    @Test
    void lastWriteWinsAppliesWinnersAndRemovesStaleWithCounts() throws Exception {
        start("resolve_lww", "LAST_WRITE_WINS");
        targetRow(1, "Bea", 500, "B");   // A's change was made on 400@A: a conflict A wins (600 > 500)
        targetRow(2, "Bob", 900, "B");   // a conflict A loses (800 < 900)
        targetRow(3, "Cid", 700, "A");   // the echo of A's own change: stale
        targetRow(4, "Dan", 750, "A");   // a later version from A: the change is older, stale
        enqueue(runner, List.of(
                change(1, "Ann", new Version(600, "A"), new Version(400, "A"), "A"),
                change(2, "Abe", new Version(800, "A"), new Version(400, "A"), "A"),
                change(3, "Cid", new Version(700, "A"), new Version(400, "A"), "A"),
                change(4, "Dave", new Version(740, "A"), new Version(400, "A"), "A"),
                change(5, "Eve", new Version(100, "A"), null, "A")));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        assertEquals(List.of(1, 5), changes(out).stream().map(c -> c.key.get("id")).toList());
        out.assertAttributeEquals("bisync.applied", "2");
        out.assertAttributeEquals("bisync.stale", "3");
        out.assertAttributeEquals(ResolveConflicts.CONFLICTS_WON, "1");
        out.assertAttributeEquals(ResolveConflicts.CONFLICTS_LOST, "1");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_WON));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_LOST));
        assertEquals(3, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_FAST_FORWARDED));
        ProvenanceEventRecord route = runner.getProvenanceEvents().stream()
                .filter(e -> e.getEventType() == ProvenanceEventType.ROUTE).findFirst().orElseThrow();
        assertTrue(route.getDetails().contains("removed as stale 3"), route.getDetails());
    }

    @Test
    void flowFileOfOnlyStaleChangesIsDropped() throws Exception {
        start("resolve_all_stale", "LAST_WRITE_WINS");
        targetRow(1, "Ann", 700, "A");
        enqueue(runner, List.of(change(1, "Ann", new Version(700, "A"), new Version(400, "A"), "A")));
        runner.run();

        runner.assertTransferCount(ResolveConflicts.SUCCESS, 0);
        runner.assertTransferCount(ResolveConflicts.CONFLICT, 0);
        runner.assertTransferCount(ResolveConflicts.FAILURE, 0);
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.DROP));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
    }

    @Test
    void conflictGoesToConflictWithTargetRowWhileOtherRecordsGoOn() throws Exception {
        start("resolve_manual", "MANUAL");
        targetRow(1, "Bea", 500, "B");
        targetRow(2, "Bob", 400, "A");
        targetRow(3, "Cid", 700, "A");
        enqueue(runner, List.of(
                change(1, "Ann", new Version(600, "A"), new Version(400, "A"), "A"),   // conflict: held
                change(2, "Abe", new Version(650, "A"), new Version(400, "A"), "A"),   // fast-forward
                change(3, "Cid", new Version(700, "A"), new Version(400, "A"), "A"))); // echo: stale
        runner.run();

        runner.assertTransferCount(ResolveConflicts.SUCCESS, 1);
        runner.assertTransferCount(ResolveConflicts.CONFLICT, 1);
        List<ChangeRecord> applied = changes(runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0));
        assertEquals(List.of(2), applied.stream().map(c -> c.key.get("id")).toList());
        MockFlowFile conflictFlowFile = runner.getFlowFilesForRelationship(ResolveConflicts.CONFLICT).get(0);
        ChangeRecord held = changes(conflictFlowFile).get(0);
        assertEquals(Decision.CONFLICT, held.decision);
        assertEquals(Map.of("id", 1, "name", "Bea", "email", "bea@b"), held.targetRow);
        assertEquals(new Version(500, "B"), held.targetVersion);
        assertEquals(new Version(600, "A"), held.version);
        assertTrue(conflictFlowFile.getAttribute("bisync.reason").contains("customer{id=1} incoming 600@A vs target 500@B"),
                conflictFlowFile.getAttribute("bisync.reason"));
        conflictFlowFile.assertAttributeEquals("bisync.conflicts", "1");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_HELD));
        assertEquals(1, pg.preparedContaining("FROM \"customer\""), "one query for the batch's rows");
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.ROUTE
                && e.getRelationship().equals("conflict")));

        // the reviewer keeps the target's row and routes the FlowFile back: passed on against the version seen
        runner.clearTransferState();
        enqueue(runner, List.of(reviewed(held, Resolution.KEEP_TARGET)));
        runner.run();
        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        ChangeRecord passed = changes(runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0)).get(0);
        assertEquals(Decision.APPLY, passed.decision);
        assertEquals(Resolution.KEEP_TARGET, passed.resolution);
        assertEquals(new Version(500, "B"), passed.expectedVersion);
    }

    @Test
    void reviewedResolutionOnMovedTargetIsHeldAgainAndMirroredCopyIsStale() throws Exception {
        start("resolve_review", "MANUAL");
        targetRow(1, "Bea", 500, "B");
        targetRow(2, "Bob", 500, "B");
        ChangeRecord first = change(1, "Ann", new Version(600, "A"), new Version(400, "A"), "A");
        first.decision = Decision.CONFLICT;
        first.targetVersion = new Version(450, "B");   // the reviewer saw 450; B moved on to 500 since
        ChangeRecord second = change(2, "Abe", new Version(600, "A"), new Version(400, "A"), "A");
        second.decision = Decision.CONFLICT;
        second.targetVersion = new Version(450, "B");
        pg.setVersion("customer", 2, 900, "A", false, null); // A's side resolved first; its resolution arrived here
        enqueue(runner, List.of(reviewed(first, Resolution.TAKE_INCOMING), reviewed(second, Resolution.TAKE_INCOMING)));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.CONFLICT, 1);
        List<ChangeRecord> again = changes(runner.getFlowFilesForRelationship(ResolveConflicts.CONFLICT).get(0));
        assertEquals(1, again.size(), "the mirrored copy is removed as stale");
        assertEquals(new Version(500, "B"), again.get(0).targetVersion);
        assertEquals("Bea", again.get(0).targetRow.get("name"));
        assertNull(again.get(0).resolution, "the reviewer decides again on the fresh row");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
    }

    private static ChangeRecord reviewed(ChangeRecord held, Resolution resolution) {
        ChangeRecord c = held.copy();
        c.resolution = resolution;
        return c;
    }

    @Test
    void mergeIsComputedFromTheTargetRow() throws Exception {
        start("resolve_merge", "FIELD_NEWEST");
        pg.exec("INSERT INTO customer VALUES (1, 'Bea', 'new@b')");
        pg.setVersion("customer", 1, 500, "B", false, "{\"name\": [100, \"B\"], \"email\": [500, \"B\"]}");
        ChangeRecord edit = change(1, "Ann", new Version(600, "A"), new Version(100, "B"), "A");
        edit.after.put("email", "old@b");
        edit.fieldVersions.put("name", new Version(600, "A"));
        edit.fieldVersions.put("email", new Version(100, "B"));
        enqueue(runner, List.of(edit));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        ChangeRecord merged = changes(out).get(0);
        assertEquals(Decision.MERGE, merged.decision);
        assertEquals(Map.of("id", 1, "name", "Ann", "email", "new@b"), merged.after);
        assertEquals(Map.of("name", new Version(600, "A"), "email", new Version(500, "B")), merged.fieldVersions);
        assertEquals(new Version(600, "A"), merged.version);
        assertEquals(new Version(500, "B"), merged.expectedVersion);
        assertEquals(List.of("name"), merged.changedFields);
        out.assertAttributeEquals("bisync.merged", "1");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_MERGED));
    }

    @Test
    void recordsOfAnUnknownTableOrWithoutKeyFieldsGoToFailureWithTheirError() throws Exception {
        start("resolve_failure", "LAST_WRITE_WINS");
        ChangeRecord unknown = change(1, "Ann", new Version(600, "A"), null, "A");
        unknown.table = "invoice";
        ChangeRecord good = change(2, "Abe", new Version(600, "A"), null, "A");
        enqueue(runner, List.of(unknown, good));
        runner.run();

        runner.assertTransferCount(ResolveConflicts.SUCCESS, 1);
        runner.assertTransferCount(ResolveConflicts.FAILURE, 1);
        MockFlowFile failed = runner.getFlowFilesForRelationship(ResolveConflicts.FAILURE).get(0);
        String error = ChangeFlowFiles.records(failed).get(0).getAsString("error");
        assertTrue(error.contains("Record 0") && error.contains("'invoice'") && error.contains("not part of the sync topology"), error);
        failed.assertAttributeExists("bisync.reason");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_FAILED));
    }

    @Test
    void nearTiesAreCountedAndDecidedByTheOrder() throws Exception {
        start("resolve_near_tie", "LAST_WRITE_WINS");
        targetRow(1, "Bea", 5_000_000, "B");
        enqueue(runner, List.of(change(1, "Ann", new Version(5_000_400, "A"), new Version(400, "A"), "A")));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0).assertAttributeEquals(ResolveConflicts.NEAR_TIES, "1");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_NEAR_TIES));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_WON));
    }
}
