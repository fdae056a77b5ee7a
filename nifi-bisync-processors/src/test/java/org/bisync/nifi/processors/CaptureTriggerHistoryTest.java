/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.provenance.ProvenanceEventType;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.TestDbcpService;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureTriggerHistoryTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer", "exclude": ["note"]}]}""";

    private DataSource dataSource;
    private TestRunner runner;

    private void start(TestEngine engine, String database, String topology) throws Exception {
        dataSource = engine.freshDatabase(database);
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                + "amount DECIMAL(12,2), note VARCHAR(100))");
        runner = newRunner(topology);
    }

    private TestRunner newRunner(String topology) throws Exception {
        return newRunner(new CaptureTriggerHistory(), topology);
    }

    private TestRunner newRunner(CaptureTriggerHistory processor, String topology) throws Exception {
        TestRunner r = TestRunners.newTestRunner(processor);
        TestDbcpService pool = new TestDbcpService(dataSource);
        r.addControllerService("pool-a", pool);
        r.enableControllerService(pool);
        StandardSyncTopologyService service = new StandardSyncTopologyService();
        r.addControllerService("topology", service);
        r.setProperty(service, StandardSyncTopologyService.TOPOLOGY_DEFINITION, topology);
        r.setProperty(service, "A", "pool-a");
        r.setProperty(service, "B", "pool-a"); // capture never connects to B; the topology needs a pool per system
        r.enableControllerService(service);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        r.addControllerService("writer", writer);
        r.enableControllerService(writer);
        r.setProperty(CaptureTriggerHistory.SYNC_TOPOLOGY, "topology");
        r.setProperty(CaptureTriggerHistory.SYSTEM_ID, "A");
        r.setProperty(CaptureTriggerHistory.RECORD_WRITER, "writer");
        r.setProperty(CaptureTriggerHistory.MAINTENANCE_INTERVAL, "0 sec");
        return r;
    }

    /** Reads a FlowFile's change records back with the schema the writer carried. */
    static List<Record> records(MockFlowFile flowFile) throws Exception {
        List<Record> records = new ArrayList<>();
        try (var reader = new JsonRecordReaderService().createRecordReader(flowFile.getAttributes(),
                new ByteArrayInputStream(flowFile.toByteArray()), flowFile.getSize(), null)) {
            Record record;
            while ((record = reader.nextRecord()) != null) {
                records.add(record);
            }
        }
        return records;
    }

    private List<Record> captured() throws Exception {
        List<Record> all = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS)) {
            all.addAll(records(flowFile));
        }
        runner.clearTransferState();
        return all;
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void insertUpdateDeleteAreEmittedInCaptureOrderWithRowImagesAndVersions(TestEngine engine) throws Exception {
        start(engine, "capture_ops", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name, email, amount) VALUES (1, 'Ada', 'ada@example.org', 10.50)",
                "UPDATE customer SET amount = 12.25 WHERE id = 1",
                "DELETE FROM customer WHERE id = 1");
        runner.run(1, false, false);

        runner.assertAllFlowFilesTransferred(CaptureTriggerHistory.SUCCESS, 1);
        MockFlowFile flowFile = runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).getFirst();
        flowFile.assertAttributeEquals(BisyncAttributes.TABLE, "customer");
        flowFile.assertAttributeEquals(BisyncAttributes.SOURCE_SYSTEM, "A");
        flowFile.assertAttributeEquals(BisyncAttributes.RECORD_COUNT, "3");
        assertEquals(ProvenanceEventType.RECEIVE, runner.getProvenanceEvents().getFirst().getEventType());
        assertTrue(runner.getProvenanceEvents().getFirst().getTransitUri().contains("#customer"));
        List<Record> records = captured();
        assertEquals(List.of("INSERT", "UPDATE", "DELETE"), records.stream().map(r -> r.getAsString("operation")).toList());

        Record insert = records.get(0);
        assertNull(insert.getValue("before"));
        Record after = (Record) insert.getValue("after");
        assertEquals("Ada", after.getValue("name"));
        assertEquals(0, new BigDecimal("10.50").compareTo((BigDecimal) after.getValue("amount")));
        assertNull(insert.getValue("prev_version"));

        Record update = records.get(1);
        assertEquals(List.of("amount"), List.of((Object[]) update.getValue("changed_fields")));
        assertEquals(insert.getAsLong("version"), update.getAsLong("prev_version"));
        assertTrue(update.getAsLong("version") > insert.getAsLong("version"));
        assertEquals("A", update.getAsString("version_origin"));

        Record delete = records.get(2);
        assertNull(delete.getValue("after"));
        assertEquals(1L, ((Record) delete.getValue("key")).getAsLong("id"));
        assertTrue(delete.getAsLong("version") > update.getAsLong("version"));
        assertEquals(3L, runner.getCounterValue("Changes captured"));
        long offset = Long.parseLong(flowFile.getAttribute(BisyncAttributes.CLOCK_OFFSET));
        assertTrue(Math.abs(offset) < 5_000_000L, "the database runs on this machine's clock: offset " + offset + " µs");
        assertTrue(runner.getLogger().getWarnMessages().isEmpty(), () -> runner.getLogger().getWarnMessages().toString());
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aDatabaseClockAnHourFastIsReportedWarnedAboutAndCorrectedInTheTriggersClock(TestEngine engine) throws Exception {
        long hour = 3_600_000_000L;
        dataSource = engine.freshDatabase("capture_clock");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                + "amount DECIMAL(12,2), note VARCHAR(100))");
        // NiFi's clock an hour behind the machine's: to capture, the database's clock is an hour fast
        runner = newRunner(new CaptureTriggerHistory() {
            @Override
            protected long nifiClockMicros() {
                return nowMicros() - hour;
            }
        }, TOPOLOGY);
        runner.setProperty(CaptureTriggerHistory.CLOCK_SLEW, "7200 sec");
        runner.run(1, false, true);
        long correction = Jdbc.count(dataSource, "SELECT num_value FROM bisync_config WHERE name = 'clock_correction_micros'");
        assertTrue(Math.abs(correction + hour) < 5_000_000L, "the correction pulls the database back by an hour: " + correction);

        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, false, false);
        MockFlowFile flowFile = runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).getFirst();
        long offset = Long.parseLong(flowFile.getAttribute(BisyncAttributes.CLOCK_OFFSET));
        assertTrue(Math.abs(offset - hour) < 5_000_000L, "the reported offset is the uncorrected one, an hour: " + offset);
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("ahead of")),
                () -> "a bulletin says the clock is ahead: " + runner.getLogger().getWarnMessages());
        long version = captured().getFirst().getAsLong("version");
        long nifiNow = CaptureTriggerHistory.nowMicros() - hour;
        assertTrue(Math.abs(version - nifiNow) < 10_000_000L, "the trigger's clock follows NiFi's: version " + version
                + ", NiFi's clock " + nifiNow);
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void updateOfOnlyAnExcludedColumnOrToTheSameValueIsNotCaptured(TestEngine engine) throws Exception {
        start(engine, "capture_noop", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, false, false);
        assertEquals(1, captured().size());
        Jdbc.exec(dataSource, "UPDATE customer SET note = 'internal' WHERE id = 1", "UPDATE customer SET name = 'Ada' WHERE id = 1");
        runner.run(1, false, false);
        assertEquals(0, captured().size());
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void keyChangingUpdateIsADeleteOfTheOldKeyAndAnInsertOfTheNew(TestEngine engine) throws Exception {
        start(engine, "capture_keychange", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, false, false);
        captured();
        Jdbc.exec(dataSource, "UPDATE customer SET id = 2 WHERE id = 1");
        runner.run(1, false, false);
        List<Record> records = captured();
        assertEquals(List.of("DELETE", "INSERT"), records.stream().map(r -> r.getAsString("operation")).toList());
        assertEquals(1L, ((Record) records.get(0).getValue("key")).getAsLong("id"));
        assertEquals(2L, ((Record) records.get(1).getValue("key")).getAsLong("id"));
    }

    @ParameterizedTest
    @EnumSource(value = TestEngine.class, names = {"POSTGRESQL", "MARIADB"})
    void transactionThatTookALowIdAndCommittedLateIsNotSkipped(TestEngine engine) throws Exception {
        start(engine, "capture_late", TOPOLOGY);
        runner.run(1, false, true);
        try (Connection slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            try (Statement s = slow.createStatement()) {
                s.execute("INSERT INTO customer (id, name) VALUES (1, 'slow')");
            }
            Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (2, 'fast')");
            runner.run(1, false, false);
            assertEquals(List.of(2L), keys(captured()));
            runner.run(2, false, false);
            assertEquals(0, captured().size());
            slow.commit();
        }
        runner.run(1, false, false);
        assertEquals(List.of(1L), keys(captured()));
    }

    /** Every message along the cause chain: NiFi's test runner wraps what onScheduled threw. */
    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append(" | ");
        }
        return text.toString();
    }

    private static List<Long> keys(List<Record> records) {
        return records.stream().map(r -> ((Record) r.getValue("key")).getAsLong("id")).toList();
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void emittedChangesAreReleasedOnlyAfterCommitAndARestartResumesFromState(TestEngine engine) throws Exception {
        start(engine, "capture_restart", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        runner.run(1, true, false);
        assertEquals(2, captured().size());
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"), "unreleased until the next run");
        String pending = runner.getStateManager().getState(Scope.CLUSTER).get(CaptureTriggerHistory.STATE_PENDING_RELEASE);
        assertNotNull(pending);

        // a new processor instance with the same cluster state: releases what was emitted, emits nothing twice
        Map<String, String> state = runner.getStateManager().getState(Scope.CLUSTER).toMap();
        runner = newRunner(TOPOLOGY);
        runner.getStateManager().setState(state, Scope.CLUSTER);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (3, 'Cy')");
        runner.run(1, false, true);
        assertEquals(List.of(3L), keys(captured()));
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"), "1 and 2 released, 3 not yet");
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "released rows stay until target B acknowledged them");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void withoutStateTheUnreleasedChangesAreEmittedAgainNeverLost(TestEngine engine) throws Exception {
        start(engine, "capture_crash", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, true, false);
        assertEquals(1, captured().size());
        runner = newRunner(TOPOLOGY); // state lost, as if the session had never committed
        runner.run(1, false, true);
        assertEquals(List.of(1L), keys(captured()));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void retentionRemovesOnlyReleasedRowsEveryTargetAcknowledged(TestEngine engine) throws Exception {
        start(engine, "capture_retention", TOPOLOGY);
        runner.setProperty(CaptureTriggerHistory.HISTORY_RETENTION, "1 hour");
        runner.setProperty(CaptureTriggerHistory.MAINTENANCE_INTERVAL, "0 sec");
        runner.run(1, true, true);
        runner.setProperty(CaptureTriggerHistory.MAX_CHANGES_PER_POLL, "1");
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')",
                "INSERT INTO customer (id, name) VALUES (3, 'Cy')");
        runner.run(1, false, true);   // emits id 1 only
        runner.run(1, false, false);  // releases 1, emits 2
        ageReleasedHistoryPastTheRetention();
        runner.run(1, false, false);  // releases 2, emits 3 (unreleased); purges nothing: B has not acknowledged 1
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "released but unacknowledged rows are kept");
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"));
        List<Long> ids = Jdbc.longs(dataSource, "SELECT id FROM bisync_released UNION ALL SELECT id FROM bisync_history ORDER BY id");
        try (java.sql.Connection c = dataSource.getConnection()) {
            // target B decided all three, the unreleased third included
            new org.bisync.nifi.purge.AckLedger(org.bisync.nifi.dialect.Dialects.forConnection(c).capture()).acknowledge(c, "B", ids);
        }
        ageReleasedHistoryPastTheRetention();
        runner.run(1, true, false);   // releases 3 (now, so it stays for the retention), purges 1 and 2
        assertEquals(List.of(1L, 2L, 3L), keys(captured()));
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "rows 1 and 2: released, acknowledged, past the retention");
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"));
    }

    /** Moves every released row two hours into the past: what waiting out the retention of one hour would do. */
    private void ageReleasedHistoryPastTheRetention() throws java.sql.SQLException {
        Jdbc.exec(dataSource, "UPDATE bisync_released SET released_at = released_at - 7200000000");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void releasedHistoryATargetHoldsBackIsGaugedAndRaisesABulletinNamingTheTarget(TestEngine engine) throws Exception {
        start(engine, "capture_unacked", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, false, false); // emits the insert
        runner.run(1, false, false); // releases it
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "B has not acknowledged it");
        assertTrue(runner.getLogger().getWarnMessages().isEmpty(), "released a moment ago: no bulletin yet");

        Jdbc.exec(dataSource, "UPDATE bisync_released SET released_at = released_at - 7200000000"); // as if released two hours ago
        runner.run(1, false, false);
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "kept: B still has not acknowledged it");
        List<Double> kept = runner.getGaugeValues("Released history kept seconds");
        assertTrue(kept.getLast() >= 7200, "the gauge shows how long it waits: " + kept);
        assertTrue(runner.getLogger().getWarnMessages().stream().anyMatch(m -> m.getMsg().contains("[B]")),
                () -> "a bulletin names B: " + runner.getLogger().getWarnMessages());

        long id = Jdbc.count(dataSource, "SELECT id FROM bisync_released");
        try (Connection c = dataSource.getConnection()) {
            new org.bisync.nifi.purge.AckLedger(org.bisync.nifi.dialect.Dialects.forConnection(c).capture()).acknowledge(c, "B", List.of(id));
        }
        int warnings = runner.getLogger().getWarnMessages().size();
        runner.run(1, false, false);
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"), "acknowledged: purged (History Retention 0 sec)");
        assertEquals(0.0, runner.getGaugeValues("Released history kept seconds").getLast());
        assertEquals(warnings, runner.getLogger().getWarnMessages().size(), "no bulletin once acknowledged");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anInstallationThatKeptReleasedRowsInItsHistoryIsUpgradedAndSendsThemNoMore(TestEngine engine) throws Exception {
        start(engine, "capture_upgrade", TOPOLOGY);
        runner.run(1, true, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        long first = Jdbc.count(dataSource, "SELECT MIN(id) FROM bisync_history");
        // what an older version left: released rows stamped in place, and its own DDL hashes
        Jdbc.exec(dataSource, "ALTER TABLE bisync_history ADD COLUMN released_at BIGINT",
                "CREATE INDEX bisync_history_released ON bisync_history (released_at, id)",
                "UPDATE bisync_history SET released_at = 5 WHERE id = " + first,
                "UPDATE bisync_installed SET ddl_hash = 'hash of an older version'");

        runner = newRunner(TOPOLOGY);
        runner.run(1, false, true);
        assertEquals(List.of(2L), keys(captured()), "the row released before the upgrade is not sent again");
        assertEquals(first, Jdbc.count(dataSource, "SELECT id FROM bisync_released WHERE released_at = 5"), "moved with its release time");
        try (Connection c = dataSource.getConnection()) {
            var history = org.bisync.nifi.dialect.Dialects.forConnection(c).catalog().readTable(c, "bisync_history").orElseThrow();
            assertTrue(history.column("released_at").isEmpty(), history.columns().toString());
        }
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (3, 'Cy')");
        runner.run(1, true, false);
        assertEquals(List.of(3L), keys(captured()), "the rebuilt triggers write into the upgraded history");
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void initialLoadEmitsExistingRowsAsSnapshotsOnce(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("capture_snapshot");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                + "amount DECIMAL(12,2), note VARCHAR(100))");
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        runner = newRunner(TOPOLOGY);
        runner.setProperty(CaptureTriggerHistory.INITIAL_LOAD, CaptureTriggerHistory.LOAD_EXISTING.getValue());
        runner.run(1, false, true);
        List<Record> records = captured();
        assertEquals(List.of("SNAPSHOT", "SNAPSHOT"), records.stream().map(r -> r.getAsString("operation")).toList());
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_v_customer"), "every row got a version");
        runner.run(1, true, false);
        assertEquals(0, captured().size(), "the initial load runs once");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void tableWithoutPrimaryKeyNeedsASyncKey(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("capture_nokey");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT, name VARCHAR(100))");
        runner = newRunner(TOPOLOGY);
        AssertionError e = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(causes(e).contains("has no primary key"), causes(e));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void unknownTableIsAClearError(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("capture_notable");
        runner = newRunner(TOPOLOGY);
        AssertionError e = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(causes(e).contains("'customer' in system 'A' does not exist"), causes(e));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void verifyOnlyRefusesToStartWhenTriggersAreMissing(TestEngine engine) throws Exception {
        start(engine, "capture_verify", TOPOLOGY);
        runner.setProperty(CaptureTriggerHistory.TRIGGER_MANAGEMENT, CaptureTriggerHistory.VERIFY.getValue());
        AssertionError e = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(causes(e).contains("customer (missing)"), causes(e));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void viewIsPolledAsAOneWaySourceWithDeletesFoundByKeyComparison(TestEngine engine) throws Exception {
        start(engine, "capture_view", """
                {"systems": [{"id": "A"}, {"id": "B"}],
                 "tables": [{"name": "customer", "exclude": ["note"]},
                            {"name": "active_customer", "direction": "ONE_WAY", "source": "A", "syncKey": ["id"],
                             "view": {"changeColumn": "id"}}]}""");
        Jdbc.exec(dataSource, "CREATE VIEW active_customer AS SELECT id, name FROM customer WHERE name IS NOT NULL");
        runner.setProperty(CaptureTriggerHistory.VIEW_POLL_INTERVAL, "0 sec");
        runner.run(1, false, true);
        runner.clearTransferState();
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        runner.run(1, false, false);
        List<Record> first = viewChanges();
        assertEquals(List.of("INSERT", "INSERT"), first.stream().map(r -> r.getAsString("operation")).toList());
        runner.run(1, false, false);
        assertEquals(0, viewChanges().size(), "unchanged rows are not emitted again");
        Jdbc.exec(dataSource, "UPDATE customer SET name = 'Robert' WHERE id = 2", "UPDATE customer SET name = NULL WHERE id = 1");
        runner.run(1, false, false);
        List<Record> second = viewChanges();
        assertEquals(List.of("DELETE", "UPDATE"), second.stream().map(r -> r.getAsString("operation")).sorted().toList());
        Record update = second.stream().filter(r -> r.getAsString("operation").equals("UPDATE")).findFirst().orElseThrow();
        assertEquals("Robert", ((Record) update.getValue("after")).getValue("name"));
        assertTrue(update.getAsLong("version") > update.getAsLong("prev_version"));
    }

    private List<Record> viewChanges() throws Exception {
        List<Record> all = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS)) {
            if ("active_customer".equals(flowFile.getAttribute(BisyncAttributes.TABLE))) {
                all.addAll(records(flowFile));
            }
        }
        runner.clearTransferState();
        return all;
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void triggersAreRebuiltWhenTheTableGainsAColumnAndTheNewColumnIsCaptured(TestEngine engine) throws Exception {
        start(engine, "capture_ddl", TOPOLOGY);
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "ALTER TABLE customer ADD COLUMN phone VARCHAR(40)");
        runner.run(1, false, false); // maintenance (interval 0) sees the new column hash and rebuilds
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name, phone) VALUES (1, 'Ada', '+41 1')");
        runner.run(1, false, false);
        List<Record> records = captured();
        assertEquals(1, records.size());
        assertEquals("+41 1", ((Record) records.getFirst().getValue("after")).getValue("phone"));
    }

    @org.junit.jupiter.api.Test
    void missingPrivilegesAreAClearError() throws Exception {
        DataSource admin = TestEngine.POSTGRESQL.freshDatabase("capture_priv");
        dataSource = admin;
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                        + "amount DECIMAL(12,2), note VARCHAR(100))",
                "DROP ROLE IF EXISTS bisync_reader", "CREATE ROLE bisync_reader LOGIN PASSWORD 'reader'",
                "GRANT SELECT ON customer TO bisync_reader");
        org.postgresql.ds.PGSimpleDataSource limited = new org.postgresql.ds.PGSimpleDataSource();
        limited.setUrl(org.bisync.nifi.testsupport.EmbeddedDatabases.postgresJdbcUrl("capture_priv_postgresql"));
        limited.setUser("bisync_reader");
        limited.setPassword("reader");
        dataSource = limited;
        runner = newRunner(TOPOLOGY);
        AssertionError e = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(causes(e).contains("permission denied"), causes(e));
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aTableThatOnlyFlowsIntoThisSystemGetsItsVersionTableButNoCapture(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("capture_target_only");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                        + "amount DECIMAL(12,2), note VARCHAR(100))",
                "CREATE TABLE price (id BIGINT NOT NULL PRIMARY KEY, amount DECIMAL(12,2))");
        runner = newRunner("""
                {"systems": [{"id": "A"}, {"id": "B"}],
                 "tables": [{"name": "customer", "exclude": ["note"]},
                            {"name": "price", "direction": "ONE_WAY", "source": "B"}]}""");
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO price (id, amount) VALUES (1, 9.99)", "UPDATE price SET amount = 10.99 WHERE id = 1",
                "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        runner.run(1, true, false);
        assertEquals(List.of("customer"), captured().stream().map(r -> r.getAsString("table")).toList(),
                "local edits of a table that flows only from B are not captured at A");
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history WHERE table_name = 'price'"), "no history to pile up");
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_v_price"), "the version table apply needs is there");
    }
}
