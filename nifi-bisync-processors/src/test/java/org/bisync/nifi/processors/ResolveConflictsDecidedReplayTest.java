/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.topology.SyncTopology;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.processors.ChangeFlowFiles.changes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A change the target already acknowledged to its source comes back only by a replay. With the row's tombstone purged
 * it meets no version and no prev_version, which would be a fast-forward; ResolveConflicts removes it as STALE instead,
 * while a fresh change of the same FlowFile is passed on. Source A and target B share one database, as in
 * {@link ResolveConflictsTest}.
 */
class ResolveConflictsDecidedReplayTest {

    private static final String TOPOLOGY = "{\"systems\": [{\"id\": \"A\", \"priority\": 1}, {\"id\": \"B\", \"priority\": 2}],"
            + " \"tables\": [{\"name\": \"part\", \"strategy\": \"LAST_WRITE_WINS\"}]}";
    private static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(
            new SimpleRecordSchema(List.of(field("id"))),
            new SimpleRecordSchema(List.of(field("id"), field("name"))));

    private static RecordField field(String name) {
        return new RecordField(name, RecordFieldType.STRING.getDataType(), true);
    }

    private static ChangeRecord insert(long sequence, String id) {
        return ChangeRecordBuilder.insert("part").key("id", id).after("name", "part " + sequence).version(600, "A")
                .sequence(sequence).changed("id", "name").build();
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void anAcknowledgedChangeReplayedAfterItsTombstoneWentIsStale(TestEngine engine) throws Exception {
        DataSource database = engine.freshDatabase("resolve_decided_replay");
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE part (id int NOT NULL PRIMARY KEY, name varchar(40))");
            Dialect dialect = Dialects.forConnection(c);
            SyncedTable table = new SyncedTableResolver(dialect, topology).resolve(c, topology.table("part").orElseThrow(), "B");
            new TriggerInstaller(dialect).install(c, List.of(table), System.currentTimeMillis() * 1000L);
            // B decided A's change 101 long ago (applied, then the row was deleted and its tombstone purged)
            new AckLedger(dialect.capture()).acknowledge(c, "B", List.of(101L));
        }
        TestRunner runner = BisyncRunners.forTarget(TestRunners.newTestRunner(ResolveConflicts.class), TOPOLOGY,
                Map.of("A", database, "B", database), "B");
        ChangeFlowFiles.enqueue(runner, SCHEMA, "part", List.of(insert(101, "1"), insert(102, "2")), Map.of());
        runner.run();

        runner.assertQueueEmpty();
        runner.assertTransferCount(ResolveConflicts.SUCCESS, 1);
        List<ChangeRecord> passed = changes(runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0));
        assertEquals(List.of(Map.of("id", "2")), passed.stream().map(c -> c.key).toList(), "only the fresh change is passed on");
        runner.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0).assertAttributeEquals(BisyncAttributes.STALE, "1");
        assertEquals(1, runner.getCounterValue(ResolveConflicts.COUNTER_STALE));
    }
}
