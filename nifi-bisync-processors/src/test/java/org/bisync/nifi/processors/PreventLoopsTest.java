/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.bisync.nifi.processors.ChangeFlowFiles.change;
import static org.bisync.nifi.processors.ChangeFlowFiles.changes;
import static org.bisync.nifi.processors.ChangeFlowFiles.enqueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Map;
import javax.sql.DataSource;

class PreventLoopsTest {

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private TestRunner runner;

    @BeforeEach
    void setUp() throws InitializationException {
        PreventLoops processor = new PreventLoops();
        processor.setTimerClock(now::get);
        // the topology service wants a pool per system; PreventLoops never connects to one
        DataSource unused = EmbeddedDatabases.sqlite("prevent_loops_unused");
        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(processor), ChangeFlowFiles.topology("LAST_WRITE_WINS"),
                Map.of("A", unused, "B", unused), "B");
    }

    @Test
    void changeWhoseOriginIsTheTargetIsDroppedOthersPass() {
        enqueue(runner, List.of(
                change(1, "Ann", new Version(100, "A"), null, "A"),
                change(2, "Bob", new Version(101, "B"), null, "B"),
                change(3, "Cid", new Version(102, "A"), null, "A")));
        runner.run();

        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0);
        assertEquals(List.of(1, 3), changes(out).stream().map(c -> c.key.get("id")).toList());
        out.assertAttributeEquals(PreventLoops.LOOPS_DROPPED, "1");
        out.assertAttributeEquals("record.count", "2");
        assertEquals(1, runner.getCounterValue(PreventLoops.COUNTER_LOOPS));
        ProvenanceEventRecord route = runner.getProvenanceEvents().stream()
                .filter(e -> e.getEventType() == ProvenanceEventType.ROUTE).findFirst().orElseThrow();
        assertTrue(route.getDetails().contains("dropped 1 whose origin is the target 'B'"), route.getDetails());
    }

    @Test
    void flowFileOfOnlyLoopingChangesIsDropped() {
        enqueue(runner, List.of(change(1, "Ann", new Version(100, "B"), null, "B")));
        runner.run();

        runner.assertTransferCount(PreventLoops.SUCCESS, 0);
        runner.assertTransferCount(PreventLoops.LOOP, 0);
        runner.assertTransferCount(PreventLoops.FAILURE, 0);
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.DROP));
        assertEquals(1, runner.getCounterValue(PreventLoops.COUNTER_LOOPS));
    }

    @Test
    void flowFileThatLosesNothingGoesOnAsItCameWithoutBeingWrittenAgain() throws Exception {
        List<ChangeRecord> changes = List.of(change(1, "Ann", new Version(100, "A"), null, "A"),
                change(2, "Bob", new Version(101, "A"), null, "A"));
        // readable JSON the writer would write differently (leading and trailing white space): a rewrite shows
        byte[] content = ("\n  " + new String(ChangeFlowFiles.json(ChangeFlowFiles.SCHEMA, changes), UTF_8) + "\n").getBytes(UTF_8);
        runner.enqueue(content, Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(ChangeFlowFiles.SCHEMA.schema()),
                "mime.type", JsonRecordSetWriterService.MIME_TYPE, "record.count", "2"));
        runner.run();

        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0);
        out.assertContentEquals(content);
        out.assertAttributeEquals(PreventLoops.LOOPS_DROPPED, "0");
        out.assertAttributeEquals("record.count", "2");
        out.assertAttributeEquals("bisync.target.system", "B");
        assertEquals(List.of(1, 2), changes(out).stream().map(c -> c.key.get("id")).toList());
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.ROUTE));
    }

    @Test
    void flowFileInAnotherFormatThanTheWritersIsWrittenAgainEvenWhenNothingIsDropped() throws Exception {
        List<ChangeRecord> changes = List.of(change(1, "Ann", new Version(100, "A"), null, "A"));
        byte[] content = ("\n  " + new String(ChangeFlowFiles.json(ChangeFlowFiles.SCHEMA, changes), UTF_8) + "\n").getBytes(UTF_8);
        runner.enqueue(content, Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(ChangeFlowFiles.SCHEMA.schema()),
                "mime.type", "application/x-another-format"));
        runner.run();

        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        MockFlowFile out = runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0);
        out.assertContentEquals(ChangeFlowFiles.json(ChangeFlowFiles.SCHEMA, changes));
        out.assertAttributeEquals("mime.type", JsonRecordSetWriterService.MIME_TYPE);
    }

    @Test
    void invalidRecordGoesToFailureWithItsErrorTheOthersPass() {
        ChangeRecord noOrigin = change(2, "Bob", new Version(101, "A"), null, "A");
        noOrigin.origin = "";
        enqueue(runner, List.of(change(1, "Ann", new Version(100, "A"), null, "A"), noOrigin));
        runner.run();

        runner.assertTransferCount(PreventLoops.SUCCESS, 1);
        runner.assertTransferCount(PreventLoops.FAILURE, 1);
        MockFlowFile failed = runner.getFlowFilesForRelationship(PreventLoops.FAILURE).get(0);
        String error = ChangeFlowFiles.records(failed).get(0).getAsString("error");
        assertTrue(error.contains("Record 1") && error.contains("'origin'"), error);
        assertTrue(failed.getAttribute("bisync.reason").contains("1 invalid"));
    }

    @Test
    void honestTrafficWithDefaultsNeverParks() {
        List<ChangeRecord> burst = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            // one system editing its own row again and again, and alternating edits below the limit
            burst.add(change(1, "Ann" + i, new Version(1000 + i, "A"), new Version(999 + i, "A"), "A"));
        }
        for (int i = 1; i <= 50; i++) {
            burst.add(change(2, "Bob" + i, new Version(5000 + 2 * i, "A"), new Version(4999 + 2 * i, "B"), "A"));
        }
        enqueue(runner, burst);
        runner.run();

        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        assertEquals(550, changes(runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0)).size());
    }

    @Test
    void runawayKeyIsParkedOnLoopAndOnlyItsGreatestVersionIsReleasedAfterTheWindow() {
        runner.setProperty(PreventLoops.MAX_UPDATES_PER_KEY, "3");
        runner.setProperty(PreventLoops.RUNAWAY_WINDOW, "5 sec");
        List<ChangeRecord> pingPong = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            pingPong.add(change(7, "v" + i, new Version(100 + 2 * i, "A"), new Version(99 + 2 * i, "B"), "A"));
        }
        pingPong.add(change(8, "other", new Version(500, "A"), new Version(400, "B"), "A"));
        enqueue(runner, pingPong);
        runner.run();

        runner.assertTransferCount(PreventLoops.SUCCESS, 1);
        runner.assertTransferCount(PreventLoops.LOOP, 1);
        assertEquals(List.of("v1", "v2", "v3", "other"), changes(runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0))
                .stream().map(c -> (String) c.after.get("name")).toList());
        MockFlowFile parked = runner.getFlowFilesForRelationship(PreventLoops.LOOP).get(0);
        assertEquals(3, changes(parked).size());
        parked.assertAttributeEquals("bisync.loop.parked.until", String.valueOf(now.get() + 5_000));
        assertTrue(parked.getAttribute("bisync.reason").contains("runaway key customer|{id=7}"), parked.getAttribute("bisync.reason"));
        assertEquals(1, runner.getCounterValue(PreventLoops.COUNTER_PARKED_KEYS));
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("customer")
                && m.getMsg().contains("(id)")), "a bulletin names the table and key column");
        // the mock logger's prefix names the processor's random id ("PreventLoops[id=7f3...]"): not a key value
        assertTrue(runner.getLogger().getWarnMessages().stream().map(m -> m.getMsg().replaceFirst("^\\w+\\[id=[^]]*] ", ""))
                        .noneMatch(m -> m.contains("{id=7}") || m.contains("=7")),
                "and never the key's value");
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.ROUTE
                && e.getRelationship().equals("loop") && e.getDetails().contains("parked 3 changes")));

        // the loop connection brings it back: still within the window, it is held on loop, penalized
        runner.clearTransferState();
        runner.clearProvenanceEvents();
        now.addAndGet(1_000);
        runner.enqueue(parked);
        runner.run();
        runner.assertAllFlowFilesTransferred(PreventLoops.LOOP, 1);
        assertTrue(runner.getFlowFilesForRelationship(PreventLoops.LOOP).get(0).isPenalized());

        // after the window: only the greatest version goes on
        MockFlowFile held = runner.getFlowFilesForRelationship(PreventLoops.LOOP).get(0);
        runner.clearTransferState();
        now.addAndGet(5_000);
        runner.enqueue(held.toByteArray(), held.getAttributes());
        runner.run();
        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        MockFlowFile released = runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0);
        List<ChangeRecord> passed = changes(released);
        assertEquals(1, passed.size());
        assertEquals(new Version(112, "A"), passed.get(0).version);
        released.assertAttributeEquals(PreventLoops.SUPERSEDED, "2");
        released.assertAttributeNotExists("bisync.loop.parked.until");
        assertEquals(2, runner.getCounterValue(PreventLoops.COUNTER_SUPERSEDED));
        assertEquals(1, runner.getCounterValue(PreventLoops.COUNTER_RELEASED));
    }

    @Test
    void parkedFlowFileWhoseGreatestVersionWasReleasedElsewhereIsDroppedAsSuperseded() {
        runner.setProperty(PreventLoops.MAX_UPDATES_PER_KEY, "1");
        runner.setProperty(PreventLoops.RUNAWAY_WINDOW, "1 sec");
        enqueue(runner, List.of(
                change(7, "v1", new Version(101, "A"), new Version(100, "B"), "A"),
                change(7, "v2", new Version(103, "A"), new Version(102, "B"), "A")));
        enqueue(runner, List.of(change(7, "v3", new Version(105, "A"), new Version(104, "B"), "A")));
        runner.run(2);
        List<MockFlowFile> parked = runner.getFlowFilesForRelationship(PreventLoops.LOOP);
        assertEquals(2, parked.size());

        runner.clearTransferState();
        now.addAndGet(1_001);
        // the FlowFile holding v3 (the greatest) comes back first and is passed on; the older one is then superseded
        runner.enqueue(parked.get(1).toByteArray(), parked.get(1).getAttributes());
        runner.enqueue(parked.get(0).toByteArray(), parked.get(0).getAttributes());
        runner.run(2);
        runner.assertAllFlowFilesTransferred(PreventLoops.SUCCESS, 1);
        assertEquals("v3", changes(runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0)).get(0).after.get("name"));
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.DROP));
        assertFalse(runner.getFlowFilesForRelationship(PreventLoops.SUCCESS).get(0).getAttributes().containsKey("bisync.loop.key"));
    }

    @Test
    void unknownTargetSystemIsRefusedBeforeScheduling() {
        runner.setProperty(PreventLoops.TARGET_SYSTEM, "Z");
        enqueue(runner, List.of(change(1, "Ann", new Version(100, "A"), null, "A")));
        try {
            runner.run();
        } catch (AssertionError expected) {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = expected; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertTrue(messages.toString().contains("Target System ID 'Z' is not a system of the sync topology"), messages.toString());
            return;
        }
        throw new AssertionError("running with an unknown target must fail");
    }
}
