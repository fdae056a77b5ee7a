/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped hub-and-spoke template (PostgreSQL hub, MariaDB and SQLite spokes) on real engines: edits on all three
 * converge; the hub's applier forwards a spoke's change to the other spoke and it is not sent back to the spoke it came
 * from; a spoke whose Apply is stopped queues its changes while the other spoke keeps syncing, and catches up when
 * started again, nothing lost or expired.
 */
class HubAndSpokeTopologyTest {

    private static final String HUB = "PostgreSQL";
    private static final String MARIA = "MariaDB";
    private static final String SQLITE = "SQLite";

    /** The template as shipped (a shorter runaway window; the record services only if a template lacks them). */
    private static FlowHarness.Builder harness(DataSource hub, DataSource maria, DataSource sqlite) {
        RegisteredFlowSnapshot template = Templates.all().get("hub-and-spoke-three-systems.json");
        FlowHarness.Builder builder = FlowHarness.builder(template)
                .dataSource("postgresql", hub).dataSource("mariadb", maria).dataSource("sqlite", sqlite)
                .log(System.out::println);
        String reader = serviceId(template, "Change record reader");
        String writer = serviceId(template, "Change record writer");
        for (VersionedProcessor processor : template.getFlowContents().getProcessors()) {
            if (processor.getType().equals(Templates.PREVENT_LOOPS)) {
                if (!processor.getProperties().containsKey("Record Reader")) {
                    builder.processorProperty(processor.getName(), "Record Reader", reader);
                    builder.processorProperty(processor.getName(), "Record Writer", writer);
                }
                builder.processorProperty(processor.getName(), "Runaway Window", "1 sec");
            }
        }
        return builder;
    }

    private static String serviceId(RegisteredFlowSnapshot template, String name) {
        return template.getFlowContents().getControllerServices().stream().filter(s -> s.getName().equals(name))
                .map(VersionedControllerService::getIdentifier).findFirst().orElseThrow();
    }

    private static String apply(String from, String to) {
        return "Apply into " + to + " (" + from + " -> " + to + ")";
    }

    @Test
    void editsOnHubAndBothSpokesConvergeAndEachChangeReachesEverySpokeButTheOneItCameFrom() throws Exception {
        DataSource hub = EmbeddedDatabases.postgres("topo_hub_converge");
        DataSource maria = EmbeddedDatabases.mariadb("topo_hub_converge");
        DataSource sqlite = EmbeddedDatabases.sqlite("topo_hub_converge");
        SampleTable.create(hub, maria, sqlite);
        try (FlowHarness harness = harness(hub, maria, sqlite).build()) {
            harness.round(); // captures install their triggers
            assertEquals(0, harness.failedRuns(), harness.lastFailure());
            SampleTable.execute(hub, "INSERT INTO customer (id, name, email, balance) VALUES (1, 'Hub Ada', 'ada@hub', 10.50)");
            SampleTable.execute(maria, "INSERT INTO customer (id, name, email, balance) VALUES (2, 'Maria Bob', 'bob@maria', 20.00)");
            SampleTable.execute(sqlite, "INSERT INTO customer (id, name, email, balance) VALUES (3, 'Lite Cy', 'cy@lite', 30.25)");
            Rows.settle(harness);
            List<String> expected = SampleTable.rows(hub);
            assertEquals(3, expected.size(), "the hub holds every spoke's row: " + expected);
            assertEquals(expected, SampleTable.rows(maria));
            assertEquals(expected, SampleTable.rows(sqlite));

            // the spokes' inserts came back to their own spoke from the hub's forwarding and were dropped there
            assertEquals(1, harness.processorCounter("Prevent loops " + HUB + " -> " + MARIA, "Loops prevented"),
                    "the MariaDB change forwarded by the hub is not sent back to MariaDB");
            assertEquals(1, harness.processorCounter("Prevent loops " + HUB + " -> " + SQLITE, "Loops prevented"),
                    "the SQLite change forwarded by the hub is not sent back to SQLite");
            assertEquals(2, harness.processorCounter(apply(HUB, MARIA), "Changes applied"), "MariaDB got the hub's and SQLite's rows");
            assertEquals(2, harness.processorCounter(apply(HUB, SQLITE), "Changes applied"), "SQLite got the hub's and MariaDB's rows");

            // edits of the same row on all three, one after another: the last one wins everywhere
            SampleTable.execute(maria, "UPDATE customer SET email = 'ada@maria' WHERE id = 1");
            Rows.settle(harness);
            SampleTable.execute(sqlite, "UPDATE customer SET balance = 99.99 WHERE id = 1");
            SampleTable.execute(hub, "UPDATE customer SET name = 'Hub Bob' WHERE id = 2");
            SampleTable.execute(maria, "DELETE FROM customer WHERE id = 3");
            Rows.settle(harness);
            expected = SampleTable.rows(hub);
            assertEquals(List.of("1|Hub Ada|ada@maria|99.99|null", "2|Hub Bob|bob@maria|20.00|null"), expected);
            assertEquals(expected, SampleTable.rows(maria));
            assertEquals(expected, SampleTable.rows(sqlite));
            Outcomes outcomes = harness.outcomes();
            assertEquals(List.of(), outcomes.unaccounted(), "every change ended exactly once per target");
            assertEquals(0, outcomes.byOutcome().getOrDefault(Outcomes.Outcome.FAILED, 0));
            assertEquals(0, outcomes.byOutcome().getOrDefault(Outcomes.Outcome.CONFLICT, 0));

            // every decision was acknowledged to its source, the hub's echoes dropped on the way back to a spoke
            // included: the tombstone of row 3 goes on all three systems
            for (String system : List.of(HUB, MARIA, SQLITE)) {
                String purge = "Purge tombstones in " + system;
                long before = harness.processorCounter(purge, "Tombstones purged");
                harness.runner(purge).run(1, false, false);
                assertEquals(1, harness.processorCounter(purge, "Tombstones purged") - before, "row 3's tombstone goes in " + system);
            }
            for (DataSource ds : List.of(hub, maria, sqlite)) {
                assertEquals(0, SampleTable.tombstones(ds), "no tombstone is left in " + SampleTable.engine(ds));
            }
        }
    }

