/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-way template converges: concurrent writers on overlapping keys on PostgreSQL and MariaDB, duplicated and
 * reordered FlowFiles, a capture restart mid-run; after quiet both tables hold the same rows and every captured change
 * ended exactly once per target (and per duplicate copy).
 */
class ConvergenceTest {

    private static TwoWayScenario.Result converge(String database, TwoWayScenario.Settings settings) throws Exception {
        TwoWayScenario scenario = new TwoWayScenario(EmbeddedDatabases.postgres(database), EmbeddedDatabases.mariadb(database),
                settings, System.out::println);
        System.out.println("flow: " + scenario.flow().getFlowContents().getName());
        try (FlowHarness harness = scenario.start()) {
            return scenario.run(harness, round -> { });
        }
    }

    private static void assertConverged(TwoWayScenario.Result result) {
        assertTrue(result.quiet(), "the flow became quiet; last failure: " + result.harness().lastFailure());
        // the writers race each other on both sides: how many rows survive, and how many changes apply rather than go
        // stale, is the run's own; what is knowable is that some do, that every write is captured, and the totals
        assertTrue(result.postgresRows().size() > 0, "the writers left rows");
        assertEquals(result.postgresRows(), result.mariadbRows(), "both systems hold the same rows");
        Outcomes outcomes = result.harness().outcomes();
        assertEquals(List.of(), outcomes.unaccounted(), "every change copy ended exactly once per target");
        assertEquals(List.of(), outcomes.neverDelivered());
        int writes = result.writers().stream().mapToInt(w -> w.inserts() + w.updates() + w.deletes()).sum();
        assertTrue(writes > 0, "the writers wrote");
        assertTrue(outcomes.capturedChanges() >= writes, "every write was captured: " + outcomes.capturedChanges() + " < " + writes);
        Map<Outcomes.Outcome, Integer> ended = outcomes.byOutcome();
        assertTrue(ended.getOrDefault(Outcomes.Outcome.APPLIED, 0) > 0, "changes were applied: " + ended);
        assertEquals(0, ended.getOrDefault(Outcomes.Outcome.FAILED, 0), "no change failed: " + ended);
        // every decision was acknowledged to its source: nothing holds a tombstone once the flow is quiet
        assertEquals(0, result.purge().held(), "no tombstone is held: " + result.purge());
        assertEquals(0, result.purge().tombstonesLeft(), "every tombstone was purged: " + result.purge());
        assertEquals(result.purge().tombstonesBefore(), result.purge().purged(), "each tombstone went: " + result.purge());
        System.out.println("outcomes " + ended + ", totals " + outcomes.totals() + ", rows " + result.postgresRows().size()
                + ", captured " + outcomes.capturedChanges() + ", rounds " + result.harness().rounds());
    }

    @Test
    void concurrentEditsOnOverlappingKeysConvergeDespiteDuplicatesReorderingAndACaptureRestart() throws Exception {
        assertConverged(converge("converge_two_way",
                new TwoWayScenario.Settings(42, 2, 150, 40, 3, 0.2, false, 2_000)));
    }

    @Test
    void aUserTriggerBumpingAnExcludedColumnStartsNoPingPong() throws Exception {
        TwoWayScenario.Result result = converge("converge_touch",
                new TwoWayScenario.Settings(7, 1, 100, 20, 2, 0.1, true, 2_000));
        assertConverged(result);
        int writes = result.writers().stream().mapToInt(w -> w.inserts() + w.updates() + w.deletes()).sum();
        // every change is captured once (plus at most a re-emission after the restart), never echoed back and forth
        assertTrue(result.harness().outcomes().capturedChanges() <= writes + 10,
                "captured " + result.harness().outcomes().capturedChanges() + " for " + writes + " writes");
    }

    @Test
    @EnabledIfSystemProperty(named = "bisync.soak", matches = "true")
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void soakManyWritersManyKeysLongRun() throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            assertConverged(converge("soak_" + seed,
                    new TwoWayScenario.Settings(seed, 4, 1500, 200, 1, 0.3, true, 5_000)));
        }
    }
}
