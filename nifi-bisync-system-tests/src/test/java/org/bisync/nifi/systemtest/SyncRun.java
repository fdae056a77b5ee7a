/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.Workload;
import org.bisync.nifi.systemtest.NifiClient.Bulletin;
import org.bisync.nifi.systemtest.NifiClient.Counter;
import org.bisync.nifi.systemtest.NifiClient.ProvenanceEvent;
import org.bisync.nifi.systemtest.NifiClient.Queue;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One template running in the real NiFi against embedded databases: creates the sample table on every system, uploads
 * the template with its parameters pointing at those databases, starts it, runs writers, waits until the flow is quiet
 * and checks the outcome the way a user would see it in NiFi (tables, counters, provenance, bulletins, queues).
 */
final class SyncRun implements AutoCloseable {

    /** A system of the template: its id in the topology, the title its parameters carry, its database. */
    record SystemDb(String id, String title, DataSource dataSource, String jdbcUrl, String user, String driverJar) {

        static SystemDb postgresql(String database) {
            return new SystemDb("postgresql", "PostgreSQL", EmbeddedDatabases.postgres(database),
                    EmbeddedDatabases.postgresJdbcUrl(database), "postgres", SystemTestNifi.required("bisync.driver.postgresql"));
        }

        static SystemDb mariadb(String database) {
            return new SystemDb("mariadb", "MariaDB", EmbeddedDatabases.mariadb(database),
                    EmbeddedDatabases.mariadbJdbcUrl(database), "root", SystemTestNifi.required("bisync.driver.mariadb"));
        }

        static SystemDb sqlite(String database) {
            return new SystemDb("sqlite", "SQLite", EmbeddedDatabases.sqlite(database), EmbeddedDatabases.sqliteUrl(database),
                    null, SystemTestNifi.required("bisync.driver.sqlite"));
        }
    }

    /** One direction of the template, by the names Templates gives its processors. */
    record Direction(SystemDb from, SystemDb to) {
        String capture() {
            return "Capture " + from.title();
        }

        String loops() {
            return "Prevent loops " + arrow();
        }

        String resolve() {
            return "Resolve conflicts " + arrow();
        }

        String apply() {
            return "Apply into " + to.title() + " (" + arrow() + ")";
        }

        String arrow() {
            return from.title() + " -> " + to.title();
        }

        String conflictQueue() {
            return "Conflicts for review: " + arrow();
        }
    }

    private static final Duration QUIET_TIMEOUT = Duration.ofMinutes(5);

    final NifiServer server;
    final NifiClient nifi;
    final FlowDeployment flow;
    final List<SystemDb> systems;
    final List<Direction> directions;
    final List<Workload> writers = new ArrayList<>();
    private final Map<String, String> processorIds;

    private SyncRun(NifiServer server, FlowDeployment flow, List<SystemDb> systems, List<Direction> directions) {
        this.server = server;
        this.nifi = server.client();
        this.flow = flow;
        this.systems = systems;
        this.directions = directions;
        this.processorIds = flow.processorIds();
    }

    /**
     * Creates the sample table on every system, uploads {@code template} with the connection parameters of the systems
     * (plus {@code parameters}), enables and validates, starts the group and waits until every system has nifi-bisync
     * installed for the table.
     */
    static SyncRun start(NifiServer server, String template, String groupName, List<SystemDb> systems, List<Direction> directions,
                         Map<String, String> parameters) throws SQLException {
        for (SystemDb system : systems) {
            SampleTable.create(system.dataSource());
        }
        SyncRun run = upload(server, template, groupName, systems, directions, parameters);
        run.startAndAwaitInstalled();
        return run;
    }

