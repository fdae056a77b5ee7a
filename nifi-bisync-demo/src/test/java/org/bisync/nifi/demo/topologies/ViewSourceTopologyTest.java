/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PostgreSQL view as a one-way source into a SQLite table: inserts, updates and deletes (found by comparing key
 * sets) reach the target; configuring a view two-way is refused with a message that says what to do.
 */
class ViewSourceTopologyTest {

    private static final String ONE_WAY_VIEW = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "active_customer", "direction": "ONE_WAY", "source": "A", "syncKey": ["id"],
                         "view": {"changeColumn": "id"}}]}""";

    @Test
    void aViewAsOneWaySourceReachesTheTargetTableWithInsertsUpdatesAndDeletes() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_view");
        DataSource b = EmbeddedDatabases.sqlite("topo_view");
        SampleTable.execute(a, "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(100), active BOOLEAN NOT NULL)",
                "CREATE VIEW active_customer AS SELECT id, name FROM customer WHERE active");
        SampleTable.execute(b, "CREATE TABLE active_customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        try (FlowHarness harness = FlowHarness.builder(new TopologyFlow("view", "A", "B")
                        .topology("t", ONE_WAY_VIEW)
                        .captureProperty("View Poll Interval", "0 sec")
                        .capture("A", "t")
                        .capture("B", "t") // installs B's bisync tables (the version table of B's copy of the view)
                        .direction("A", "B", "t")
                        .build())
                .dataSource("A", a).dataSource("B", b).log(System.out::println).build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());

            SampleTable.execute(a, "INSERT INTO customer VALUES (1, 'Ada', true)", "INSERT INTO customer VALUES (2, 'Bob', true)",
                    "INSERT INTO customer VALUES (3, 'Cy', false)");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada", "2|Bob"), Rows.of(b, "active_customer", "id", "name"), "the view's rows were inserted");

            SampleTable.execute(a, "UPDATE customer SET name = 'Robert' WHERE id = 2", "UPDATE customer SET active = false WHERE id = 1",
                    "UPDATE customer SET active = true WHERE id = 3");
            Rows.settle(harness);
            List<String> expected = Rows.of(a, "active_customer", "id", "name");
            assertEquals(List.of("2|Robert", "3|Cy"), expected);
            assertEquals(expected, Rows.of(b, "active_customer", "id", "name"),
                    "an update, a row leaving the view (delete by key comparison) and a row entering it reached B");

            SampleTable.execute(a, "DELETE FROM customer WHERE id = 2");
            Rows.settle(harness);
            assertEquals(List.of("3|Cy"), Rows.of(b, "active_customer", "id", "name"), "a deleted base row left B too");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    @Test
    void aViewConfiguredTwoWayIsRefusedWithAClearMessage() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new TopologyParser().parse("""
                {"systems": [{"id": "A"}, {"id": "B"}],
                 "tables": [{"name": "active_customer", "direction": "TWO_WAY", "syncKey": ["id"], "view": {"changeColumn": "id"}}]}"""));
        assertTrue(refused.getMessage().contains("'active_customer' is a view: a view can only be a one-way source, set direction ONE_WAY"),
                refused.getMessage());
    }

    @Test
    void aViewSyncedAsAnOrdinaryTwoWayTableIsRefusedByCaptureWithAClearMessage() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_view_two_way");
        DataSource b = EmbeddedDatabases.sqlite("topo_view_two_way");
        SampleTable.execute(a, "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(100), active BOOLEAN NOT NULL)",
                "CREATE VIEW active_customer AS SELECT id, name FROM customer WHERE active");
        SampleTable.execute(b, "CREATE TABLE active_customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        String twoWay = """
                {"systems": [{"id": "A"}, {"id": "B"}], "tables": [{"name": "active_customer", "syncKey": ["id"]}]}""";
        try (FlowHarness harness = FlowHarness.builder(new TopologyFlow("view-two-way", "A", "B")
                        .topology("t", twoWay)
                        .capture("A", "t").capture("B", "t")
                        .direction("A", "B", "t").direction("B", "A", "t")
                        .build())
                .dataSource("A", a).dataSource("B", b).log(System.out::println).build()) {
            harness.round();
            assertTrue(harness.failedRuns() > 0, "capture of the view did not start");
            assertTrue(harness.lastFailure() != null && harness.lastFailure().contains("is a view: views can only be one-way sources"),
                    harness.lastFailure());
            assertEquals(List.of(), Rows.of(b, "active_customer", "id", "name"));
        }
    }
}
