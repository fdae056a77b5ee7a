/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import org.bisync.nifi.systemtest.SyncRun.Direction;
import org.bisync.nifi.systemtest.SyncRun.SystemDb;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark in a real NiFi (not a test): templates/two-way-postgresql-mariadb.json between embedded
 * PostgreSQL and MariaDB, and per direction
 * <ol>
 *   <li>a bulk INSERT of many rows on one side, timed from its commit until every row is at the other side, against
 *   a raw JDBC copy of the same rows between the same two databases in the same run (before and after it);</li>
 *   <li>where the time went: NiFi's status of each processor (tasks, task time, bytes in and out; NiFi's five-minute
 *   window, which holds that bulk run) and a JFR profile of the NiFi JVM during the bulk run;</li>
 * </ol>
 * then commit-to-commit latency with both sides writing at a steady rate at once, with a PNG chart of it.
 *
 * <p>Run: {@code ./mvnw -q -pl nifi-bisync-system-tests -am -Pe2e-benchmark verify -DskipTests -Dnifi.home=...}
 * (see README). Arguments (system properties): {@code bisync.bench.rows} (100000), {@code bisync.bench.rate} changes/s
 * per side (1000), {@code bisync.bench.seconds} (60), {@code bisync.bench.port} (18443), {@code bisync.bench.chart}
 * (the PNG), {@code bisync.bench.only} ("bulk" or "latency" to run one part).
 */
public final class EndToEndBenchmark {

    private static final long PG_BULK_FIRST = 1;
    private static final long MARIA_BULK_FIRST = 1_000_001;
    private static final long PG_LATENCY_FIRST = 2_000_001;
    private static final long MARIA_LATENCY_FIRST = 3_000_001;

    private EndToEndBenchmark() {
    }

    public static void main(String[] args) {
        int status = 1;
        try {
            run();
            status = 0;
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
        }
        // the embedded MariaDB's process watcher is not a daemon thread: without an exit the JVM (Maven's) stays up
        System.exit(status);
    }

    private static void run() throws Exception {
        int rows = Integer.getInteger("bisync.bench.rows", 100_000);
        int rate = Integer.getInteger("bisync.bench.rate", 1000);
        int seconds = Integer.getInteger("bisync.bench.seconds", 60);
        int port = Integer.getInteger("bisync.bench.port", 18443);
        String only = System.getProperty("bisync.bench.only", "");
        Path work = Path.of(SystemTestNifi.required("bisync.nifi.work"), "e2e-benchmark");
        Path chart = Path.of(System.getProperty("bisync.bench.chart", work.resolve("e2e-latency.png").toString()));
        System.out.println(machine());

        NifiServer nifi = NifiServer.start(NifiServer.configuredHome(), work,
                List.of(Path.of(SystemTestNifi.required("bisync.api.nar")), Path.of(SystemTestNifi.required("bisync.nar"))),
                Duration.ofMinutes(4), port);
        try {
            SystemDb pg = SystemDb.postgresql("e2e_bench");
            SystemDb maria = SystemDb.mariadb("e2e_bench");
            Direction pgToMaria = new Direction(pg, maria);
            Direction mariaToPg = new Direction(maria, pg);
            try (SyncRun run = SyncRun.start(nifi, "two-way-postgresql-mariadb.json", "e2e-benchmark", List.of(pg, maria),
                    List.of(pgToMaria, mariaToPg), Map.of())) {
                BulkRows.createRawTable(pg.dataSource(), "postgresql");
                BulkRows.createRawTable(maria.dataSource(), "mariadb");
                List<String> results = new ArrayList<>();
                if (!only.equals("latency")) {
                    results.add(bulk(run, nifi, pgToMaria, "postgresql", "mariadb", PG_BULK_FIRST, rows, work));
                    results.add(bulk(run, nifi, mariaToPg, "mariadb", "postgresql", MARIA_BULK_FIRST, rows, work));
                }
                if (!only.equals("bulk")) {
                    results.addAll(latency(run, nifi, pg, maria, rate, seconds, chart, work));
                }
                run.assertIdentical();
                System.out.println();
                System.out.println("== Results (" + machine() + ")");
                results.forEach(System.out::println);
            }
        } finally {
            nifi.close();
        }
    }

