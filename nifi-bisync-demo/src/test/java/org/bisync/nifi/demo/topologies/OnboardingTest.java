/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The first activation on two tables that already hold data (the two-way template, PostgreSQL and MariaDB, both
 * captures with Initial Load "Existing Rows"): rows on one side only are copied, identical rows are left alone (the
 * users' update trigger never fires on them, and both version tables end with the same version), rows that differ are
 * settled by the strategy, and writes made on both sides while the load runs all arrive, once.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class OnboardingTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
             "tables": [{"name": "customer", "strategy": "%s", "exclude": ["touch_count"]%s}]}""";

    private static void fill(DataSource ds, String side) throws Exception {
        List<String> inserts = new ArrayList<>();
        for (int i = 1; i <= 40; i++) { // identical on both sides
            inserts.add("INSERT INTO customer (id, name, email, balance, updated_at) VALUES (" + i + ", 'same " + i + "', 's" + i
                    + "@x', " + i + ".25, '2024-03-01 08:00:00.000001')");
        }
        for (int i = 41; i <= 50; i++) { // different on each side; PostgreSQL's updated_at is newer for odd ids
            boolean newer = side.equals("pg") == (i % 2 == 1);
            inserts.add("INSERT INTO customer (id, name, email, balance, updated_at) VALUES (" + i + ", '" + side + " " + i + "', '"
                    + side + i + "@x', " + i + ".50, '2024-03-0" + (newer ? 2 : 1) + " 09:00:00.000002')");
        }
        int from = side.equals("pg") ? 51 : 61; // one side only
        for (int i = from; i < from + 10; i++) {
            inserts.add("INSERT INTO customer (id, name, email, balance) VALUES (" + i + ", '" + side + " only " + i + "', NULL, 0)");
        }
        SampleTable.execute(ds, inserts.toArray(String[]::new));
        SampleTable.installTouchTrigger(ds);
    }

    /** A user's write, retried as applications do when the database reports a deadlock (apply holds row locks too). */
    private static void write(DataSource ds, String sql, Object... parameters) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                Rows.execute(ds, sql, parameters);
                return;
            } catch (java.sql.SQLTransactionRollbackException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** What the strategy makes of a differing row 41..50: the side whose value wins. */
    private static String winner(String strategy, boolean timestampField, int id) {
        if (timestampField) {
            return id % 2 == 1 ? "pg" : "maria";
        }
        return "maria"; // equal initial versions (per field too): the higher priority (MariaDB) wins
    }

    @ParameterizedTest(name = "{0}, timestampField {1}")
    @CsvSource({"LAST_WRITE_WINS, false", "LAST_WRITE_WINS, true", "SYSTEM_PRIORITY, false", "FIELD_NEWEST, false"})
    void twoNonEmptyTablesMergeUnderTheStrategyWhileWritersRun(String strategy, boolean timestampField) throws Exception {
        String name = "onboard_" + strategy.toLowerCase() + (timestampField ? "_ts" : "");
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        RegisteredFlowSnapshot template = Templates.all().get("two-way-postgresql-mariadb.json");
        String topology = TOPOLOGY.formatted(strategy, timestampField ? ", \"timestampField\": \"updated_at\"" : "");
        try (FlowHarness harness = loading(name, template, topology, "Capture PostgreSQL", "Capture MariaDB")
                .dataSource("postgresql", pg).dataSource("mariadb", maria).build()) {
            // writers on both sides while the load is captured and applied: each edits its own keys, in order, one
            // batch of edits per round of the flow
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger roundsRun = new AtomicInteger();
            Thread writers = new Thread(() -> {
                try {
                    for (int round = 1; round <= 15; round++) {
                        int before = roundsRun.get();
                        write(pg, "UPDATE customer SET name = ? WHERE id = 1", "pg write " + round);
                        write(maria, "UPDATE customer SET name = ? WHERE id = 2", "maria write " + round);
                        write(pg, "INSERT INTO customer (id, name, balance) VALUES (?, ?, 1)", 100 + round, "pg new " + round);
                        write(maria, "INSERT INTO customer (id, name, balance) VALUES (?, ?, 2)", 200 + round, "maria new " + round);
                        Await.until(() -> roundsRun.get() > before, "the flow ran a round after the writers' batch " + round);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            harness.round(); // captures install their triggers and read the existing rows
            writers.start();
            while (writers.isAlive()) {
                harness.round();
                roundsRun.incrementAndGet();
            }
            writers.join();
            assertNull(failure.get());
            Rows.settle(harness);

            List<String> rows = SampleTable.rows(pg);
            assertEquals(rows, SampleTable.rows(maria), "both sides hold the same rows");
            assertEquals(SampleTable.versionRows(pg), SampleTable.versionRows(maria), "and the same version of every key");
            assertEquals(70 + 30, rows.size(), "identical, differing, one-sided rows and the writers' inserts, each once");
            assertEquals(List.of("1|pg write 15"), Rows.of(pg, "customer WHERE id = 1", "id", "name"), "the last write during the load wins");
            assertEquals(List.of("2|maria write 15"), Rows.of(maria, "customer WHERE id = 2", "id", "name"));
            for (int id = 41; id <= 50; id++) {
                String expected = winner(strategy, timestampField, id) + " " + id;
                assertEquals(List.of(id + "|" + expected), Rows.of(pg, "customer WHERE id = " + id, "id", "name"), "row " + id);
            }
            assertEquals(List.of(), Rows.of(pg, "customer WHERE id BETWEEN 3 AND 40 AND touch_count > 0", "id"),
                    "identical rows were not written on PostgreSQL");
            assertEquals(List.of(), Rows.of(maria, "customer WHERE id BETWEEN 3 AND 40 AND touch_count > 0", "id"),
                    "identical rows were not written on MariaDB");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    @org.junit.jupiter.api.Test
    void underManualReviewDifferingRowsAreHeldOnBothSidesAndTheRestMerges() throws Exception {
        String name = "onboard_manual";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        try (FlowHarness harness = loading(name, Templates.all().get("two-way-postgresql-mariadb.json"),
                TOPOLOGY.formatted("MANUAL", ""), "Capture PostgreSQL", "Capture MariaDB")
                .dataSource("postgresql", pg).dataSource("mariadb", maria).build()) {
            harness.runUntilQuiet(2_000, r -> { });
            List<org.apache.nifi.serialization.record.Record> held = harness.heldRecords("Conflicts for review");
            List<String> heldKeys = held.stream().map(r -> String.valueOf(r.getAsRecord("key", null).getValue("id"))).sorted().toList();
            List<String> expected = new ArrayList<>();
            for (int id = 41; id <= 50; id++) {
                expected.add(String.valueOf(id));
                expected.add(String.valueOf(id));
            }
            assertEquals(expected.stream().sorted().toList(), heldKeys, "each differing row is held in both directions, nothing else");
            for (int id = 41; id <= 50; id++) {
                assertEquals(List.of(id + "|pg " + id), Rows.of(pg, "customer WHERE id = " + id, "id", "name"), "kept until reviewed");
                assertEquals(List.of(id + "|maria " + id), Rows.of(maria, "customer WHERE id = " + id, "id", "name"));
            }
            assertEquals(Rows.of(pg, "customer WHERE id NOT BETWEEN 41 AND 50", "id", "name", "email", "balance"),
                    Rows.of(maria, "customer WHERE id NOT BETWEEN 41 AND 50", "id", "name", "email", "balance"),
                    "identical and one-sided rows merged");
            assertEquals(List.of(), Rows.of(pg, "customer WHERE touch_count > 0", "id"), "identical rows were not written");
            assertEquals(List.of(), Rows.of(maria, "customer WHERE touch_count > 0", "id"));
        }
    }

    @org.junit.jupiter.api.Test
    void threeNonEmptyTablesMergeAtAHub() throws Exception {
        String name = "onboard_hub";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        DataSource sqlite = EmbeddedDatabases.sqlite(name);
        SampleTable.create(pg, maria, sqlite);
        fill(pg, "pg");
        fill(maria, "maria");
        fill(sqlite, "sqlite");
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}, {"id": "sqlite", "priority": 3}],
                 "hub": "postgresql",
                 "tables": [{"name": "customer", "strategy": "LAST_WRITE_WINS", "exclude": ["touch_count"]}]}""";
        try (FlowHarness harness = loading(name, Templates.all().get("hub-and-spoke-three-systems.json"),
                topology, "Capture PostgreSQL", "Capture MariaDB", "Capture SQLite")
                .dataSource("postgresql", pg).dataSource("mariadb", maria).dataSource("sqlite", sqlite).build()) {
            Rows.settle(harness);
            List<String> rows = SampleTable.rows(pg);
            assertEquals(rows, SampleTable.rows(maria));
            assertEquals(rows, SampleTable.rows(sqlite));
            assertEquals(SampleTable.versionRows(pg), SampleTable.versionRows(maria), "the same version of every key");
            assertEquals(SampleTable.versionRows(pg), SampleTable.versionRows(sqlite));
            // 40 identical, 10 differing, 10 one-sided rows of each of the three systems (61..70 of MariaDB and SQLite share ids)
            assertEquals(List.of("41|sqlite 41"), Rows.of(pg, "customer WHERE id = 41", "id", "name"), "the highest priority wins");
            assertEquals(List.of(), Rows.of(maria, "customer WHERE id BETWEEN 1 AND 40 AND touch_count > 0", "id"),
                    "identical rows were not written at a spoke");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    @org.junit.jupiter.api.Test
    void aOneWayLoadCopiesTheSourceAndKeepsTheTargetsOwnRows() throws Exception {
        String name = "onboard_one_way";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "customer", "direction": "ONE_WAY", "source": "postgresql", "exclude": ["touch_count"]}]}""";
        try (FlowHarness harness = loading(name, Templates.all().get("one-way-postgresql-to-mariadb.json"),
                topology, "Capture PostgreSQL")
                .dataSource("postgresql", pg).dataSource("mariadb", maria).build()) {
            Rows.settle(harness);
            List<String> source = Rows.of(pg, "customer", "id", "name", "email", "balance");
            assertEquals(source, Rows.of(maria, "customer WHERE id <= 60", "id", "name", "email", "balance"),
                    "the source's rows, the differing ones included, are copied");
            assertEquals(10, Rows.of(maria, "customer WHERE id > 60", "id").size(), "the target's own rows are kept");
            assertEquals(List.of(), Rows.of(maria, "customer WHERE id <= 40 AND touch_count > 0", "id"), "identical rows were not written");
        }
    }

    @org.junit.jupiter.api.Test
    void aOneWayLoadDeletesTheTargetsExtraRowsWhenTheTableSaysSoAndKeepsRowsTheSourceInsertsMeanwhile() throws Exception {
        String name = "onboard_one_way_delete";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        SampleTable.execute(pg, "DELETE FROM customer WHERE id IN (10, 33)"); // the target's extra rows in the middle of pages
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "customer", "direction": "ONE_WAY", "source": "postgresql", "exclude": ["touch_count"],
                             "targetExtraRows": "DELETE"}]}""";
        try (FlowHarness harness = loading(name, Templates.all().get("one-way-postgresql-to-mariadb.json"),
                topology, "Capture PostgreSQL")
                .dataSource("postgresql", pg).dataSource("mariadb", maria)
                .processorProperty("Capture PostgreSQL", "Max Changes Per FlowFile", "7")
                .processorProperty("Capture PostgreSQL", "Max Changes Per Poll", "14").build()) {
            harness.round(); // the first pages (ids up to 15) are read and applied
            // the source inserts into a range its load has passed and into one it has not; both arrive and stay
            Rows.execute(pg, "INSERT INTO customer (id, name, balance) VALUES (?, ?, 1)", 10, "pg new in a passed range");
            Rows.execute(pg, "INSERT INTO customer (id, name, balance) VALUES (?, ?, 1)", 75, "pg new after the end");
            Rows.settle(harness);
            List<String> source = Rows.of(pg, "customer", "id", "name", "email", "balance");
            assertEquals(source, Rows.of(maria, "customer", "id", "name", "email", "balance"),
                    "the target holds exactly the source's rows: its extra ones (10, 33, 61..70) are deleted");
            assertEquals(12L, harness.counter("ResolveConflicts", "Extra target rows deleted at the initial load"));
        }
    }

    /**
     * FIELD_OWNER at the first activation: a row that differs on both sides takes each owned field from its owner (name
     * from PostgreSQL, email from MariaDB) and the unowned fields by priority, on both sides; and the owners' initial
     * field versions are kept in the version tables, so a later delete on either side still outranks them.
     */
    @org.junit.jupiter.api.Test
    void underFieldOwnerDifferingRowsMergePerFieldFromEachFieldsOwner() throws Exception {
        String name = "onboard_field_owner";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "customer", "strategy": "FIELD_OWNER", "exclude": ["touch_count"],
                             "fields": {"name": {"owner": "postgresql"}, "email": {"owner": "mariadb"}}}]}""";
        try (FlowHarness harness = loading(name, Templates.all().get("two-way-postgresql-mariadb.json"),
                topology, "Capture PostgreSQL", "Capture MariaDB")
                .dataSource("postgresql", pg).dataSource("mariadb", maria).build()) {
            Rows.settle(harness);
            List<String> rows = SampleTable.rows(pg);
            assertEquals(rows, SampleTable.rows(maria), "both sides hold the same rows");
            assertEquals(SampleTable.versionRows(pg), SampleTable.versionRows(maria), "and the same versions");
            for (int id = 41; id <= 50; id++) {
                boolean pgNewer = id % 2 == 1;
                assertEquals(List.of(id + "|pg " + id + "|maria" + id + "@x|2024-03-0" + (pgNewer ? 1 : 2) + " 09:00:00.000002"),
                        Rows.of(pg, "customer WHERE id = " + id, "id", "name", "email", "updated_at"),
                        "name from its owner PostgreSQL, email from its owner MariaDB, the unowned updated_at by priority (MariaDB's)");
            }
            assertEquals(List.of(), Rows.of(pg, "customer WHERE id BETWEEN 1 AND 40 AND touch_count > 0", "id"), "identical rows were not written");

            // a delete after the load outranks the owners' initial field versions: the row goes on both sides
            Rows.execute(maria, "DELETE FROM customer WHERE id = 41");
            Rows.execute(pg, "DELETE FROM customer WHERE id = 42");
            Rows.settle(harness);
            assertEquals(List.of(), Rows.of(pg, "customer WHERE id IN (41, 42)", "id"));
            assertEquals(List.of(), Rows.of(maria, "customer WHERE id IN (41, 42)", "id"));
            assertEquals(SampleTable.rows(pg), SampleTable.rows(maria));
        }
    }

    /** The flow of a template with the topology, each named capture loading its table's existing rows, logging as {@code name}. */
    private static FlowHarness.Builder loading(String name, RegisteredFlowSnapshot template, String topology, String... captures) {
        FlowHarness.Builder builder = FlowHarness.builder(template).parameter("Sync Topology Definition", topology)
                .log(line -> System.out.println("[" + name + "] " + line));
        for (String capture : captures) {
            builder.processorProperty(capture, "Initial Load", "Existing Rows");
        }
        return builder;
    }
}
