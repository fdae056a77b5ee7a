/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * MariaDB with auto_increment_increment = 2 (what the README recommends for generated keys on two systems): the
 * triggers' history ids are 1, 3, 5, ..., and capture's state still holds a batch as one range.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CaptureIncrementTwoTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";

    @Test
    void historyIdsAtAStepOfTwoAreKeptAsOneRangeAndAllReleased() throws Exception {
        DataSource dataSource = TestEngine.MARIADB.freshDatabase("capture_increment_two");
        TestRunner runner = installedCapture(dataSource);
        insertTwoHundredRowsAtAStepOfTwo(dataSource);
        assertEquals(200, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"));
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history WHERE id % 2 = 0"), "ids at a step of two");
        runner.run(1, false, false);
        assertEquals(200, runner.getCounterValue("Changes captured"));

        String pending = runner.getStateManager().getState(Scope.CLUSTER).get(CaptureTriggerHistory.STATE_PENDING_RELEASE);
        assertFalse(pending.contains(","), () -> "one range for the whole batch, not one per id: " + pending);
        assertEquals(200, org.bisync.nifi.capture.IdRanges.parse(pending).size());

        runner.run(1, false, false);
        assertEquals(0, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_history"), "every id of the range released");
        assertEquals(200, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"));
    }

    /**
     * Acknowledgements of ids at a step of two are as compact as capture's state: one bisync_ack row per run, and the
     * run covers exactly the decided ids, so an undecided id inside it keeps its released history row.
     */
    @Test
    void acknowledgementsAtAStepOfTwoAreKeptAsRunsAndCoverOnlyTheDecidedIds() throws Exception {
        DataSource dataSource = TestEngine.MARIADB.freshDatabase("ack_increment_two");
        TestRunner runner = installedCapture(dataSource);
        insertTwoHundredRowsAtAStepOfTwo(dataSource);
        runner.run(2, false, false);
        assertEquals(200, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"));

        java.util.List<Long> decided = new java.util.ArrayList<>();
        for (long id = 1; id <= 399; id += 2) {
            if (id != 201) {
                decided.add(id);
            }
        }
        org.bisync.nifi.purge.PendingAcks pending = new org.bisync.nifi.purge.PendingAcks();
        pending.add("A", "B", decided);
        try (Connection c = dataSource.getConnection()) {
            org.bisync.nifi.purge.AckLedger ledger = new org.bisync.nifi.purge.AckLedger(org.bisync.nifi.dialect.Dialects.forConnection(c).capture());
            assertEquals(Map.of(), pending.flush((source, target, ranges) -> ledger.acknowledge(c, target, ranges)));
            assertEquals(2, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_ack"), "one row per run of ids at a step of two");
            assertEquals(java.util.List.of("B"), ledger.notAcknowledging(c, java.util.List.of("B"), 201));
            assertEquals(java.util.List.of("B"), ledger.notAcknowledging(c, java.util.List.of("B"), 200), "a gap of the run is no decided id");
            assertEquals(java.util.List.of(), ledger.notAcknowledging(c, java.util.List.of("B"), 199));
            assertEquals(199, ledger.purgeAcknowledged(c, java.util.List.of("B"), Long.MAX_VALUE));
        }
        assertEquals(1, Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_released"));
        assertEquals(201, Jdbc.count(dataSource, "SELECT MIN(id) FROM bisync_released"), "the undecided id keeps its history row");
    }

    /** A customer table and a CaptureTriggerHistory of system A that has installed its triggers. */
    private static TestRunner installedCapture(DataSource dataSource) throws Exception {
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        TestRunner runner = BisyncRunners.capture(TOPOLOGY, Map.of("A", dataSource, "B", dataSource), "A");
        runner.run(1, false, true);
        return runner;
    }

    /** 200 single-row inserts in a session at auto_increment_increment = 2: history ids 1, 3, 5, ... */
    private static void insertTwoHundredRowsAtAStepOfTwo(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET SESSION auto_increment_increment = 2, auto_increment_offset = 1");
            for (int id = 1; id <= 200; id++) {
                s.execute("INSERT INTO customer (id, name) VALUES (" + id + ", 'n" + id + "')");
            }
        }
    }
}
