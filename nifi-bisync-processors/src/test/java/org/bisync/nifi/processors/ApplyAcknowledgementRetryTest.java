/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.topology.SyncTopology;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriter;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An acknowledgement that cannot be written (the source refuses it) is kept, across a restart too, and written with
 * the next ones once the source takes it: the source's history is never held back for good.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApplyAcknowledgementRetryTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";
    private static final RecordSchema KEY = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false)));
    private static final RecordSchema ROW = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.INT.getDataType(), false),
            new RecordField("name", RecordFieldType.STRING.getDataType(), true)));
    private static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(KEY, ROW);

    /**
     * Makes the source refuse acknowledgements (its bisync_ack renamed away: the write fails as it does when the source is
     * down, while apply, which also reads the source's table definition, still can).
     */
    private String ackTable = "bisync_ack";

    private void ackTableGone(DataSource source, boolean gone) throws SQLException {
        ackTable = gone ? "bisync_ack_away" : "bisync_ack";
        Jdbc.exec(source, List.of(gone ? "ALTER TABLE bisync_ack RENAME TO bisync_ack_away" : "ALTER TABLE bisync_ack_away RENAME TO bisync_ack"));
    }

    @Test
    void acknowledgementsASourceCouldNotTakeAreWrittenWithTheNextOnesEvenAfterARestart() throws Exception {
        PostgresDialect dialect = new PostgresDialect();
        DataSource source = EmbeddedDatabases.postgres("ack_retry_source");
        DataSource target = EmbeddedDatabases.postgres("ack_retry_target");
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        Jdbc.exec(source, dialect.capture().createBisyncTables());
        Jdbc.exec(source, List.of("CREATE TABLE customer (id int PRIMARY KEY, name varchar(20))"));
        try (Connection connection = target.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : dialect.capture().createBisyncTables()) {
                statement.execute(sql);
            }
            statement.execute("CREATE TABLE customer (id int PRIMARY KEY, name varchar(20))");
            SyncedTable customer = new SyncedTableResolver(dialect, topology).resolve(connection, topology.table("customer").orElseThrow(), "B");
            for (String sql : dialect.capture().installTable(customer)) {
                statement.execute(sql);
            }
        }
        DataSource sourcePool = source;

        TestRunner runner = runner(sourcePool, target);
        enqueue(runner, change(1, 100));
        runner.run();
        assertEquals(List.of(List.of(100L, 100L)), acks(source));

        ackTableGone(source, true);
        enqueue(runner, change(2, 101));
        runner.run();
        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 2);
        assertEquals(List.of(List.of(100L, 100L)), acks(source));
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("Cannot acknowledge")));

        ackTableGone(source, false);
        enqueue(runner, change(3, 102));
        runner.run();
        assertEquals(List.of(List.of(100L, 100L), List.of(101L, 102L)), acks(source),
                "the waiting acknowledgement is written with the next one");

        ackTableGone(source, true);
        enqueue(runner, change(4, 103));
        runner.run();
        // NiFi restarts while the source still refuses: the waiting acknowledgement is in the processor's state
        Map<String, String> state = runner.getStateManager().getState(Scope.LOCAL).toMap();
        assertFalse(state.isEmpty(), "the waiting acknowledgement is kept in the local state");
        runner = runner(sourcePool, target);
        runner.getStateManager().setState(state, Scope.LOCAL);

        ackTableGone(source, false);
        enqueue(runner, change(5, 104));
        runner.run();
        runner.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        assertEquals(List.of(List.of(100L, 100L), List.of(101L, 102L), List.of(103L, 104L)), acks(source),
                "every decided change is acknowledged, the one that waited across the restart too");
        assertTrue(runner.getStateManager().getState(Scope.LOCAL).toMap().keySet().stream().noneMatch(k -> k.startsWith("ack.")),
                "nothing waits any more");
    }

    private TestRunner runner(DataSource sourcePool, DataSource target) throws Exception {
        return BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), TOPOLOGY,
                Map.of("A", sourcePool, "B", target), "B");
    }

    private static ChangeRecord change(int id, long sequence) {
        return ChangeRecordBuilder.insert("customer").key("id", id).after("name", "n" + id).version(sequence, "A")
                .sequence(sequence).capturedNow().toApply().build();
    }

    private static void enqueue(TestRunner runner, ChangeRecord... changes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonRecordSetWriter writer = new JsonRecordSetWriter(SCHEMA.schema(), out)) {
            writer.beginRecordSet();
            for (ChangeRecord change : changes) {
                writer.write(SCHEMA.toRecord(change));
            }
            writer.finishRecordSet();
        }
        runner.enqueue(out.toByteArray(), Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(SCHEMA.schema()),
                BisyncAttributes.TABLE, "customer"));
    }

    /** The source's acknowledgement rows of target B: [first, last] each, by first id. */
    private List<List<Long>> acks(DataSource source) throws SQLException {
        List<List<Long>> rows = new ArrayList<>();
        try (Connection connection = source.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT first_id, last_id FROM " + ackTable + " WHERE target_system = 'B' ORDER BY first_id")) {
            while (rs.next()) {
                rows.add(List.of(rs.getLong(1), rs.getLong(2)));
            }
        }
        return rows;
    }

}
