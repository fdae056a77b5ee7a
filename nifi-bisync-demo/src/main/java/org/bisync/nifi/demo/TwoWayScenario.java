/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The two-way template (PostgreSQL <-> MariaDB) run through the {@link FlowHarness} while writer threads edit the same
 * keys on both sides, with duplicated and reordered FlowFiles and a capture restart in the middle. Used by the
 * convergence tests and the demo.
 */
public final class TwoWayScenario {

    public static final String PG = "postgresql";
    public static final String MARIA = "mariadb";
    public static final String CAPTURE_PG = "Capture PostgreSQL";
    public static final String CAPTURE_MARIA = "Capture MariaDB";

    /** Settings of one run. */
    public record Settings(long seed, int writersPerSide, int operationsPerWriter, int keys, long pauseMillis,
                           double duplicateProbability, boolean touchTrigger, int quietMaxRounds) {
    }

    /**
     * One run of each system's PurgeTombstones after the flow became quiet: every change decided and acknowledged, so
     * every tombstone should go.
     */
    public record Purge(int tombstonesBefore, long purged, long held, int tombstonesLeft) {
    }

    /** What a run leaves behind for assertions and the summary. */
    public record Result(FlowHarness harness, List<Workload> writers, boolean quiet, List<String> postgresRows,
                         List<String> mariadbRows, RegisteredFlowSnapshot flow, Purge purge) {
        public boolean identical() {
            return postgresRows.equals(mariadbRows);
        }
    }

    private final DataSource postgres;
    private final DataSource mariadb;
    private final Settings settings;
    private final Consumer<String> out;
    private final RegisteredFlowSnapshot flow;

    public TwoWayScenario(DataSource postgres, DataSource mariadb, Settings settings, Consumer<String> out) {
        this.postgres = postgres;
        this.mariadb = mariadb;
        this.settings = settings;
        this.out = out;
        this.flow = Templates.all().get("two-way-postgresql-mariadb.json");
    }

    public RegisteredFlowSnapshot flow() {
        return flow;
    }

    /** Creates the table on both sides and starts the flow (capture installs its triggers at its first run). */
    public FlowHarness start() throws Exception {
        SampleTable.create(postgres);
        SampleTable.create(mariadb);
        if (settings.touchTrigger()) {
            SampleTable.installTouchTrigger(mariadb);
        }
        FlowHarness harness = FlowHarness.builder(flow)
                .dataSource(PG, postgres)
                .dataSource(MARIA, mariadb)
                .seed(settings.seed())
                .duplicate(name -> name.startsWith("Changes ") || name.startsWith("To apply "), settings.duplicateProbability())
                .reorder(name -> name.startsWith("To resolve ") || name.startsWith("To apply ") || name.startsWith("Changes "))
                .processorProperty("Prevent loops PostgreSQL -> MariaDB", "Runaway Window", "2 sec")
                .processorProperty("Prevent loops MariaDB -> PostgreSQL", "Runaway Window", "2 sec")
                .log(out)
                .build();
        harness.round();
        if (harness.failedRuns() > 0) {
            throw new IllegalStateException("The flow did not start: " + harness.lastFailure());
        }
        return harness;
    }

    /** Writers on both sides while the flow runs; capture of PostgreSQL restarts half-way; then waits for quiet. */
    public Result run(FlowHarness harness, Consumer<FlowHarness.RoundReport> progress) throws Exception {
        List<Workload> writers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.writersPerSide(); i++) {
            writers.add(new Workload("PG" + i, postgres, settings.seed() * 31 + i, settings.operationsPerWriter(), settings.keys(), settings.pauseMillis()));
            writers.add(new Workload("MARIA" + i, mariadb, settings.seed() * 37 + i, settings.operationsPerWriter(), settings.keys(), settings.pauseMillis()));
        }
        for (Workload writer : writers) {
            Thread thread = new Thread(writer, "writer-" + writer.label());
            threads.add(thread);
            thread.start();
        }
        boolean restarted = false;
        long halfWay = (long) writers.size() * settings.operationsPerWriter() / 2;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            progress.accept(harness.round());
            long alive = threads.stream().filter(Thread::isAlive).count();
            long done = writers.stream().mapToLong(w -> w.inserts() + w.updates() + w.deletes() + w.skipped()).sum();
            if (!restarted && (alive < threads.size() || done >= halfWay)) {
                harness.restart(CAPTURE_PG);
                restarted = true;
            }
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!restarted) {
            harness.restart(CAPTURE_PG);
        }
        for (Workload writer : writers) {
            if (writer.failure() != null) {
                throw new IllegalStateException("Writer " + writer.label() + " failed", writer.failure());
            }
        }
        boolean quiet = harness.runUntilQuiet(settings.quietMaxRounds(), progress);
        Purge purge = purgeTombstones(harness);
        return new Result(harness, writers, quiet, SampleTable.rows(postgres), SampleTable.rows(mariadb), flow, purge);
    }

    private Purge purgeTombstones(FlowHarness harness) throws Exception {
        harness.round(); // capture releases what it emitted last
        int before = SampleTable.tombstones(postgres) + SampleTable.tombstones(mariadb);
        String purged = "Tombstones purged";
        List<String> held = List.of("Tombstones held: delete not decided at a peer", "Tombstones held: older change on its way");
        long purgedBefore = harness.counter("PurgeTombstones", purged);
        long heldBefore = held.stream().mapToLong(c -> harness.counter("PurgeTombstones", c)).sum();
        for (String system : List.of("PostgreSQL", "MariaDB")) {
            harness.runner("Purge tombstones in " + system).run(1, false, false);
        }
        return new Purge(before, harness.counter("PurgeTombstones", purged) - purgedBefore,
                held.stream().mapToLong(c -> harness.counter("PurgeTombstones", c)).sum() - heldBefore,
                SampleTable.tombstones(postgres) + SampleTable.tombstones(mariadb));
    }
}
