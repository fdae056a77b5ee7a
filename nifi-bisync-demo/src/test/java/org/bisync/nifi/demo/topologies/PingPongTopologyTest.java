/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic ping-pong sources on a two-way PostgreSQL (A) <-> MariaDB (B) pair of the customer table: a user trigger
 * on B that bumps {@code updated_at} on every update, and applications on both sides that react to a synced write by
 * writing the row again.
 */
class PingPongTopologyTest {

    private static final String[] SYNCED_WITHOUT_UPDATED_AT = {"id", "name", "email", "balance"};
    private static final String[] SYNCED_WITH_UPDATED_AT = {"id", "name", "email", "balance", "updated_at"};

    private static String topology(String... excluded) {
        return """
                {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
                 "tables": [{"name": "customer", "exclude": [%s]}]}""".formatted(String.join(", ",
                java.util.Arrays.stream(excluded).map(e -> "\"" + e + "\"").toList()));
    }

    private static FlowHarness start(DataSource a, DataSource b, String topology, String maxUpdates) throws Exception {
        SampleTable.create(a);
        SampleTable.create(b);
        FlowHarness.Builder builder = FlowHarness.builder(new TopologyFlow("ping-pong", "A", "B")
                        .topology("t", topology)
                        .capture("A", "t").capture("B", "t")
                        .direction("A", "B", "t").direction("B", "A", "t")
                        .build())
                .dataSource("A", a).dataSource("B", b).log(System.out::println);
        for (String direction : List.of(TopologyFlow.prevent("A", "B"), TopologyFlow.prevent("B", "A"))) {
            // each direction's PreventLoops counts the crossings of its own direction only
            builder.processorProperty(direction, "Max Updates Per Key", maxUpdates);
            builder.processorProperty(direction, "Runaway Window", "2 sec");
        }
        FlowHarness harness = builder.build();
        harness.round();
        assertEquals(0, harness.failedRuns(), harness.lastFailure());
        return harness;
    }

    private static void bumpUpdatedAtOnEveryUpdate(DataSource b) throws SQLException {
        SampleTable.execute(b, "CREATE TRIGGER customer_bump BEFORE UPDATE ON customer FOR EACH ROW SET NEW.updated_at = NOW(6)");
    }

    /** Edits on both sides, each settled before the next; returns the number of user writes. */
    private static int edit(FlowHarness harness, DataSource a, DataSource b) throws Exception {
        String[][] writes = {
                {"A", "INSERT INTO customer (id, name, email, balance, updated_at) VALUES (1, 'Ada', 'ada@a', 1.00, '2025-01-01 10:00:00')"},
                {"A", "INSERT INTO customer (id, name, email, balance, updated_at) VALUES (2, 'Bob', 'bob@a', 2.00, '2025-01-01 10:00:00')"},
                {"B", "INSERT INTO customer (id, name, email, balance, updated_at) VALUES (3, 'Cy', 'cy@b', 3.00, '2025-01-01 10:00:00')"},
                {"B", "UPDATE customer SET name = 'Ada (B)' WHERE id = 1"},
                {"A", "UPDATE customer SET balance = 3.50 WHERE id = 3"},
                {"A", "UPDATE customer SET email = 'ada@a2' WHERE id = 1"},
                {"B", "UPDATE customer SET balance = 2.25 WHERE id = 2"},
                {"A", "DELETE FROM customer WHERE id = 2"},
        };
        for (String[] write : writes) {
            SampleTable.execute(write[0].equals("A") ? a : b, write[1]);
            Rows.settle(harness);
        }
        return writes.length;
    }