    private static String bulk(SyncRun run, NifiServer nifi, Direction direction, String fromEngine, String toEngine,
                               long first, int rows, Path work) throws Exception {
        long last = first + rows - 1;
        System.out.printf("%n== Bulk %s: %,d rows inserted in one transaction (%s)%n", direction.arrow(), rows, load());
        double rawBefore = rawCopyRate(direction, fromEngine, toEngine, first, last, true);
        long commitsBefore = BulkRows.commits(direction.to().dataSource(), toEngine);
        JfrProfile profile = JfrProfile.start(nifi.pid(), "bulk");
        long start = System.nanoTime();
        BulkRows.insert(direction.from().dataSource(), fromEngine, first, last);
        long committed = System.nanoTime();
        long done;
        long seen = 0;
        while (true) {
            seen = BulkRows.count(direction.to().dataSource(), first, last);
            if (seen >= rows) {
                done = System.nanoTime();
                break;
            }
            if (System.nanoTime() - committed > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException("Only " + seen + " of " + rows + " rows arrived within 10 min: " + run.queued());
            }
            Thread.sleep(50);
        }
        long commits = BulkRows.commits(direction.to().dataSource(), toEngine) - commitsBefore;
        System.out.printf("%s committed %,d transactions meanwhile (the flow's applies and acknowledgements, and this count's "
                + "polls): %.0f rows per transaction%n", direction.to().title(), commits, rows / (double) Math.max(1, commits));
        Path jfr = work.resolve("bulk-" + fromEngine + "-to-" + toEngine + ".jfr");
        printProcessorCosts(run, direction);
        profile.stopAndReport(jfr, 15);
        run.awaitQuiet(List.of(direction.from(), direction.to()), queue -> false);
        double insertSeconds = (committed - start) / 1e9;
        double flowSeconds = (done - committed) / 1e9;
        double flowRate = rows / flowSeconds;
        // the raw copy before and after the flow's run, to even out a machine whose load changes
        double rawAfter = rawCopyRate(direction, fromEngine, toEngine, first, last, false);
        double raw = (rawBefore + rawAfter) / 2;
        return String.format("bulk %-22s insert %.1f s; commit to all at target %.1f s = %,.0f rows/s; raw JDBC copy %,.0f rows/s "
                        + "(%,.0f before, %,.0f after); ratio %.2f", direction.arrow(), insertSeconds, flowSeconds, flowRate, raw,
                rawBefore, rawAfter, flowRate / raw);
    }

    /**
     * The raw copy's rate: the same rows from the source into the target's raw table (emptied first). Before the flow's
     * run the rows are not in the source's sample table yet: they are put into the source's raw table (no trigger)
     * and copied from there.
     */
    private static double rawCopyRate(Direction direction, String fromEngine, String toEngine, long first, long last, boolean before)
            throws Exception {
        BulkRows.emptyRawTable(direction.to().dataSource());
        String sourceTable = "customer";
        if (before) {
            BulkRows.emptyRawTable(direction.from().dataSource());
            BulkRows.insert(direction.from().dataSource(), fromEngine, BulkRows.RAW_TABLE, first, last);
            sourceTable = BulkRows.RAW_TABLE;
        }
        long start = System.nanoTime();
        int copied = BulkRows.rawCopy(direction.from().dataSource(), sourceTable, direction.to().dataSource(), toEngine, first, last);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("raw JDBC copy %s %s the flow: %,d rows in %.2f s = %,.0f rows/s%n", direction.arrow(),
                before ? "before" : "after", copied, seconds, copied / seconds);
        return copied / seconds;
    }

    private static void printProcessorCosts(SyncRun run, Direction direction) {
        System.out.println("NiFi processor status (5-min window, covers the bulk run):");
        System.out.printf("  %-44s %8s %10s %10s %12s %12s %12s%n", "processor", "tasks", "task s", "FlowFiles", "bytes in",
                "bytes out", "bytes read");
        for (String name : List.of(direction.capture(), direction.loops(), direction.resolve(), direction.apply())) {
            JsonNode s = run.nifi.get("/flow/processors/" + run.id(name) + "/status").path("processorStatus").path("aggregateSnapshot");
            System.out.printf("  %-44s %8d %10.1f %10d %,12d %,12d %,12d%n", name, s.path("taskCount").asLong(),
                    s.path("tasksDurationNanos").asLong() / 1e9, s.path("flowFilesIn").asLong(), s.path("bytesIn").asLong(),
                    s.path("bytesOut").asLong(), s.path("bytesRead").asLong());
        }
    }

