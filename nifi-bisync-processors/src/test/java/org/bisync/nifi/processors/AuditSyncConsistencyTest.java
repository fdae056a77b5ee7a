/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.audit.AuditTables;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AuditSyncConsistency on PostgreSQL (A, the hub and reference), MariaDB (B) and SQLite (C): the report lists every
 * planted difference with both rows and both versions, counters and provenance say what was found, and the repair
 * changes, run through ResolveConflicts and ApplyBidirectionalChanges of their targets, leave the next audit clean.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AuditSyncConsistencyTest {

    private static TestRunner audit(String topology, Map<String, DataSource> systems, boolean repairs) throws Exception {
        TestRunner runner = BisyncRunners.withTopology(TestRunners.newTestRunner(AuditSyncConsistency.class), topology, systems);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(BisyncProperties.RECORD_WRITER, "writer");
        runner.setProperty(AuditSyncConsistency.EMIT_REPAIRS, String.valueOf(repairs));
        return runner;
    }

    private static List<String> kinds(MockFlowFile report) {
        TreeSet<String> kinds = new TreeSet<>();
        for (Record record : ChangeFlowFiles.records(report)) {
            kinds.add(record.getValue("kind") + " " + record.getValue("system") + " " + record.getAsRecord("key", null).getValue("id"));
        }
        return List.copyOf(kinds);
    }

    @Test
    void theReportNamesEveryPlantedDifferenceAndTheRepairsLeaveTheNextAuditClean() throws Exception {
        String topology = AuditTables.TOPOLOGY.formatted("LAST_WRITE_WINS");
        Map<String, DataSource> systems = AuditTables.create("audit_processor", 60, AuditTables.topology("LAST_WRITE_WINS"));
        AuditTables.execute(systems.get("B"), "DELETE FROM item WHERE id = 5", "UPDATE item SET amount = 9.51 WHERE id = 9",
                "UPDATE item SET seen_at = '2024-05-01 10:00:13.102948' WHERE id = 13");
        AuditTables.execute(systems.get("C"), "INSERT INTO item (id, name) VALUES (1000, 'extra')",
                "UPDATE item SET note = '' WHERE id = 12");

        TestRunner runner = audit(topology, systems, true);
        runner.run();
        runner.assertTransferCount(AuditSyncConsistency.REPORT, 1);
        MockFlowFile report = runner.getFlowFilesForRelationship(AuditSyncConsistency.REPORT).get(0);
        assertEquals(List.of("DIFFERENT B 13", "DIFFERENT B 9", "DIFFERENT C 12", "EXTRA C 1000", "MISSING B 5"), kinds(report));
        report.assertAttributeEquals(AuditSyncConsistency.MISSING, "1");
        report.assertAttributeEquals(AuditSyncConsistency.EXTRA, "1");
        report.assertAttributeEquals(AuditSyncConsistency.DIFFERING, "3");
        report.assertAttributeEquals(AuditSyncConsistency.REFERENCE_SYSTEM, "A");
        report.assertAttributeEquals(BisyncAttributes.TABLE, "item");
        Record changed = ChangeFlowFiles.records(report).stream().filter(r -> "9".equals(String.valueOf(r.getAsRecord("key", null).getValue("id"))))
                .findFirst().orElseThrow();
        assertEquals("9.51", String.valueOf(changed.getAsRecord("row", null).getValue("amount")));
        assertEquals("9.00", String.valueOf(changed.getAsRecord("reference_row", null).getValue("amount")));
        assertEquals("B", changed.getValue("version_origin"));
        assertEquals("A", changed.getValue("reference_version_origin"));
        assertEquals(1, runner.getCounterValue(AuditSyncConsistency.COUNTER_MISSING));
        assertEquals(1, runner.getCounterValue(AuditSyncConsistency.COUNTER_EXTRA));
        assertEquals(3, runner.getCounterValue(AuditSyncConsistency.COUNTER_DIFFERING));
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.CREATE
                && e.getDetails().contains("1 missing, 1 extra, 3 differing")), "provenance says what was found");

        List<MockFlowFile> repairs = runner.getFlowFilesForRelationship(AuditSyncConsistency.REPAIR);
        // the newest change of each key goes to the systems that lack it: A all five, B the two of C, C the three of B
        assertEquals(List.of("A 5", "B 2", "C 3"), repairs.stream()
                .map(r -> r.getAttribute(BisyncAttributes.TARGET_SYSTEM) + " " + r.getAttribute("record.count")).sorted().toList());
        int repaired = 0;
        for (MockFlowFile repair : repairs) {
            String target = repair.getAttribute(BisyncAttributes.TARGET_SYSTEM);
            TestRunner resolve = BisyncRunners.forTarget(TestRunners.newTestRunner(ResolveConflicts.class), topology, systems, target);
            resolve.enqueue(repair);
            resolve.run();
            assertEquals(List.of(), resolve.getFlowFilesForRelationship(ResolveConflicts.FAILURE).stream()
                    .map(f -> f.getAttribute(BisyncAttributes.REASON)).toList(), "into " + target);
            resolve.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
            TestRunner apply = BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), topology, systems, target);
            apply.enqueue(resolve.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0));
            apply.run();
            assertEquals(List.of(), apply.getFlowFilesForRelationship(ApplyBidirectionalChanges.FAILURE).stream()
                    .map(f -> f.getAttribute(BisyncAttributes.REASON)).toList(), "into " + target);
            apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
            repaired += Integer.parseInt(apply.getFlowFilesForRelationship(ApplyBidirectionalChanges.SUCCESS).get(0)
                    .getAttribute(BisyncAttributes.APPLIED));
        }
        assertEquals(10, repaired, "every repair was applied");
        assertEquals(10, runner.getCounterValue(AuditSyncConsistency.COUNTER_REPAIRS).intValue());

        TestRunner again = audit(topology, systems, false);
        again.run();
        MockFlowFile clean = again.getFlowFilesForRelationship(AuditSyncConsistency.REPORT).get(0);
        assertEquals(List.of(), kinds(clean), "the repaired systems agree");
        clean.assertAttributeEquals(AuditSyncConsistency.DIFFERING, "0");
        again.assertTransferCount(AuditSyncConsistency.REPAIR, 0);
    }
}
