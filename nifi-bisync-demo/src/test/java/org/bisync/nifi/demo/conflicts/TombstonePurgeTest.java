/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.processors.PurgeTombstones;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.TestDbcpService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.sql.DataSource;
import java.util.List;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.MARIA;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.MARIA_TO_PG;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.PG;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.pause;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tombstone purge (PurgeTombstones) on PostgreSQL (priority 1) <-> MariaDB (priority 2): a tombstone goes only once every
 * peer decided the delete and no older change of the key is still on its way, so an update delayed past a purge never
 * brings the row back on one side only; and the history a source keeps is deleted once its target acknowledged it.
 */
class TombstonePurgeTest {

    @ParameterizedTest(name = "{0}: the late update survives: {1}")
    @CsvSource({"LAST_WRITE_WINS, false", "FIELD_NEWEST, false", "FIELD_OWNER, false", "SYSTEM_PRIORITY, true"})
    void anUpdateDelayedPastThePurgeNeverBringsTheRowBackOnOneSideOnly(String strategy, boolean updateWins) throws Exception {
        TwoWayPair.Setup setup = TwoWayPair.setup("purge_late_" + strategy.toLowerCase()).strategy(strategy);
        if (strategy.equals("FIELD_OWNER")) {
            setup.fields("{\"email\": {\"owner\": \"mariadb\"}}");
        }
        try (TwoWayPair pair = setup.start()) {
            insert(pair.pg, 5, "five", "u5@example.com", "555-0005", "5.00");
            insert(pair.pg, 7, "seven", "u7@example.com", "555-0007", "7.00");
            pair.sync();

            // MariaDB updates row 5; that update's delivery is held back. PostgreSQL deletes the row later.
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 5", "5 updated on mariadb (late)");
            List<MockFlowFile> late = pair.captureAndHold(TwoWayPair.CAPTURE_MARIA);
            assertFalse(late.isEmpty(), "capture emitted row 5's update");
            pause(5);
            update(pair.pg, "DELETE FROM contact WHERE id = 5");
            update(pair.pg, "DELETE FROM contact WHERE id = 7");
            pair.sync();
            assertTrue(version(pair.pg, 5).endsWith("deleted"), "PostgreSQL holds row 5's tombstone");
            // under system priority MariaDB (priority 2) keeps its row: PostgreSQL's delete lost there

            // PostgreSQL's tombstone of 5 waits for MariaDB's update still on its way; row 7 has nothing on its way
            PurgeRun pgPurge = purge(setup, pair, PG);
            assertEquals(1, pgPurge.purged, "row 7's tombstone goes at PostgreSQL");
            assertEquals(1, pgPurge.inFlight, "row 5's tombstone is held: MariaDB's update of it is on its way");
            assertTrue(version(pair.pg, 5).endsWith("deleted"), "PostgreSQL keeps row 5's tombstone: " + version(pair.pg, 5));
            assertNull(version(pair.pg, 7), "row 7's tombstone is gone at PostgreSQL");
            PurgeRun mariaPurge = purge(setup, pair, MARIA);
            assertEquals(1, mariaPurge.purged, "row 7's tombstone goes at MariaDB");
            assertNull(version(pair.maria, 7));
            if (!updateWins) {
                // MariaDB's own update of 5 has not been decided at PostgreSQL yet: it keeps that tombstone
                assertEquals(1, mariaPurge.undecided, "row 5's tombstone waits until PostgreSQL decided MariaDB's update");
            }

            // the late update arrives after the purges
            pair.deliverLate(MARIA_TO_PG, late);
            pair.sync();
            if (updateWins) {
                pair.assertRowOnBothSides(5, "5|5 updated on mariadb (late)|u5@example.com|555-0005|5.00");
                assertEquals(version(pair.pg, 5), version(pair.maria, 5));
            } else {
                pair.assertRowOnBothSides(5, null);
                assertEquals(1, purge(setup, pair, PG).purged, "now that the update is decided, PostgreSQL's tombstone goes");
                assertEquals(1, purge(setup, pair, MARIA).purged, "and MariaDB's");
                assertNull(version(pair.pg, 5));
                assertNull(version(pair.maria, 5));
            }
            pair.assertIdentical();
        }
    }

