/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.provenance.ProvenanceEventRecord;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriter;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.testsupport.TestDbcpService;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApplyBidirectionalChangesTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordSchema KEY = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false)));
    private static final RecordSchema ROW = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.INT.getDataType(), false),
            new RecordField("name", RecordFieldType.STRING.getDataType(), true),
            new RecordField("balance", RecordFieldType.DECIMAL.getDecimalDataType(10, 2), true)));
    private static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(KEY, ROW);

    private static DataSource dataSource;
    private TestRunner runner;

    private static final AtomicLong SEQUENCE = new AtomicLong();

    @BeforeAll
    static void createDatabase() throws SQLException {
        dataSource = EmbeddedDatabases.postgres("apply_processor");
        PostgresDialect dialect = new PostgresDialect();
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : dialect.capture().createBisyncTables()) {
                statement.execute(sql);
            }
            statement.execute("CREATE TABLE customer (id int PRIMARY KEY, name varchar(20), balance numeric(10,2))");
            SyncedTable customer = new SyncedTableResolver(dialect, topology).resolve(connection, topology.table("customer").orElseThrow(), "B");
            for (String sql : dialect.capture().installTable(customer)) {
                statement.execute(sql);
            }
        }
    }

    @BeforeEach
    void createRunner() throws Exception {
        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), TOPOLOGY,
                Map.of("A", dataSource, "B", dataSource), "B");
    }

    private static ChangeRecord change(Operation operation, int id, String name, long version) {
        ChangeRecordBuilder change = ChangeRecordBuilder.change("customer", operation).key("id", id);
        if (!operation.removesRow()) {
            change.after("name", name).after("balance", new BigDecimal("12.50"));
        }
        return change.version(version, "A")
                .sequence(SEQUENCE.incrementAndGet()) // unique: A and B share one database, and acknowledged ids are replays
                .capturedAt(System.currentTimeMillis() * 1000L - 2_000_000L).toApply().build();
    }

    private void enqueue(ChangeRecord... changes) throws Exception {
        runner.enqueue(json(changes), Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(SCHEMA.schema()),
                BisyncAttributes.TABLE, "customer"));
    }

    private static byte[] json(ChangeRecord... changes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonRecordSetWriter writer = new JsonRecordSetWriter(SCHEMA.schema(), out)) {
            writer.beginRecordSet();
            for (ChangeRecord change : changes) {
                writer.write(SCHEMA.toRecord(change));
            }
            writer.finishRecordSet();
        }
        return out.toByteArray();
    }

    private static JsonNode records(MockFlowFile flowFile) throws Exception {
        JsonNode node = JSON.readTree(flowFile.getContent());
        return node.isArray() ? node : JSON.createArrayNode().add(node);
    }

    @Test
    void appliedRecordsGoToSuccessWithASendEventCountersAndLatency() throws Exception {
        enqueue(change(Operation.INSERT, 1, "Ada", 100), change(Operation.INSERT, 2, "Grace", 100));
        runner.run();

        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        MockFlowFile success = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.SUCCESS).get(0);
        assertEquals(2, records(success).size());
        success.assertAttributeEquals(BisyncAttributes.APPLIED, "2");
        success.assertAttributeEquals(BisyncAttributes.TARGET_SYSTEM, "B");
        success.assertAttributeEquals(BisyncAttributes.TABLE, "customer");
        assertTrue(Long.parseLong(success.getAttribute(BisyncAttributes.LATENCY_MILLIS)) >= 2000);
        ProvenanceEventRecord send = runner.getProvenanceEvents().stream().filter(e -> e.getEventType() == ProvenanceEventType.SEND)
                .findFirst().orElseThrow();
        assertEquals("bisync://B/customer", send.getTransitUri());
        assertTrue(send.getDetails().contains("applied 2"), send.getDetails());
        assertEquals(2, runner.getCounterValue("Changes applied"));
        assertEquals("Grace", Jdbc.value(dataSource, "SELECT name FROM customer WHERE id = 2"));
        assertEquals(0L, Jdbc.value(dataSource, "SELECT count(*) FROM bisync_history"), "the applier's writes are not captured");
    }

    @Test
    void autoTerminatedSuccessSharesTheIncomingContentInsteadOfWritingTheAppliedRecordsAgain() throws Exception {
        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(new ApplyBidirectionalChanges() {
            @Override
            boolean successDiscarded(org.apache.nifi.processor.ProcessContext context) {
                return true; // as NiFi says of an auto-terminated relationship (nifi-mock always says false)
            }
        }), TOPOLOGY, Map.of("A", dataSource, "B", dataSource), "B");
        enqueue(change(Operation.INSERT, 60, "Ada", 100));
        runner.run();
        byte[] incoming = json(change(Operation.INSERT, 60, "Ada", 100), change(Operation.INSERT, 61, "Grace", 100));
        runner.enqueue(incoming, Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(SCHEMA.schema()),
                BisyncAttributes.TABLE, "customer"));
        runner.clearTransferState();
        runner.run();

        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        MockFlowFile success = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.SUCCESS).get(0);
        success.assertContentEquals(incoming);
        success.assertAttributeEquals(BisyncAttributes.APPLIED, "1");
        success.assertAttributeEquals(BisyncAttributes.STALE, "1");
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.SEND));
        assertEquals("Grace", Jdbc.value(dataSource, "SELECT name FROM customer WHERE id = 61"));
    }

    @Test
    void aFlowFileOfStaleChangesIsDroppedAndCounted() throws Exception {
        enqueue(change(Operation.INSERT, 10, "first", 500));
        runner.run();
        enqueue(change(Operation.UPDATE, 10, "older", 400), change(Operation.INSERT, 10, "first", 500));
        runner.run();

        runner.assertTransferCount(ApplyBidirectionalChanges.SUCCESS, 1);
        runner.assertTransferCount(ApplyBidirectionalChanges.FAILURE, 0);
        runner.assertTransferCount(ApplyBidirectionalChanges.RETRY, 0);
        assertEquals(2, runner.getCounterValue("Changes stale"));
        assertEquals("first", Jdbc.value(dataSource, "SELECT name FROM customer WHERE id = 10"));
        assertTrue(runner.getProvenanceEvents().stream().anyMatch(e -> e.getEventType() == ProvenanceEventType.DROP));
        runner.assertQueueEmpty();
    }

    @Test
    void aBadValueGoesToFailureWithItsErrorWhileTheOthersApply() throws Exception {
        enqueue(change(Operation.INSERT, 20, "a name far too long for twenty", 100), change(Operation.INSERT, 21, "fits", 100));
        runner.run();

        runner.assertTransferCount(ApplyBidirectionalChanges.SUCCESS, 1);
        runner.assertTransferCount(ApplyBidirectionalChanges.FAILURE, 1);
        MockFlowFile failure = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.FAILURE).get(0);
        JsonNode failed = records(failure);
        assertEquals(1, failed.size());
        assertEquals(20, failed.get(0).get("key").get("id").asInt());
        String error = failed.get(0).get("error").asText();
        assertTrue(error.contains("'name'") && error.contains("customer"), error);
        assertEquals(error, failure.getAttribute(BisyncAttributes.REASON) + " (field 'name')", "the FlowFile says why its record failed");
        assertEquals(1, runner.getCounterValue("Changes failed"));
        assertEquals(1L, Jdbc.value(dataSource, "SELECT count(*) FROM customer WHERE id IN (20, 21)"));
    }

    @Test
    void aMergeWhoseTargetMovedOnGoesToReResolve() throws Exception {
        enqueue(change(Operation.INSERT, 30, "base", 100));
        runner.run();
        ChangeRecord merge = change(Operation.UPDATE, 30, "merged", 300);
        merge.decision = Decision.MERGE;
        merge.expectedVersion = new Version(90, "A");
        enqueue(merge);
        runner.run();

        runner.assertTransferCount(ApplyBidirectionalChanges.RE_RESOLVE, 1);
        MockFlowFile reResolve = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.RE_RESOLVE).get(0);
        assertTrue(reResolve.getAttribute(BisyncAttributes.REASON).contains("100@A"));
        assertEquals("MERGE", records(reResolve).get(0).get("decision").asText());
        assertEquals(1, runner.getCounterValue("Changes re-resolved"));
        assertEquals("base", Jdbc.value(dataSource, "SELECT name FROM customer WHERE id = 30"));
    }

    @Test
    void anUnreachableDatabaseSendsEverythingToRetry() throws Exception {
        org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
        TestDbcpService dead = new TestDbcpService(nowhere);
        runner.addControllerService("dead-pool", dead);
        runner.enableControllerService(dead);
        StandardSyncTopologyService topology = (StandardSyncTopologyService) runner.getControllerService("topology");
        runner.disableControllerService(topology);
        runner.setProperty(topology, "B", "dead-pool");
        runner.enableControllerService(topology);
        enqueue(change(Operation.INSERT, 40, "later", 100));
        runner.run();

        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.RETRY, 1);
        MockFlowFile retry = runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.RETRY).get(0);
        assertTrue(retry.getAttribute(BisyncAttributes.REASON).startsWith("Cannot reach system 'B'"));
        assertTrue(retry.isPenalized());
        assertEquals(1, runner.getCounterValue("Changes retried"));
    }

    @Test
    void unreadableInputGoesToFailureWhole() {
        runner.enqueue("not json at all", Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(SCHEMA.schema())));
        runner.run();
        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.FAILURE, 1);
        assertEquals("Cannot read change records: the record reader failed (MalformedRecordException); see the FlowFile's content",
                runner.getFlowFilesForRelationship(ApplyBidirectionalChanges.FAILURE).get(0).getAttribute(BisyncAttributes.REASON));
    }
}
