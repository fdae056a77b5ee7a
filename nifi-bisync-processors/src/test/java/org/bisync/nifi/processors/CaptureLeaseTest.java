/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two CaptureTriggerHistory processors on the same system (a copied process group, a second NiFi): only the lease holder
 * reads and releases; the other refuses with a bulletin naming the holder, and takes over when the holder stops or its
 * heartbeat stands still for the Lease Timeout. The lease clock is a test clock: nothing waits.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CaptureLeaseTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";
    private static final long TIMEOUT_MICROS = 60_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private DataSource dataSource;

    private TestRunner reader() throws Exception {
        TestRunner runner = TestRunners.newTestRunner(new CaptureTriggerHistory() {
            @Override
            protected long leaseClockMicros() {
                return clock.get();
            }
        });
        BisyncRunners.withTopology(runner, TOPOLOGY, Map.of("A", dataSource, "B", dataSource));
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(CaptureTriggerHistory.SYSTEM_ID, "A");
        runner.setProperty(CaptureTriggerHistory.RECORD_WRITER, "writer");
        runner.setProperty(CaptureTriggerHistory.MAINTENANCE_INTERVAL, "0 sec");
        runner.setProperty(CaptureTriggerHistory.LEASE_TIMEOUT, "60 sec");
        return runner;
    }

    private void start(TestEngine engine, String database) throws SQLException {
        dataSource = engine.freshDatabase(database);
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aSecondReaderRefusesWithoutReadingOrReleasingAndTakesOverWhenTheFirstStops(TestEngine engine) throws Exception {
        start(engine, "lease_stop");
        TestRunner first = reader();
        first.run(1, false, true);
        String firstId = first.getProcessor().getIdentifier();
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')", "INSERT INTO customer (id, name) VALUES (2, 'Bob')");

        TestRunner second = reader();
        // as if copied with the first's state: what it would release is not its to release
        second.getStateManager().setState(Map.of(CaptureTriggerHistory.STATE_PENDING_RELEASE, "1-2"), Scope.CLUSTER);
        second.run(3, false, true);
        assertEquals(0, second.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).size());
        assertEquals(0, second.getFlowFilesForRelationship(CaptureTriggerHistory.FAILURE).size());
        assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"), "nothing released by the refused reader");
        assertEquals("1-2", second.getStateManager().getState(Scope.CLUSTER).get(CaptureTriggerHistory.STATE_PENDING_RELEASE));
        assertTrue(warnings(second).stream().anyMatch(m -> m.contains(firstId) && m.contains("does not run")),
                () -> "the bulletin names the holder " + firstId + ": " + warnings(second));
        assertEquals(1, warnings(second).size(), () -> "one bulletin, not one per run: " + warnings(second));

        first.run(1, false, false);
        List<Long> seenByFirst = keys(first);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (3, 'Cy')");
        second.run(1, false, false);
        assertEquals(List.of(), keys(second));
        first.run(1, false, false);
        seenByFirst.addAll(keys(first));
        assertEquals(List.of(1L, 2L, 3L), seenByFirst);

        first.run(1, true, false); // releases 3 and stops: gives the lease up
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (4, 'Di')");
        second.run(1, false, false);
        assertEquals(List.of(4L), keys(second), "the second takes over at once and reads only what nobody emitted");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aHolderWhoseHeartbeatStandsStillIsTakenOverAfterTheTimeoutAndThenRefuses(TestEngine engine) throws Exception {
        start(engine, "lease_stale");
        TestRunner first = reader();
        first.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
        first.run(1, false, false);
        assertEquals(List.of(1L), keys(first));
        // the first stops running without giving the lease up (its NiFi died): its heartbeat stands still

        TestRunner second = reader();
        second.run(1, false, true);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        clock.addAndGet(TIMEOUT_MICROS - 1_000_000L);
        second.run(1, false, false);
        assertEquals(List.of(), keys(second), "not stale yet");
        clock.addAndGet(2_000_000L);
        second.run(1, false, false);
        assertEquals(List.of(1L, 2L), keys(second), "taken over: what the first emitted but never released comes again, nothing is lost");
        String firstId = first.getProcessor().getIdentifier();
        assertTrue(warnings(second).stream().anyMatch(m -> m.contains("Took over") && m.contains(firstId)), () -> warnings(second).toString());

        // the first comes back: the lease is the second's now, so it neither reads nor releases
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (3, 'Cy')");
        first.run(1, false, false);
        assertEquals(List.of(), keys(first));
        String secondId = second.getProcessor().getIdentifier();
        assertTrue(warnings(first).stream().anyMatch(m -> m.contains(secondId) && m.contains("does not run")), () -> warnings(first).toString());
        assertEquals(3, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"), "the first released nothing: 1 and 2 (pending at the second) and 3");

        // the second keeps renewing while it runs: the first never takes over from a live holder
        for (int i = 0; i < 4; i++) {
            clock.addAndGet(TIMEOUT_MICROS / 2);
            second.run(1, false, false);
            first.run(1, false, false);
        }
        assertEquals(List.of(3L), keys(second));
        assertEquals(List.of(), keys(first));
    }

    private List<String> warnings(TestRunner runner) {
        return runner.getLogger().getWarnMessages().stream().map(LogMessage::getMsg).toList();
    }

    private static List<Long> keys(TestRunner runner) throws Exception {
        List<Long> keys = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS)) {
            try (var reader = new JsonRecordReaderService().createRecordReader(flowFile.getAttributes(),
                    new ByteArrayInputStream(flowFile.toByteArray()), flowFile.getSize(), null)) {
                Record record;
                while ((record = reader.nextRecord()) != null) {
                    keys.add(((Record) record.getValue("key")).getAsLong("id"));
                }
            }
        }
        runner.clearTransferState();
        return new ArrayList<>(new TreeSet<>(keys));
    }

}