    @Test
    void aLaterUpdateOnItsWayBringsTheRowBackOnBothSidesAfterThePurge() throws Exception {
        TwoWayPair.Setup setup = TwoWayPair.setup("purge_late_newer");
        try (TwoWayPair pair = setup.start()) {
            insert(pair.pg, 6, "six", "u6@example.com", "555-0006", "6.00");
            pair.sync();
            update(pair.pg, "DELETE FROM contact WHERE id = 6");
            pause(5);
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 6", "6 updated on mariadb (late)");
            List<MockFlowFile> late = pair.captureAndHold(TwoWayPair.CAPTURE_MARIA);
            assertFalse(late.isEmpty(), "capture emitted row 6's update");
            pair.sync(); // the delete reaches MariaDB and loses to the later update there

            PurgeRun pgPurge = purge(setup, pair, PG);
            assertEquals(0, pgPurge.purged, "PostgreSQL keeps its tombstone while MariaDB's later update is on its way");
            pair.deliverLate(MARIA_TO_PG, late);
            pair.sync();
            pair.assertRowOnBothSides(6, "6|6 updated on mariadb (late)|u6@example.com|555-0006|6.00");
            assertEquals(version(pair.pg, 6), version(pair.maria, 6));
            assertEquals(0, purge(setup, pair, PG).tombstones, "no tombstone is left: the row is back");
        }
    }

    @Test
    void aSourceDeletesItsReleasedHistoryOnlyOnceTheTargetAcknowledgedIt() throws Exception {
        TwoWayPair.Setup setup = TwoWayPair.setup("purge_history")
                .property(TwoWayPair.CAPTURE_MARIA, "Maintenance Interval", "0 sec");
        try (TwoWayPair pair = setup.start()) {
            update(pair.maria, "INSERT INTO contact (id, name) VALUES (1, 'one')");
            List<MockFlowFile> held = pair.captureAndHold(TwoWayPair.CAPTURE_MARIA);
            assertFalse(held.isEmpty());
            pair.harness.runner(TwoWayPair.CAPTURE_MARIA).run(1, false, false); // releases the row, runs retention
            assertEquals(1, Jdbc.count(pair.maria, "SELECT COUNT(*) FROM bisync_released"), "released but not acknowledged: kept");
            pair.deliverLate(MARIA_TO_PG, held);
            pair.sync();
            assertTrue(Jdbc.count(pair.maria, "SELECT COUNT(*) FROM bisync_ack WHERE target_system = 'postgresql'") >= 1,
                    "PostgreSQL's apply acknowledged the change in MariaDB's bisync_ack");
            pair.harness.runner(TwoWayPair.CAPTURE_MARIA).run(1, false, false);
            assertEquals(0, Jdbc.count(pair.maria, "SELECT COUNT(*) FROM bisync_released"), "acknowledged: deleted");
            assertEquals(0, Jdbc.count(pair.maria, "SELECT COUNT(*) FROM bisync_history"));
            assertEquals(0, Jdbc.count(pair.maria, "SELECT COUNT(*) FROM bisync_ack"), "no acknowledgement is needed any more");
            pair.assertRowOnBothSides(1, "1|one|null|null|null");
        }
    }

    /** What one run of PurgeTombstones for a system did, from its counters. */
    private record PurgeRun(long tombstones, long purged, long undecided, long inFlight) {
    }

    private static PurgeRun purge(TwoWayPair.Setup setup, TwoWayPair pair, String system) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(PurgeTombstones.class);
        addPool(runner, "pg-pool", pair.pg);
        addPool(runner, "maria-pool", pair.maria);
        StandardSyncTopologyService topology = new StandardSyncTopologyService();
        runner.addControllerService("topology", topology);
        runner.setProperty(topology, StandardSyncTopologyService.TOPOLOGY_DEFINITION, setup.topology());
        runner.setProperty(topology, PG, "pg-pool");
        runner.setProperty(topology, MARIA, "maria-pool");
        runner.enableControllerService(topology);
        runner.setProperty("Sync Topology Service", "topology");
        runner.setProperty("System ID", system);
        runner.run();
        long purged = value(runner, "Tombstones purged");
        long undecided = value(runner, "Tombstones held: delete not decided at a peer");
        long inFlight = value(runner, "Tombstones held: older change on its way");
        return new PurgeRun(purged + undecided + inFlight, purged, undecided, inFlight);
    }

    private static void addPool(TestRunner runner, String id, DataSource dataSource) throws Exception {
        TestDbcpService pool = new TestDbcpService(dataSource);
        runner.addControllerService(id, pool);
        runner.enableControllerService(pool);
    }

    private static long value(TestRunner runner, String counter) {
        Long value = runner.getCounterValue(counter);
        return value == null ? 0 : value;
    }

}