    /**
     * Uploads {@code template} with the connection parameters of the systems (plus {@code parameters}) and checks its
     * services' properties, without starting anything: the caller changes what a user would before the first start,
     * then calls {@link #startAndAwaitInstalled()}. The tables must exist.
     */
    static SyncRun upload(NifiServer server, String template, String groupName, List<SystemDb> systems, List<Direction> directions,
                          Map<String, String> parameters) {
        Map<String, String> values = new LinkedHashMap<>();
        for (SystemDb system : systems) {
            values.put(system.title() + " JDBC URL", system.jdbcUrl());
            values.put(system.title() + " JDBC Driver Location", system.driverJar());
            if (system.user() != null) {
                values.put(system.title() + " User", system.user());
            }
        }
        values.putAll(parameters);
        Path file = templates().resolve(template);
        FlowDeployment flow = FlowDeployment.upload(server.client(), file, groupName, 0, 0, values, Set.of());
        SyncRun run = new SyncRun(server, flow, systems, directions);
        try {
            assertEquals(List.of(), run.unknownServiceProperties(), "properties the services do not declare (taken as dynamic)");
        } catch (RuntimeException | AssertionError e) {
            run.close();
            throw e;
        }
        return run;
    }

    /** Enables and validates, starts the group and waits until every system has nifi-bisync installed for the table. */
    void startAndAwaitInstalled() {
        try {
            flow.enableAndValidate();
            flow.start();
            for (SystemDb system : systems) {
                NifiClient.await("nifi-bisync installed in " + system.title(), Duration.ofMinutes(1),
                        () -> installed(system.dataSource()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Properties set on NiFi's own services that they do not declare: NiFi would take them as dynamic and ignore them. */
    List<String> unknownServiceProperties() {
        List<String> unknown = new ArrayList<>();
        for (var service : nifi.controllerServices(flow.groupId())) {
            var component = service.path("component");
            if (component.path("type").asText().startsWith("org.bisync.")) {
                continue;
            }
            component.path("properties").properties().forEach(property -> {
                if (!property.getValue().isNull() && component.path("descriptors").path(property.getKey()).path("dynamic").asBoolean()) {
                    unknown.add(component.path("name").asText() + "." + property.getKey());
                }
            });
        }
        return unknown;
    }

    static Path templates() {
        return Path.of(SystemTestNifi.required("bisync.templates.dir"));
    }

    private static boolean installed(DataSource dataSource) {
        try {
            return count(dataSource, "SELECT COUNT(*) FROM bisync_installed WHERE table_name = 'customer'") == 1;
        } catch (SQLException e) {
            return false; // not created yet
        }
    }

    static long count(DataSource dataSource, String sql) throws SQLException {
        return Jdbc.count(dataSource, sql);
    }

    String id(String processorName) {
        String id = processorIds.get(processorName);
        if (id == null) {
            throw new IllegalArgumentException("No processor '" + processorName + "' in the group; it has " + processorIds.keySet());
        }
        return id;
    }

    /** Runs {@code perSystem} writers on each of {@code written} at once and waits for them; a writer error fails. */
    void write(List<SystemDb> written, int perSystem, int operations, int keys, long pauseMillis, long seed) throws InterruptedException {
        List<Workload> batch = new ArrayList<>();
        for (SystemDb system : written) {
            for (int i = 0; i < perSystem; i++) {
                batch.add(new Workload(system.title() + i, system.dataSource(), seed * 31 + batch.size(), operations, keys, pauseMillis));
            }
        }
        List<Thread> threads = batch.stream().map(w -> Thread.ofPlatform().name("writer-" + w.label()).start(w)).toList();
        for (Thread thread : threads) {
            thread.join();
        }
        for (Workload writer : batch) {
            if (writer.failure() != null) {
                throw new AssertionError("Writer " + writer.label() + " failed", writer.failure());
            }
        }
        writers.addAll(batch);
    }

    /** Successful writes of the writers on a system: each is one captured change. */
    long writes(SystemDb system) {
        return writers.stream().filter(w -> w.label().startsWith(system.title()))
                .mapToLong(w -> w.inserts() + w.updates() + w.deletes()).sum();
    }

    /**
     * Waits until the flow is quiet: no unread history on the captured systems, no FlowFile queued outside the queues
     * {@code held} accepts, and the counters of the group's processors unchanged over three polls a second apart.
     * Fails after five minutes with the queues and bulletins.
     */
    void awaitQuiet(List<SystemDb> captured, Predicate<Queue> held) {
        long deadline = System.nanoTime() + QUIET_TIMEOUT.toNanos();
        Map<String, Long> previous = Map.of();
        int stable = 0;
        while (stable < 3) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The flow did not become quiet within " + QUIET_TIMEOUT.toMinutes() + " min.\nQueues: "
                        + queued() + "\nUnread history: " + unread(captured) + "\nBulletins: " + nifi.bulletins(flow.groupId()));
            }
            sleep(1000);
            Map<String, Long> counters = groupCounters();
            boolean drained = unread(captured).values().stream().allMatch(n -> n == 0)
                    && nifi.queues(flow.groupId()).stream().filter(held.negate()).allMatch(q -> q.flowFiles() == 0);
            stable = drained && counters.equals(previous) ? stable + 1 : 0;
            previous = counters;
        }
    }

    private Map<String, Long> unread(List<SystemDb> captured) {
        Map<String, Long> unread = new LinkedHashMap<>();
        for (SystemDb system : captured) {
            try {
                unread.put(system.title(), count(system.dataSource(), "SELECT COUNT(*) FROM bisync_history"));
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot count the history of " + system.title(), e);
            }
        }
        return unread;
    }

    private Map<String, Long> groupCounters() {
        Set<String> ids = Set.copyOf(processorIds.values());
        return nifi.counters().stream()
                .filter(c -> ids.stream().anyMatch(id -> c.context().contains(id)))
                .collect(Collectors.toMap(c -> c.context() + "/" + c.name(), Counter::value, Long::sum));
    }

    List<Queue> queued() {
        return nifi.queues(flow.groupId()).stream().filter(q -> q.flowFiles() > 0).toList();
    }

    long counter(String processorName, String counterName) {
        return NifiClient.counter(nifi.counters(), id(processorName), counterName);
    }

    /** Every system holds the same rows (synced columns) and the same version rows; returns the rows. */
    List<String> assertIdentical() throws SQLException {
        SystemDb first = systems.get(0);
        List<String> rows = SampleTable.rows(first.dataSource());
        List<String> versions = SampleTable.versionRows(first.dataSource());
        for (SystemDb other : systems.subList(1, systems.size())) {
            assertEquals(rows, SampleTable.rows(other.dataSource()), "rows of " + other.title() + " and " + first.title());
            assertEquals(versions, SampleTable.versionRows(other.dataSource()), "version rows of " + other.title() + " and " + first.title());
        }
        return rows;
    }

    /** No ERROR bulletin from the group's components. */
    void assertNoErrorBulletin() {
        List<Bulletin> errors = nifi.bulletins(flow.groupId()).stream().filter(b -> "ERROR".equals(b.level())).toList();
        assertEquals(List.of(), errors, "ERROR bulletins");
    }

    void assertNoFlowFileQueued() {
        assertEquals(List.of(), queued(), "FlowFiles left in queues");
    }

    /**
     * Every change of every direction accounted for by the counters: what capture emitted is dropped as a loop or
     * decided by ResolveConflicts (once, re-resolutions aside), and what ResolveConflicts passed on is applied, stale
     * or failed at Apply (or sent back to re-resolve). No change failed. {@code replayed}: records a reviewer routed
     * back into each direction's ResolveConflicts.
     */
    void assertEveryChangeAccountedFor(Map<Direction, Long> replayed) {
        List<Counter> counters = nifi.counters();
        for (Direction d : directions) {
            String capture = id(d.capture());
            String loops = id(d.loops());
            String resolve = id(d.resolve());
            String apply = id(d.apply());
            // rows of an initial load travel as changes too
            long captured = NifiClient.counter(counters, capture, "Changes captured")
                    + NifiClient.counter(counters, capture, "Rows loaded initially");
            long loopsPrevented = NifiClient.counter(counters, loops, "Loops prevented");
            long parked = NifiClient.counter(counters, loops, "Changes parked");
            long released = NifiClient.counter(counters, loops, "Parked changes released");
            long superseded = NifiClient.counter(counters, loops, "Parked changes superseded");
            long forwarded = NifiClient.counter(counters, resolve, "Changes fast-forwarded")
                    + NifiClient.counter(counters, resolve, "Conflicts won")
                    + NifiClient.counter(counters, resolve, "Changes merged")
                    + NifiClient.counter(counters, resolve, "Resolutions passed on");
            long resolveFailed = NifiClient.counter(counters, resolve, "Changes failed");
            long decided = forwarded + NifiClient.counter(counters, resolve, "Conflicts held for review")
                    + NifiClient.counter(counters, resolve, "Changes stale") + resolveFailed;
            long applied = NifiClient.counter(counters, apply, "Changes applied");
            long applyStale = NifiClient.counter(counters, apply, "Changes stale");
            long applyFailed = NifiClient.counter(counters, apply, "Changes failed");
            long reResolved = NifiClient.counter(counters, apply, "Changes re-resolved");
            long retried = NifiClient.counter(counters, apply, "Changes retried");
            String ledger = d.arrow() + ": captured " + captured + ", loops " + loopsPrevented + ", parked " + parked
                    + " (released " + released + ", superseded " + superseded + "), resolve decided " + decided + " (passed on "
                    + forwarded + "), apply applied " + applied + ", stale " + applyStale + ", failed " + applyFailed
                    + ", re-resolved " + reResolved + " (retried on the way " + retried + ")";
            System.out.println(ledger);
            assertTrue(captured > 0, "nothing captured: " + ledger);
            assertEquals(parked, released + superseded, "parked changes all released or superseded: " + ledger);
            assertEquals(captured - loopsPrevented - superseded + replayed.getOrDefault(d, 0L), decided - reResolved,
                    "each change captured was dropped as a loop or decided once: " + ledger);
            assertEquals(forwarded, applied + applyStale + applyFailed + reResolved,
                    "each change passed on was applied, stale, failed or re-resolved: " + ledger);
            assertEquals(0, resolveFailed + applyFailed, "no change failed: " + ledger);
        }
    }

    /**
     * Provenance of every processor of the directions: capture RECEIVEs, PreventLoops and ResolveConflicts route or
     * drop, Apply SENDs to the target.
     */
    void assertProvenance() {
        for (Direction d : directions) {
            assertHasEvent(d.capture(), "RECEIVE");
            assertHasEvent(d.apply(), "SEND");
            assertHasEvent(d.loops(), null);
            assertHasEvent(d.resolve(), null);
        }
    }

    private void assertHasEvent(String processorName, String type) {
        List<ProvenanceEvent> events = nifi.provenance(id(processorName), 1000, Duration.ofMinutes(1));
        Map<String, Long> byType = events.stream().collect(Collectors.groupingBy(ProvenanceEvent::eventType, Collectors.counting()));
        if (type == null) {
            assertFalse(events.isEmpty(), "no provenance event of " + processorName);
        } else {
            assertTrue(byType.getOrDefault(type, 0L) > 0, processorName + " has no " + type + " event: " + byType);
        }
        System.out.println("provenance of " + processorName + ": " + byType);
    }

    /**
     * With {@code -Dbisync.screenshots.dir=DIR}: a PNG of the group on NiFi's canvas as the UI first shows it, fitted to
     * a 1600 px wide window, DIR/{@code name}.png (for the README); without it nothing. A taller window keeps a
     * template of many rows above the zoom below which NiFi draws processors as blank boxes.
     */
    void screenshot(String name, int windowHeight) {
        String directory = System.getProperty("bisync.screenshots.dir", "");
        if (!directory.isBlank()) {
            CanvasScreenshot.take(server.groupUrl(flow.groupId()), Path.of(directory, name + ".png"), 1600, windowHeight);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        flow.close();
    }
}
