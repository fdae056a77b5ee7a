/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.resolve.PgTarget;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.bisync.nifi.processors.ChangeFlowFiles.change;
import static org.bisync.nifi.processors.ChangeFlowFiles.changes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ResolveConflicts passes a FlowFile whose every change is decided APPLY as it came on unchanged, not written again,
 * and writes it when any record needs what it decided in the record. Into a real PostgreSQL target (system B).
 */
@Timeout(120)
class ResolveConflictsPassThroughTest {

    private ResolveConflictsOnPostgres target;
    private PgTarget pg;
    private String topologyJson;
    private TestRunner runner;

    private void start(String database) throws Exception {
        target = new ResolveConflictsOnPostgres(database, "LAST_WRITE_WINS");
        pg = target.pg;
        topologyJson = target.topologyJson;
        runner = target.runner;
    }

    private void targetRow(int id, String name, long number, String origin) throws Exception {
        target.targetRow(id, name, number, origin);
    }

    /**
     * The changes as the previous processor's writer wrote them (its MIME type and schema attribute), with white space
     * around that the writer would not write: a rewrite shows.
     */
    private byte[] enqueueAsWritten(List<ChangeRecord> changes) {
        byte[] content = ("\n  " + new String(ChangeFlowFiles.json(ChangeFlowFiles.SCHEMA, changes), UTF_8) + "\n").getBytes(UTF_8);
        runner.enqueue(content, Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(ChangeFlowFiles.SCHEMA.schema()),
                BisyncAttributes.MIME_TYPE, JsonRecordSetWriterService.MIME_TYPE, BisyncAttributes.RECORD_COUNT, String.valueOf(changes.size()),
                BisyncAttributes.TABLE, "customer", BisyncAttributes.REASON, "an earlier reason"));
        return content;
    }

    /** A fast-forward of a key B holds, a conflict A wins, and a new key. */
    private List<ChangeRecord> appliedAsTheyCame() throws Exception {
        targetRow(1, "Bea", 500, "B");
        targetRow(2, "Bob", 500, "B");
        return List.of(
                change(1, "Ann", new Version(600, "A"), new Version(500, "B"), "A"),
                change(2, "Abe", new Version(700, "A"), new Version(400, "A"), "A"),
                change(3, "Cid", new Version(800, "A"), null, "A"));
    }

    @Test
    void flowFileWhoseChangesAreAllAppliedAsTheyCameGoesOnUnchangedWithTheDecisionInAnAttribute() throws Exception {
        start("resolve_pass_through");
        byte[] content = enqueueAsWritten(appliedAsTheyCame());
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        out.assertContentEquals(content);
        out.assertAttributeEquals(BisyncAttributes.DECISION, "APPLY");
        out.assertAttributeEquals(BisyncAttributes.APPLIED, "3");
        out.assertAttributeEquals(BisyncAttributes.STALE, "0");
        out.assertAttributeEquals(ResolveConflicts.CONFLICTS_WON, "1");
        out.assertAttributeEquals(BisyncAttributes.RECORD_COUNT, "3");
        out.assertAttributeEquals(BisyncAttributes.TARGET_SYSTEM, "B");
        out.assertAttributeNotExists(BisyncAttributes.REASON);
        assertEquals(2, runner.getCounterValue(ResolveConflicts.COUNTER_FAST_FORWARDED));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_WON));
        ProvenanceEventRecord route = runner.getProvenanceEvents().stream()
                .filter(e -> e.getEventType() == ProvenanceEventType.ROUTE).findFirst().orElseThrow();
        assertEquals("success", route.getRelationship());
        assertTrue(route.getDetails().contains("applied 3 (fast-forwarded 2, conflicts won 1") && route.getDetails().contains("as they came"),
                route.getDetails());
        List<ChangeRecord> passed = changes(out);
        assertEquals(List.of(1, 2, 3), passed.stream().map(c -> c.key.get("id")).toList());
        assertTrue(passed.stream().allMatch(c -> c.decision == null && c.expectedVersion == null),
                "the records as they came: the decision is in the attribute");
    }

    @Test
    void flowFilePassedOnIsAppliedAsOneWrittenWithItsDecisions() throws Exception {
        start("resolve_pass_through_applied");
        enqueueAsWritten(appliedAsTheyCame());
        runner.run();
        MockFlowFile passed = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        passed.assertAttributeEquals(BisyncAttributes.DECISION, "APPLY");

        TestRunner apply = BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), topologyJson,
                Map.of("A", pg.counting, "B", pg.counting), "B");
        apply.enqueue(passed.toByteArray(), new HashMap<>(passed.getAttributes()));
        apply.run();

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        apply.getFlowFilesForRelationship(ApplyBidirectionalChanges.SUCCESS).get(0).assertAttributeEquals(BisyncAttributes.APPLIED, "3");
        assertEquals("Ann,Abe,Cid", Jdbc.value(pg.raw, "SELECT string_agg(name, ',' ORDER BY id) FROM customer"));
        assertEquals("600@A,700@A,800@A", Jdbc.value(pg.raw,
                "SELECT string_agg(version_num || '@' || version_origin, ',' ORDER BY id) FROM bisync_v_customer"));
    }

    @Test
    void oneStaleChangeMakesTheFlowFileWrittenAgainWithEachRecordsDecision() throws Exception {
        start("resolve_pass_through_stale");
        List<ChangeRecord> batch = new ArrayList<>(appliedAsTheyCame());
        targetRow(4, "Dan", 900, "A");
        batch.add(change(4, "Dan", new Version(900, "A"), new Version(400, "A"), "A")); // an echo: stale
        byte[] content = enqueueAsWritten(batch);
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        assertFalse(Arrays.equals(content, out.toByteArray()), "written again");
        out.assertAttributeNotExists(BisyncAttributes.DECISION);
        out.assertAttributeEquals(BisyncAttributes.STALE, "1");
        out.assertAttributeEquals(BisyncAttributes.RECORD_COUNT, "3");
        List<ChangeRecord> written = changes(out);
        assertEquals(List.of(1, 2, 3), written.stream().map(c -> c.key.get("id")).toList());
        assertTrue(written.stream().allMatch(c -> c.decision == Decision.APPLY));
        assertEquals(new Version(500, "B"), written.get(0).expectedVersion);
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
    }

    @Test
    void changeThatCameWithAnEarlierDecisionIsWrittenWithTheNewOne() throws Exception {
        start("resolve_pass_through_redecided");
        targetRow(1, "Bea", 500, "B");
        // a merge decided against 450@B, sent back by Apply's re-resolve; B holds 500@B, the version it was made on, now
        ChangeRecord merge = change(1, "Ann", new Version(600, "A"), new Version(500, "B"), "A");
        merge.decision = Decision.MERGE;
        merge.expectedVersion = new Version(450, "B");
        byte[] content = enqueueAsWritten(List.of(merge));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        assertFalse(Arrays.equals(content, out.toByteArray()), "written again: the record as it came says MERGE on 450@B");
        out.assertAttributeNotExists(BisyncAttributes.DECISION);
        ChangeRecord written = changes(out).get(0);
        assertEquals(Decision.APPLY, written.decision);
        assertEquals(new Version(500, "B"), written.expectedVersion);
    }

    @Test
    void changeWhoseChangedFieldsTheDecisionFillsInIsWritten() throws Exception {
        start("resolve_pass_through_filled");
        targetRow(1, "Bea", 500, "B");
        // a version taken where the row was alike (forwarded by a hub): no changed field, but B's row differs
        ChangeRecord forwarded = change(1, "Ann", new Version(600, "A"), new Version(500, "B"), "A");
        forwarded.changedFields = new ArrayList<>();
        enqueueAsWritten(List.of(forwarded));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        out.assertAttributeNotExists(BisyncAttributes.DECISION);
        ChangeRecord written = changes(out).get(0);
        assertEquals(List.of("id", "name", "email"), written.changedFields);
        assertEquals(Decision.APPLY, written.decision);
    }

    @Test
    void flowFileInAnotherFormatThanTheWritersIsWrittenEvenWhenAllIsAppliedAsItCame() throws Exception {
        start("resolve_pass_through_format");
        List<ChangeRecord> batch = appliedAsTheyCame();
        runner.enqueue(ChangeFlowFiles.json(ChangeFlowFiles.SCHEMA, batch), Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE,
                RecordSchemaJson.toJson(ChangeFlowFiles.SCHEMA.schema()), BisyncAttributes.MIME_TYPE, "application/x-another-format"));
        runner.run();

        runner.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0);
        out.assertAttributeEquals(BisyncAttributes.MIME_TYPE, JsonRecordSetWriterService.MIME_TYPE);
        out.assertAttributeNotExists(BisyncAttributes.DECISION);
        assertTrue(changes(out).stream().allMatch(c -> c.decision == Decision.APPLY));
        assertNull(changes(out).get(2).expectedVersion, "the new key: no version at the target");
    }
}
