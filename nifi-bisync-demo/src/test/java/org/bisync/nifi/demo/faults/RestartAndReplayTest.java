/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.Workload;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.demo.faults.TwoWayFaults.APPLY_INTO_MARIA;
import static org.bisync.nifi.demo.faults.TwoWayFaults.APPLY_INTO_PG;
import static org.bisync.nifi.demo.faults.TwoWayFaults.CAPTURE_MARIA;
import static org.bisync.nifi.demo.faults.TwoWayFaults.CAPTURE_PG;
import static org.bisync.nifi.demo.faults.TwoWayFaults.PREVENT_INTO_PG;
import static org.bisync.nifi.demo.faults.TwoWayFaults.RESOLVE_INTO_MARIA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NiFi killed inside processors' sessions (their database work committed, their FlowFiles and state lost) and
 * restarted with new processor instances, while writers edit both sides and FlowFiles are duplicated and reordered;
 * then every FlowFile that went into Resolve and Apply is replayed. After quiet both sides are identical and every
 * change copy ended exactly once per target.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RestartAndReplayTest {

    /** Processors NiFi dies inside, in turn; each only when it has work (or, for a capture, unreleased changes). */
    private static final List<String> CRASH_INSIDE = List.of(APPLY_INTO_MARIA, CAPTURE_PG, RESOLVE_INTO_MARIA, APPLY_INTO_PG,
            PREVENT_INTO_PG, CAPTURE_MARIA);

    @Test
    void nifiKilledInsideSessionsAndRestartedThenEveryFlowFileReplayedStillConverges() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("fault_restart");
        DataSource maria = EmbeddedDatabases.mariadb("fault_restart");
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> b.seed(11)
                .duplicate(name -> name.startsWith("Changes ") || name.startsWith("To apply "), 0.2)
                .reorder(name -> name.startsWith("Changes ") || name.startsWith("To resolve ") || name.startsWith("To apply "))
                .keepForReplay(name -> name.startsWith("To resolve ") || name.startsWith("To apply ")))) {
            // a replayed INSERT whose row's tombstone was purged meanwhile brings the row back on one side only
            // (see PurgedTombstoneReplayTest): the tombstones stay for this test
            harness.stop("Purge tombstones in PostgreSQL");
            harness.stop("Purge tombstones in MariaDB");
            List<Workload> writers = new ArrayList<>();
            List<Thread> threads = TwoWayFaults.writers(pg, maria, 11, 2, 150, 40, writers);
            int next = 0;
            int crashes = 0;
            int lostFlowFiles = 0;
            while (threads.stream().anyMatch(Thread::isAlive) || next < CRASH_INSIDE.size()) {
                harness.round();
                if (next < CRASH_INSIDE.size() && hasWork(harness, CRASH_INSIDE.get(next), pg, maria)) {
                    harness.start(CRASH_INSIDE.get(next));
                    lostFlowFiles += harness.crashDuring(CRASH_INSIDE.get(next++));
                    crashes++;
                } else if (harness.rounds() % 7 == 0 && threads.stream().anyMatch(Thread::isAlive)) {
                    harness.restartFlow();
                }
                assertTrue(harness.rounds() < 5_000, "each processor got work to crash inside");
            }
            TwoWayFaults.join(threads, writers);
            assertEquals(CRASH_INSIDE.size(), crashes);
            assertTrue(lostFlowFiles > 0, "sessions that had emitted FlowFiles were lost");
            TwoWayFaults.settle(harness);
            TwoWayFaults.assertConvergedAndAccounted(harness, pg, maria, writers);

            Map<Outcomes.Outcome, Integer> before = harness.outcomes().byOutcome();
            int replayed = harness.replay(name -> true);
            assertTrue(replayed > 0, "FlowFiles were kept for replay");
            TwoWayFaults.settle(harness);
            TwoWayFaults.assertConvergedAndAccounted(harness, pg, maria, writers);
            Map<Outcomes.Outcome, Integer> after = harness.outcomes().byOutcome();
            assertEquals(before.getOrDefault(Outcomes.Outcome.APPLIED, 0), after.getOrDefault(Outcomes.Outcome.APPLIED, 0),
                    "a replayed change is never written again: " + before + " -> " + after);
            assertTrue(stale(after) > stale(before), "the replays ended as stale: " + before + " -> " + after);
        }
    }

    private static int stale(Map<Outcomes.Outcome, Integer> outcomes) {
        return outcomes.getOrDefault(Outcomes.Outcome.STALE_AT_RESOLVE, 0) + outcomes.getOrDefault(Outcomes.Outcome.STALE_AT_APPLY, 0);
    }

    /**
     * A capture is given work (a probe row above the writers' keys, unreleased); another has work when FlowFiles wait
     * for it, else a probe row is written at its direction's source and it is stopped for the next round so that the
     * FlowFiles gather in front of it (a processor further down a round empties its queue within the round).
     */
    private static boolean hasWork(FlowHarness harness, String processor, DataSource pg, DataSource maria) throws Exception {
        boolean capture = processor.equals(CAPTURE_PG) || processor.equals(CAPTURE_MARIA);
        if (!capture && harness.queued(processor) > 0) {
            return true;
        }
        boolean fromPg = processor.equals(CAPTURE_PG) || processor.contains("PostgreSQL -> MariaDB");
        SampleTable.execute(fromPg ? pg : maria, "INSERT INTO customer (id, name) VALUES (" + (1000 + harness.rounds()) + ", 'crash probe')");
        if (capture) {
            return true;
        }
        harness.stop(processor);
        return false;
    }
}
