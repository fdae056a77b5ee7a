/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.TwoWayScenario;
import org.bisync.nifi.demo.Workload;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.demo.templates.Templates;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two-way template (PostgreSQL <-> MariaDB) in the harness, writers on both sides, and the checks after quiet. */
final class TwoWayFaults {

    static final String PG = TwoWayScenario.PG;
    static final String MARIA = TwoWayScenario.MARIA;
    static final String CAPTURE_PG = TwoWayScenario.CAPTURE_PG;
    static final String CAPTURE_MARIA = TwoWayScenario.CAPTURE_MARIA;
    static final String APPLY_INTO_MARIA = "Apply into MariaDB (PostgreSQL -> MariaDB)";
    static final String APPLY_INTO_PG = "Apply into PostgreSQL (MariaDB -> PostgreSQL)";
    static final String RESOLVE_INTO_MARIA = "Resolve conflicts PostgreSQL -> MariaDB";
    static final String RESOLVE_INTO_PG = "Resolve conflicts MariaDB -> PostgreSQL";
    static final String PREVENT_INTO_MARIA = "Prevent loops PostgreSQL -> MariaDB";
    static final String PREVENT_INTO_PG = "Prevent loops MariaDB -> PostgreSQL";

    private TwoWayFaults() {
    }

    /** Creates the sample table on both sides and starts the flow (captures install their triggers). */
    static FlowHarness start(DataSource pg, DataSource maria, UnaryOperator<FlowHarness.Builder> options) throws Exception {
        SampleTable.create(pg, maria);
        FlowHarness harness = options.apply(FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                        .dataSource(PG, pg).dataSource(MARIA, maria).log(System.out::println))
                .build();
        harness.round();
        assertEquals(0, harness.failedRuns(), "the flow started: " + harness.lastFailure());
        return harness;
    }

    /** Writer threads on both sides over a shared key range, started. */
    static List<Thread> writers(DataSource pg, DataSource maria, long seed, int perSide, int operations, int keys, List<Workload> out) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < perSide; i++) {
            out.add(new Workload("PG" + i, pg, seed * 31 + i, operations, keys, 2));
            out.add(new Workload("MARIA" + i, maria, seed * 37 + i, operations, keys, 2));
        }
        for (Workload writer : out) {
            Thread thread = new Thread(writer, "writer-" + writer.label());
            threads.add(thread);
            thread.start();
        }
        return threads;
    }

    static void join(List<Thread> threads, List<Workload> writers) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join();
        }
        for (Workload writer : writers) {
            assertEquals(null, writer.failure(), "writer " + writer.label() + " failed");
        }
    }

    /**
     * After quiet: both tables identical, every change copy (duplicates and replays included) ended exactly once per
     * target, none failed, every write was captured.
     */
    static void assertConvergedAndAccounted(FlowHarness harness, DataSource pg, DataSource maria, List<Workload> writers) throws Exception {
        List<String> pgRows = SampleTable.rows(pg);
        assertTrue(!pgRows.isEmpty(), "the writers left rows");
        assertEquals(pgRows, SampleTable.rows(maria), "both systems hold the same rows");
        // tombstones are left out: each side purges its own once they are stable, not necessarily in the same round
        assertEquals(liveVersions(pg), liveVersions(maria), "both systems hold the same versions");
        Outcomes outcomes = harness.outcomes();
        assertEquals(List.of(), outcomes.unaccounted(), "every change copy ended exactly once per target");
        assertEquals(List.of(), outcomes.neverDelivered());
        Map<Outcomes.Outcome, Integer> ended = outcomes.byOutcome();
        assertEquals(0, ended.getOrDefault(Outcomes.Outcome.FAILED, 0), "no change failed: " + ended + "; " + harness.heldRecords("Failed"));
        assertEquals(List.of(), harness.held(""), "nothing is held in a failure or review queue");
        int writes = writers.stream().mapToInt(w -> w.inserts() + w.updates() + w.deletes()).sum();
        assertTrue(outcomes.capturedChanges() >= writes, "every write was captured: " + outcomes.capturedChanges() + " < " + writes);
        System.out.println("outcomes " + ended + ", rows " + pgRows.size() + ", captured " + outcomes.capturedChanges()
                + " (emissions " + outcomes.captureEmissions() + "), writes " + writes + ", rounds " + harness.rounds());
    }

    private static List<String> liveVersions(DataSource dataSource) throws Exception {
        return SampleTable.versionRows(dataSource).stream().filter(v -> !v.endsWith("|deleted")).toList();
    }

    /** Rounds a flow of these tests gets to become quiet: far more than any needs, so only a flow that never settles fails. */
    static final int SETTLE_ROUNDS = 2_000;

    static void settle(FlowHarness harness) {
        settle(harness, SETTLE_ROUNDS);
    }

    static void settle(FlowHarness harness, int maxRounds) {
        FlowHarness.RoundReport[] last = new FlowHarness.RoundReport[1];
        assertTrue(harness.runUntilQuiet(maxRounds, r -> last[0] = r),
                "the flow became quiet within " + maxRounds + " rounds; last round " + last[0] + ", last failure: " + harness.lastFailure());
    }
}