    @Test
    void aTriggerBumpingUpdatedAtOnEveryUpdateSettlesWhenUpdatedAtIsExcluded() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_pingpong_excluded");
        DataSource b = EmbeddedDatabases.mariadb("topo_pingpong_excluded");
        try (FlowHarness harness = start(a, b, topology("updated_at", "touch_count"), "20")) {
            bumpUpdatedAtOnEveryUpdate(b);
            int writes = edit(harness, a, b);
            for (int i = 0; i < 5; i++) {
                harness.round();
            }
            assertEquals(0, harness.lastCaptured(), "nothing circulates");
            assertEquals(List.of("1|Ada (B)|ada@a2|1", "3|Cy|cy@b|3.5"), Rows.of(a, "customer", SYNCED_WITHOUT_UPDATED_AT));
            assertEquals(Rows.of(a, "customer", SYNCED_WITHOUT_UPDATED_AT), Rows.of(b, "customer", SYNCED_WITHOUT_UPDATED_AT));
            Outcomes outcomes = harness.outcomes();
            assertEquals(writes, outcomes.capturedChanges(), "each user write was captured once, the bumps of synced writes never");
            assertEquals(List.of(), outcomes.unaccounted());
        }
    }

    /**
     * With {@code updated_at} wrongly synced two-way, a bump made by B's trigger on a synced write is not captured (the
     * applier's writes are marked and skipped by B's capture triggers, DESIGN.md section 6 layer 1), so nothing
     * circulates: each user write is captured exactly once and the flow goes quiet.
     */
    @Test
    void updatedAtWronglySyncedTwoWayWithABumpingTriggerStillDoesNotCirculate() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_pingpong_synced");
        DataSource b = EmbeddedDatabases.mariadb("topo_pingpong_synced");
        try (FlowHarness harness = start(a, b, topology("touch_count"), "20")) {
            bumpUpdatedAtOnEveryUpdate(b);
            int writes = edit(harness, a, b);
            for (int i = 0; i < 5; i++) {
                harness.round();
            }
            assertEquals(0, harness.lastCaptured(), "nothing circulates");
            assertEquals(writes, harness.outcomes().capturedChanges(), "each user write was captured once, the bumps of synced writes never");
            assertEquals(List.of(), harness.outcomes().unaccounted());
            assertEquals(Rows.of(a, "customer", SYNCED_WITHOUT_UPDATED_AT), Rows.of(b, "customer", SYNCED_WITHOUT_UPDATED_AT));
        }
    }

    /**
     * DESIGN.md section 5: a column the target's own trigger rewrites on every write must be excluded or one-way. When it
     * is wrongly synced two-way, B keeps its bumped value while A keeps the one it sent; apply reads back what it wrote
     * and says so, naming the table, the key and the column, so the configuration can be fixed.
     */
    @Test
    void updatedAtWronglySyncedTwoWayIsReportedByApplyAsRewrittenByTheTargetsTrigger() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_pingpong_synced_same");
        DataSource b = EmbeddedDatabases.mariadb("topo_pingpong_synced_same");
        try (FlowHarness harness = start(a, b, topology("touch_count"), "20")) {
            bumpUpdatedAtOnEveryUpdate(b);
            edit(harness, a, b);
            List<String> warnings = harness.runner(TopologyFlow.apply("A", "B")).getLogger().getWarnMessages().stream()
                    .map(m -> m.getMsg()).toList();
            assertTrue(warnings.stream().anyMatch(w -> w.contains("updated_at") && w.contains("customer")
                    && w.contains("the target's own trigger or default changed")), String.valueOf(warnings));
        }
    }

    /**
     * Applications on both sides that react to a synced write by writing {@code updated_at} again, in their own
     * transactions: a real ping-pong, which the origin marker cannot see. PreventLoops' runaway guard parks the key on
     * 'loop' and releases only its greatest version; once the applications stop reacting, the flow goes quiet and both
     * sides hold the same row, {@code updated_at} included.
     */
    @Test
    void reactingApplicationsOnBothSidesTripTheRunawayGuardAndBothSidesEndTheSame() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_pingpong_runaway");
        DataSource b = EmbeddedDatabases.mariadb("topo_pingpong_runaway");
        try (FlowHarness harness = start(a, b, topology("touch_count"), "2")) {
            Reactor reactA = new Reactor(a);
            Reactor reactB = new Reactor(b);
            SampleTable.execute(a, "INSERT INTO customer (id, name, updated_at) VALUES (1, 'Ada', '2025-01-01 10:00:00')");
            Rows.settle(harness);
            reactA.look();
            reactB.look();
            SampleTable.execute(a, "UPDATE customer SET name = 'Ada L.' WHERE id = 1");
            reactA.look(); // A's own write: no reaction
            // the applications react to every synced write until the runaway guard has parked the key: a state, not a time
            int reactions = 0;
            for (int round = 0; round < 5_000 && (reactions <= 5 || harness.counter("PreventLoops", "Runaway keys parked") == 0); round++) {
                harness.round();
                reactions += reactA.react() + reactB.react();
            }
            long parkedKeys = harness.counter("PreventLoops", "Runaway keys parked");
            System.out.println("reactions " + reactions + ", captured " + harness.outcomes().capturedChanges() + ", parked keys "
                    + parkedKeys + ", released " + harness.counter("PreventLoops", "Parked changes released") + ", superseded "
                    + harness.counter("PreventLoops", "Parked changes superseded"));
            assertTrue(reactions > 5, "the applications ping-ponged: " + reactions);
            assertTrue(parkedKeys > 0, "the runaway guard parked the key");
            assertTrue(harness.counter("PreventLoops", "Changes parked") > 0);

            // the applications stop reacting: what is parked is released as the key's greatest version, then quiet
            Rows.settle(harness);
            assertTrue(harness.counter("PreventLoops", "Parked changes released") > 0, "the greatest version was passed on");
            List<String> rowsA = Rows.of(a, "customer", SYNCED_WITH_UPDATED_AT);
            assertEquals(1, rowsA.size());
            assertEquals(rowsA, Rows.of(b, "customer", SYNCED_WITH_UPDATED_AT), "both sides end the same, updated_at included");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    /** An application that writes a row again (a new updated_at) whenever it finds the row changed by someone else. */
    private static final class Reactor {
        private final DataSource dataSource;
        private final Map<String, String> seen = new HashMap<>();

        Reactor(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        void look() throws SQLException {
            seen.clear();
            for (String row : Rows.of(dataSource, "customer", SYNCED_WITH_UPDATED_AT)) {
                seen.put(row.substring(0, row.indexOf('|')), row);
            }
        }

        int react() throws SQLException {
            int reactions = 0;
            for (String row : Rows.of(dataSource, "customer", SYNCED_WITH_UPDATED_AT)) {
                String id = row.substring(0, row.indexOf('|'));
                if (seen.containsKey(id) && !row.equals(seen.get(id))) {
                    try (Connection c = dataSource.getConnection();
                         PreparedStatement s = c.prepareStatement("UPDATE customer SET updated_at = LOCALTIMESTAMP(6) WHERE id = ?")) {
                        s.setLong(1, Long.parseLong(id));
                        s.executeUpdate();
                    }
                    reactions++;
                }
            }
            look();
            return reactions;
        }
    }
}