    private static List<String> latency(SyncRun run, NifiServer nifi, SystemDb pg, SystemDb maria, int rate, int seconds, Path chart,
                                        Path work) throws Exception {
        int warmup = Integer.getInteger("bisync.bench.warmup", 10);
        if (warmup > 0) {
            // the same load first, not counted: NiFi's compiler and the pools settle, the bulk run's clean-up ends
            System.out.printf("%n== Warm-up: %,d changes/s on each side at once for %d s, not counted (%s)%n", rate, warmup, load());
            for (String line : probe(pg, maria, PG_LATENCY_FIRST + 500_000, MARIA_LATENCY_FIRST + 500_000, rate, warmup, null).results()) {
                System.out.println("warm-up " + line);
            }
        }
        System.out.printf("%n== Latency: %,d changes/s on each side at once for %d s (%s)%n", rate, seconds, load());
        long retriedBefore = retried(run);
        JfrProfile profile = JfrProfile.start(nifi.pid(), "latency");
        Probed probed;
        LatencyStalls.RunQueue runQueue = new LatencyStalls.RunQueue(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        try (runQueue) {
            probed = probe(pg, maria, PG_LATENCY_FIRST, MARIA_LATENCY_FIRST, rate, seconds, chart);
        }
        List<String> results = probed.results();
        results.add("changes retried by Apply during the latency run: " + (retried(run) - retriedBefore));
        results.forEach(System.out::println);
        Path jfr = work.resolve("latency.jfr");
        profile.stopAndReport(jfr, 10);
        LatencyProbe a = probed.pgToMaria();
        LatencyProbe b = probed.mariaToPg();
        LatencyStalls.report(jfr, probed.start(), seconds, runQueue, a.label(), a.commitSeconds(), a.latenciesMillis(), b.label(), b.commitSeconds(),
                b.latenciesMillis(), 8);
        run.awaitQuiet(List.of(pg, maria), queue -> false);
        for (Direction direction : run.directions) {
            StageLatency.print(run, direction, probed.start(), probed.start().plusSeconds(seconds + 5));
        }
        return results;
    }

    /** What one probe of both directions gave: their summaries, the probes, and the wall-clock time of their second 0. */
    private record Probed(List<String> results, LatencyProbe pgToMaria, LatencyProbe mariaToPg, Instant start) {
    }

    /** Both directions at once at {@code rate} for {@code seconds}; their summaries (and the chart, when given). */
    private static Probed probe(SystemDb pg, SystemDb maria, long pgFirst, long mariaFirst, int rate, int seconds, Path chart)
            throws Exception {
        LatencyProbe pgToMaria = new LatencyProbe(pg.title() + " -> " + maria.title(), pg.dataSource(), maria.dataSource(),
                pgFirst, rate, seconds);
        LatencyProbe mariaToPg = new LatencyProbe(maria.title() + " -> " + pg.title(), maria.dataSource(), pg.dataSource(),
                mariaFirst, rate, seconds);
        long now = System.nanoTime();
        Instant wallNow = Instant.now();
        long start = now + TimeUnit.MILLISECONDS.toNanos(200);
        Instant wallStart = wallNow.plusNanos(start - now);
        List<Thread> threads = new ArrayList<>();
        for (LatencyProbe probe : List.of(pgToMaria, mariaToPg)) {
            threads.addAll(List.of(probe.start(start, TimeUnit.SECONDS.toNanos(60))));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = seconds;
        List<String> results = new ArrayList<>();
        for (LatencyProbe probe : List.of(pgToMaria, mariaToPg)) {
            if (probe.failure() != null) {
                throw new IllegalStateException("Latency probe " + probe.label() + " failed", probe.failure());
            }
            results.add("latency " + probe.summary(elapsed));
        }
        if (chart != null) {
            LatencyChart.write(chart, String.format("Commit-to-commit latency, %,d changes/s on each side, NiFi 2.8.0, %s", rate,
                    machine()), List.of(
                    new LatencyChart.Series(pgToMaria.label(), new Color(31, 119, 180), pgToMaria.commitSeconds(), pgToMaria.latenciesMillis()),
                    new LatencyChart.Series(mariaToPg.label(), new Color(214, 39, 40), mariaToPg.commitSeconds(), mariaToPg.latenciesMillis())));
            results.add("chart: " + chart);
        }
        return new Probed(results, pgToMaria, mariaToPg, wallStart);
    }

    private static long retried(SyncRun run) {
        List<NifiClient.Counter> counters = run.nifi.counters();
        long sum = 0;
        for (Direction d : run.directions) {
            sum += NifiClient.counter(counters, run.id(d.apply()), "Changes retried");
        }
        return sum;
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.version") + ", " + load();
    }

    static String load() {
        try {
            String[] loads = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ");
            return "load " + loads[0] + " " + loads[1] + " " + loads[2];
        } catch (IOException e) {
            return "load unknown";
        }
    }
}
