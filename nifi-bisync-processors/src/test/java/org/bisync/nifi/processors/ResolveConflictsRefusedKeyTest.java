/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.bisync.nifi.processors.ChangeFlowFiles.changes;
import static org.bisync.nifi.processors.ChangeFlowFiles.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key the target cannot take (text for an integer key column, a value longer than a VARCHAR key, a label a
 * PostgreSQL enum key does not have) fails alone in ResolveConflicts: that record goes to {@code failure} with a reason
 * naming the record and the key field, never the value, while the other records of the FlowFile are decided, passed
 * on and acknowledged, and the FlowFile is not retried. Source A and target B share one database here, as in
 * {@link ResolveConflictsTest}.
 */
class ResolveConflictsRefusedKeyTest {

    private static final String TOPOLOGY = "{\"systems\": [{\"id\": \"A\", \"priority\": 1}, {\"id\": \"B\", \"priority\": 2}],"
            + " \"tables\": [{\"name\": \"part\", \"strategy\": \"LAST_WRITE_WINS\"}]}";
    /** The source's key is text in both fields (another system's schema); the target's id is an integer. */
    private static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(
            new SimpleRecordSchema(List.of(field("id"), field("code"))),
            new SimpleRecordSchema(List.of(field("id"), field("code"), field("name"))));

    private DataSource database;
    private TestRunner runner;

    private static RecordField field(String name) {
        return new RecordField(name, RecordFieldType.STRING.getDataType(), true);
    }

    private void start(TestEngine engine, String name, String ddl) throws Exception {
        database = engine.freshDatabase(name);
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl);
            Dialect dialect = Dialects.forConnection(c);
            SyncedTable table = new SyncedTableResolver(dialect, topology).resolve(c, topology.table("part").orElseThrow(), "B");
            new TriggerInstaller(dialect).install(c, List.of(table), System.currentTimeMillis() * 1000L);
        }
        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(ResolveConflicts.class), TOPOLOGY, Map.of("A", database, "B", database), "B");
    }

    private static ChangeRecord change(long sequence, String id, String code, long version) {
        return ChangeRecordBuilder.insert("part").key("id", id).key("code", code).after("name", "part " + sequence)
                .version(version, "A").sequence(sequence).changed("id", "code", "name").build();
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aKeyTheTargetCannotBindFailsAloneAndTheOthersAreDecidedAndAcknowledged(TestEngine engine) throws Exception {
        start(engine, "resolve_refused_key", "CREATE TABLE part (id int NOT NULL, code varchar(8) NOT NULL, name varchar(40), "
                + "PRIMARY KEY (id, code))");
        Jdbc.exec(database, "INSERT INTO part VALUES (4, 'D4', 'held')", "UPDATE bisync_v_part SET version_num = 700, version_origin = 'A'");
        ChangeRecord text = change(102, "xyz", "B2", 600); // not hex: the check below also reads the processor's UUID
        ChangeRecord tooLong = change(103, "3", "far too long", 600);
        enqueue(List.of(change(101, "1", "A1", 600), text, tooLong, change(104, "4", "D4", 700)));
        runner.run();

        runner.assertQueueEmpty();
        runner.assertTransferCount(ResolveConflicts.SUCCESS, 1);
        runner.assertTransferCount(ResolveConflicts.FAILURE, 1);
        List<ChangeRecord> passed = changes(runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0));
        assertEquals(List.of(Map.of("id", "1", "code", "A1")), passed.stream().map(c -> c.key).toList());
        assertEquals(Decision.APPLY, passed.get(0).decision);

        MockFlowFile failed = runner.getFlowFilesForRelationship(ResolveConflicts.FAILURE).get(0);
        List<String> errors = records(failed).stream().map(r -> r.getAsString("error")).toList();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("Record 1") && errors.get(0).contains("key field 'id'"), errors.get(0));
        assertTrue(errors.get(1).contains("Record 2") && errors.get(1).contains("key field 'code'") && errors.get(1).contains("(8)"),
                errors.get(1));
        assertEquals(List.of(text.key, tooLong.key), changes(failed).stream().map(c -> c.key).toList(), "the records go as they came");
        failed.assertAttributeEquals("bisync.failed", "2");
        assertNoValueShown(Stream.concat(errors.stream(), Stream.of(failed.getAttribute(BisyncAttributes.REASON))).toList());
        assertEquals(2, runner.getCounterValue(ResolveConflicts.COUNTER_FAILED));
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
        assertEquals(List.of(104L), acknowledged(), "the stale change is acknowledged; the applied one waits for Apply, the failed ones are not");
    }

    /** PostgreSQL itself refuses a label an enum key does not have, when the versions are read (SQLState 22P02). */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aKeyThePostgresServerRefusesFailsAlone() throws Exception {
        start(TestEngine.POSTGRESQL, "resolve_refused_enum", "CREATE TYPE grade AS ENUM ('A1', 'B2', 'D4'); "
                + "CREATE TABLE part (id int NOT NULL, code grade NOT NULL, name varchar(40), PRIMARY KEY (id, code))");
        Jdbc.exec(database, "INSERT INTO part VALUES (4, 'D4', 'held')", "UPDATE bisync_v_part SET version_num = 700, version_origin = 'A'");
        enqueue(List.of(change(101, "1", "A1", 600), change(102, "2", "Z9", 600), change(103, "3", "B2", 600), change(104, "4", "D4", 700)));
        runner.run();

        runner.assertQueueEmpty();
        List<ChangeRecord> passed = changes(runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0));
        assertEquals(List.of("1", "3"), passed.stream().map(c -> c.key.get("id")).toList());
        MockFlowFile failed = runner.getFlowFilesForRelationship(ResolveConflicts.FAILURE).get(0);
        List<String> errors = records(failed).stream().map(r -> r.getAsString("error")).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("Record 1") && errors.get(0).contains("[id, code]") && errors.get(0).contains("22P02"),
                errors.get(0));
        assertFalse(errors.get(0).contains("Z9"), errors.get(0));
        assertEquals(List.of(104L), acknowledged());
    }

    private void enqueue(List<ChangeRecord> changes) {
        ChangeFlowFiles.enqueue(runner, SCHEMA, "part", changes, Map.of());
    }

    /** Neither the records' errors, nor the FlowFile's reason, nor the processor's log carry a refused value. */
    private void assertNoValueShown(List<String> reasons) {
        List<String> texts = new ArrayList<>(reasons);
        for (List<LogMessage> messages : List.of(runner.getLogger().getWarnMessages(), runner.getLogger().getErrorMessages())) {
            for (LogMessage message : messages) {
                texts.add(message.getMsg() + " " + java.util.Arrays.toString(message.getArgs()));
            }
        }
        for (String text : texts) {
            assertFalse(text.contains("xyz") || text.contains("far too long"), text);
        }
    }

    private List<Long> acknowledged() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT first_id, last_id FROM bisync_ack WHERE target_system = 'B' ORDER BY first_id")) {
            while (rs.next()) {
                for (long id = rs.getLong(1); id <= rs.getLong(2); id++) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }
}
