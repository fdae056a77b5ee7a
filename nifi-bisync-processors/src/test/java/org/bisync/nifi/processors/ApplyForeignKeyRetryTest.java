/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ApplyBidirectionalChanges with a real foreign key (PostgreSQL, system B of A and B): child records whose parent is
 * missing go to retry counted and with exponential back-off, a FlowFile that comes back before its time goes back
 * untouched, and past the Foreign Key Retry Limit the conflict with the parent's tombstone is settled by the greater
 * version.
 */
class ApplyForeignKeyRetryTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "parent"}, {"name": "child"}]}""";
    private static final RecordSchema KEY = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false)));
    private static final RecordSchema ROW = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.INT.getDataType(), false),
            new RecordField("parent_id", RecordFieldType.INT.getDataType(), true),
            new RecordField("note", RecordFieldType.STRING.getDataType(), true)));
    private static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(KEY, ROW);

    private DataSource dataSource;
    private TestRunner runner;

    @BeforeEach
    void createDatabaseAndRunner(TestInfo test) throws Exception {
        dataSource = EmbeddedDatabases.postgres("fk_retry_" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 30));
        PostgresDialect dialect = new PostgresDialect();
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        Jdbc.exec(dataSource, "CREATE TABLE parent (id int PRIMARY KEY, name varchar(20))",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id), note varchar(20))");
        try (Connection connection = dataSource.getConnection()) {
            SyncedTableResolver resolver = new SyncedTableResolver(dialect, topology);
            List<SyncedTable> tables = List.of(resolver.resolve(connection, topology.table("parent").orElseThrow(), "B"),
                    resolver.resolve(connection, topology.table("child").orElseThrow(), "B"));
            new TriggerInstaller(dialect).install(connection, tables, System.currentTimeMillis() * 1000L);
        }

        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), TOPOLOGY,
                Map.of("A", dataSource, "B", dataSource), "B");
        runner.setProperty(ApplyBidirectionalChanges.RETRY_BACKOFF_BASE, "2 sec");
        runner.setProperty(ApplyBidirectionalChanges.RETRY_BACKOFF_MAX, "10 sec");
    }

    private static ChangeRecord childInsert(int id, int parentId, Version version) {
        return ChangeRecordBuilder.insert("child").key("id", id).after("parent_id", parentId).after("note", "c")
                .version(version).capturedNow().build();
    }

    private void enqueue(ChangeRecord change, Map<String, String> attributes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = new JsonRecordSetWriterService().createWriter(null, SCHEMA.schema(), out, Map.of())) {
            writer.beginRecordSet();
            writer.write(SCHEMA.toRecord(change));
            writer.finishRecordSet();
        }
        Map<String, String> all = new LinkedHashMap<>(attributes);
        all.put(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(SCHEMA.schema()));
        all.put(BisyncAttributes.TABLE, "child");
        runner.enqueue(out.toByteArray(), all);
    }

    private MockFlowFile onlyRetry() {
        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.RETRY, 1);
        return runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.RETRY).get(0);
    }

    private long counter(String name) {
        Long value = runner.getCounterValue(name);
        return value == null ? 0L : value;
    }

    private static long notBefore(MockFlowFile flowFile) {
        return Long.parseLong(flowFile.getAttribute(BisyncAttributes.RETRY_NOT_BEFORE));
    }

    /** The parent's tombstone at B: inserted and deleted by a local user, so B's triggers version the delete now. */
    private Version deletedParent() throws SQLException {
        Jdbc.exec(dataSource, "INSERT INTO parent VALUES (1, 'p')", "DELETE FROM parent WHERE id = 1");
        String[] version = Jdbc.lines(dataSource, "SELECT version_num, version_origin, deleted FROM bisync_v_parent WHERE id = 1").get(0).split(", ");
        assertEquals("true", version[2]);
        return new Version(Long.parseLong(version[0]), version[1]);
    }

    @Test
    void aViolationBelowTheLimitGoesToRetryCountedPenalizedWithItsBackOff() throws Exception {
        long before = System.currentTimeMillis();
        enqueue(childInsert(10, 99, new Version(100, "A")), Map.of());
        runner.run();

        MockFlowFile retry = onlyRetry();
        assertTrue(retry.isPenalized());
        retry.assertAttributeEquals(BisyncAttributes.RETRY_COUNT, "1");
        assertTrue(notBefore(retry) >= before + 2_000 && notBefore(retry) <= System.currentTimeMillis() + 2_000, retry.getAttributes().toString());
        assertTrue(retry.getAttribute(BisyncAttributes.REASON).startsWith("Foreign-key violation"), retry.getAttribute(BisyncAttributes.REASON));
        assertEquals(1, runner.getCounterValue("Changes retried"));

        runner.clearTransferState();
        before = System.currentTimeMillis();
        runner.enqueue(retry.toByteArray(), Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, retry.getAttribute(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE),
                BisyncAttributes.RETRY_COUNT, "3", BisyncAttributes.RETRY_NOT_BEFORE, "0"));
        runner.run();
        MockFlowFile fourth = onlyRetry();
        fourth.assertAttributeEquals(BisyncAttributes.RETRY_COUNT, "4");
        assertTrue(notBefore(fourth) >= before + 10_000 && notBefore(fourth) <= System.currentTimeMillis() + 10_000,
                "2 s * 2^3 = 16 s, capped at 10 s: " + fourth.getAttributes());
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM child"));
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM bisync_v_child"));
    }

    @Test
    void aRetryThatComesBackBeforeItsTimeGoesBackToRetryWithoutTouchingTheDatabase() throws Exception {
        Jdbc.exec(dataSource, "INSERT INTO parent VALUES (1, 'p')");
        long notBefore = System.currentTimeMillis() + 60_000;
        enqueue(childInsert(10, 1, new Version(100, "A")), Map.of(BisyncAttributes.RETRY_COUNT, "2",
                BisyncAttributes.RETRY_NOT_BEFORE, String.valueOf(notBefore)));
        runner.run();

        MockFlowFile retry = onlyRetry();
        assertTrue(retry.isPenalized());
        retry.assertAttributeEquals(BisyncAttributes.RETRY_COUNT, "2");
        retry.assertAttributeEquals(BisyncAttributes.RETRY_NOT_BEFORE, String.valueOf(notBefore));
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM child"), "the record would apply, but it was not tried");
        assertEquals(0L, counter("Changes retried"));
    }

    @Test
    void atTheLimitAChildOlderThanItsParentsTombstoneIsSettledToSuccessAndLeftDeleted() throws Exception {
        Version vp = deletedParent();
        Version vc = new Version(vp.number() - 1_000, "A");
        enqueue(childInsert(10, 1, vc), Map.of(BisyncAttributes.RETRY_COUNT, "10", BisyncAttributes.RETRY_NOT_BEFORE, "0"));
        runner.run();

        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        MockFlowFile settled = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.SUCCESS).get(0);
        settled.assertAttributeEquals(BisyncAttributes.SETTLED, "1");
        settled.assertAttributeNotExists(BisyncAttributes.RETRY_COUNT);
        settled.assertAttributeNotExists(BisyncAttributes.RETRY_NOT_BEFORE);
        List<Record> records = ChangeFlowFiles.records(settled);
        assertEquals(1, records.size());
        String error = records.get(0).getAsString("error");
        assertTrue(error.contains("parent parent(id)") && !error.contains("{id=") && error.contains(vp.toString()) && error.contains(vc.toString())
                && error.contains("the child loses"), error);
        assertEquals(1, runner.getCounterValue("Foreign Key Conflicts Settled"));
        ProvenanceEventRecord send = runner.getProvenanceEvents().stream().filter(e -> e.getEventType() == ProvenanceEventType.SEND)
                .findFirst().orElseThrow();
        assertTrue(send.getDetails().contains("1 foreign-key conflict(s) settled"), send.getDetails());
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM child"));
        assertEquals(List.of("10, " + vp.number() + ", " + vp.origin() + ", true"),
                Jdbc.lines(dataSource, "SELECT id, version_num, version_origin, deleted FROM bisync_v_child"));
    }

    @Test
    void atTheLimitAChildNewerThanItsParentsTombstoneStaysInRetryForTheParentToComeBack() throws Exception {
        Version vp = deletedParent();
        enqueue(childInsert(10, 1, new Version(vp.number() + 1_000, "A")),
                Map.of(BisyncAttributes.RETRY_COUNT, "10", BisyncAttributes.RETRY_NOT_BEFORE, "0"));
        runner.run();

        MockFlowFile retry = onlyRetry();
        retry.assertAttributeEquals(BisyncAttributes.RETRY_COUNT, "11");
        String reason = retry.getAttribute(BisyncAttributes.REASON);
        assertTrue(reason.contains("not settled") && reason.contains("the child wins") && reason.contains(vp.toString()), reason);
        assertEquals(0L, counter("Foreign Key Conflicts Settled"));
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM child"));
        assertEquals(List.of(), Jdbc.lines(dataSource, "SELECT * FROM bisync_v_child"));
    }

    @Test
    void aBackOffMaximumBelowTheBaseIsInvalid() {
        runner.setProperty(ApplyBidirectionalChanges.RETRY_BACKOFF_MAX, "1 sec");
        runner.assertNotValid();
    }
}