    /** The template's systems with the sample table under newest-per-field. */
    private static final String FIELD_NEWEST_TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}, {"id": "sqlite", "priority": 3}],
             "hub": "postgresql",
             "tables": [{"name": "customer", "direction": "TWO_WAY", "strategy": "FIELD_NEWEST", "exclude": ["touch_count"]}]}""";

    /**
     * Newest-per-field with deletes on three systems: an edit made before a concurrent delete is not lost when an edit
     * made after the delete brings the row back (the tombstones keep the values), and a delete newer than every edit
     * removes the row everywhere; every system ends with the same rows and the same versions.
     */
    @Test
    void fieldNewestMergesEditsAroundAConcurrentDeleteIdenticallyOnAllThreeSystems() throws Exception {
        DataSource hub = EmbeddedDatabases.postgres("topo_hub_fields");
        DataSource maria = EmbeddedDatabases.mariadb("topo_hub_fields");
        DataSource sqlite = EmbeddedDatabases.sqlite("topo_hub_fields");
        SampleTable.create(hub, maria, sqlite);
        try (FlowHarness harness = harness(hub, maria, sqlite).parameter("Sync Topology Definition", FIELD_NEWEST_TOPOLOGY).build()) {
            harness.round();
            SampleTable.execute(hub, "INSERT INTO customer (id, name, email, balance) VALUES (1, 'Ada', 'ada@old', 1.00)",
                    "INSERT INTO customer (id, name, email, balance) VALUES (2, 'Bob', 'bob@old', 2.00)");
            Rows.settle(harness);

            // row 1: an email edit, then a delete, then a balance edit, each on another system before any of them syncs
            // ("then": the next system's clock has passed the version just written, so its change ranks above it)
            SampleTable.execute(maria, "UPDATE customer SET email = 'ada@maria' WHERE id = 1");
            SampleTable.awaitClockPast(hub, SampleTable.versionNumber(maria, 1));
            SampleTable.execute(hub, "DELETE FROM customer WHERE id = 1");
            SampleTable.awaitClockPast(sqlite, SampleTable.versionNumber(hub, 1));
            SampleTable.execute(sqlite, "UPDATE customer SET balance = 9.99 WHERE id = 1");
            // row 2: an email edit and a balance edit, then a delete newer than both
            SampleTable.execute(sqlite, "UPDATE customer SET email = 'bob@lite' WHERE id = 2");
            SampleTable.execute(maria, "UPDATE customer SET balance = 7.00 WHERE id = 2");
            SampleTable.awaitClockPast(hub, Math.max(SampleTable.versionNumber(sqlite, 2), SampleTable.versionNumber(maria, 2)));
            SampleTable.execute(hub, "DELETE FROM customer WHERE id = 2");
            Rows.settle(harness);

            List<String> expected = List.of("1|Ada|ada@maria|9.99|null");
            assertEquals(expected, SampleTable.rows(hub), "the balance edit newer than the delete brought row 1 back with the email "
                    + "edit older than it; row 2's delete is newer than both its edits");
            assertEquals(expected, SampleTable.rows(maria));
            assertEquals(expected, SampleTable.rows(sqlite));
            List<String> versions = SampleTable.versionRows(hub);
            assertTrue(versions.get(1).endsWith("|deleted"), versions.toString());
            assertEquals(versions, SampleTable.versionRows(maria), "the same versions and tombstones on every system");
            assertEquals(versions, SampleTable.versionRows(sqlite));
            Outcomes outcomes = harness.outcomes();
            assertEquals(List.of(), outcomes.unaccounted(), "every change ended exactly once per target");
            assertEquals(0, outcomes.byOutcome().getOrDefault(Outcomes.Outcome.FAILED, 0));
        }
    }

    @Test
    void aSpokeWhoseApplyIsStoppedQueuesItsChangesWhileTheOtherSpokeSyncsThenCatchesUp() throws Exception {
        DataSource hub = EmbeddedDatabases.postgres("topo_hub_down");
        DataSource maria = EmbeddedDatabases.mariadb("topo_hub_down");
        DataSource sqlite = EmbeddedDatabases.sqlite("topo_hub_down");
        SampleTable.create(hub, maria, sqlite);
        try (FlowHarness harness = harness(hub, maria, sqlite).build()) {
            harness.round();
            SampleTable.execute(hub, "INSERT INTO customer (id, name, balance) VALUES (1, 'Ada', 1.00)",
                    "INSERT INTO customer (id, name, balance) VALUES (2, 'Bob', 2.00)");
            Rows.settle(harness);

            String sqliteApply = apply(HUB, SQLITE);
            harness.stop(sqliteApply);
            List<String> sqliteBefore = SampleTable.rows(sqlite);
            SampleTable.execute(maria, "UPDATE customer SET name = 'Ada (maria)' WHERE id = 1",
                    "INSERT INTO customer (id, name, balance) VALUES (3, 'Cy', 3.00)");
            SampleTable.execute(hub, "UPDATE customer SET balance = 2.50 WHERE id = 2");
            SampleTable.execute(sqlite, "INSERT INTO customer (id, name, balance) VALUES (4, 'Dee (sqlite)', 4.00)");
            for (int i = 0; i < 30 && harness.queued() > harness.queued(sqliteApply); i++) {
                harness.round();
            }
            for (int i = 0; i < 5; i++) {
                harness.round();
            }
            List<String> hubRows = SampleTable.rows(hub);
            assertEquals(4, hubRows.size(), "the hub got MariaDB's and SQLite's inserts while SQLite's Apply is stopped: " + hubRows);
            assertEquals(hubRows, SampleTable.rows(maria), "MariaDB keeps syncing while SQLite's Apply is stopped");
            assertEquals(sqliteBefore.size() + 1, SampleTable.rows(sqlite).size(), "SQLite only has its own new row");
            assertTrue(harness.queued(sqliteApply) > 0, "SQLite's changes wait in front of its stopped Apply");
            assertEquals(harness.queued(sqliteApply), harness.queued(), "nothing else is waiting");
            assertNotEquals(hubRows, SampleTable.rows(sqlite));

            harness.start(sqliteApply);
            Rows.settle(harness);
            hubRows = SampleTable.rows(hub);
            assertEquals(List.of("1|Ada (maria)|null|1.00|null", "2|Bob|null|2.50|null", "3|Cy|null|3.00|null",
                    "4|Dee (sqlite)|null|4.00|null"), hubRows);
            assertEquals(hubRows, SampleTable.rows(maria));
            assertEquals(hubRows, SampleTable.rows(sqlite), "SQLite caught up after its Apply was started again");
            Outcomes outcomes = harness.outcomes();
            assertEquals(List.of(), outcomes.unaccounted(), "every queued change ended exactly once: nothing expired or was lost");
            assertEquals(0, outcomes.byOutcome().getOrDefault(Outcomes.Outcome.FAILED, 0));
        }
    }
}
