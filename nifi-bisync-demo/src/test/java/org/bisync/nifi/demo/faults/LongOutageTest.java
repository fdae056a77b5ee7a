/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.demo.topologies.TopologyFlow;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long outage: system B is down (its capture and every direction into it stopped, FlowFiles queue in front of them
 * as in NiFi) while A takes many changes of the customer table; meanwhile a second table, orders, edited on A and C
 * (both up), keeps converging, and C follows A's customer changes. Then B comes back and catches up: the catch-up
 * rate is printed, and every system ends identical with every change accounted for.
 *
 * <p>The number of changes A takes is the system property {@code bisync.outage.changes} (small by default to keep the
 * suite fast; {@code -Dbisync.outage.changes=100000} for the full figure).
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class LongOutageTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}, {"id": "C", "priority": 3}],
             "tables": [{"name": "customer", "exclude": ["touch_count"]}, {"name": "orders"}]}""";

    @Test
    void systemBDownWhileATakesManyChangesThenCatchesUpWhileOtherTablesKeptFlowing() throws Exception {
        int changes = Integer.getInteger("bisync.outage.changes", 3000);
        DataSource a = EmbeddedDatabases.postgres("fault_outage_a");
        DataSource b = EmbeddedDatabases.mariadb("fault_outage_b");
        DataSource c = EmbeddedDatabases.postgres("fault_outage_c");
        for (DataSource ds : List.of(a, b, c)) {
            SampleTable.create(ds);
            SampleTable.execute(ds, "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, item VARCHAR(100), qty INT)");
        }
        TopologyFlow flow = new TopologyFlow("outage", "A", "B", "C").topology("t", TOPOLOGY)
                .capture("A", "t").capture("B", "t").capture("C", "t");
        for (String from : List.of("A", "B", "C")) {
            for (String to : List.of("A", "B", "C")) {
                if (!from.equals(to)) {
                    flow.direction(from, to, "t");
                }
            }
        }
        try (FlowHarness harness = FlowHarness.builder(flow.build()).dataSource("A", a).dataSource("B", b).dataSource("C", c)
                .log(line -> { if (!line.startsWith("stopped ") && !line.startsWith("started ")) System.out.println(line); })
                .build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());

            List<String> intoB = harness.processorNames().stream().filter(n -> n.endsWith("-> B") || n.endsWith("-> B)") || n.equals("Capture B")).toList();
            intoB.forEach(harness::stop);

            long outageStart = System.nanoTime();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger orderEdits = new AtomicInteger();
            AtomicInteger roundsRun = new AtomicInteger();
            Thread customerWriter = new Thread(() -> run(failure, () -> writeCustomerChanges(a, changes)), "customer-writer-A");
            Thread ordersWriter = new Thread(() -> run(failure, () -> writeOrders(a, c, 200, orderEdits, roundsRun)), "orders-writer-A-C");
            customerWriter.start();
            ordersWriter.start();
            while (customerWriter.isAlive() || ordersWriter.isAlive()) {
                harness.round();
                roundsRun.incrementAndGet();
            }
            customerWriter.join();
            ordersWriter.join();
            assertNull(failure.get(), "the writers failed: " + failure.get());

            // the systems that are up converge meanwhile: orders between A and C, and A's customer changes at C
            int rounds = 0;
            while (!(quietExcept(harness, intoB) && orders(a).equals(orders(c)) && SampleTable.rows(a).equals(SampleTable.rows(c)))) {
                harness.round();
                assertTrue(++rounds < 5_000, "A and C converged during the outage; last failure: " + harness.lastFailure());
            }
            double outageSeconds = (System.nanoTime() - outageStart) / 1e9;
            assertTrue(orders(a).size() > 0, "orders were written");
            assertEquals(List.of(), SampleTable.rows(b), "nothing reached B while it was down");
            assertEquals(List.of(), orders(b));
            int heldForB = intoB.stream().mapToInt(harness::queued).sum();
            assertTrue(heldForB > 0, "the changes for B wait in front of it");
            System.out.printf("outage: A took %,d customer changes and %,d order edits were made on A and C; A and C converged in %.1f s; "
                    + "%d FlowFiles wait for B%n", changes, orderEdits.get(), outageSeconds, heldForB);

            intoB.forEach(harness::start);
            long catchUpStart = System.nanoTime();
            TwoWayFaults.settle(harness, 20_000);
            double catchUpSeconds = (System.nanoTime() - catchUpStart) / 1e9;
            Outcomes outcomes = harness.outcomes();
            int intoBEnded = outcomes.byOutcome("B").values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf("catch-up: B took %,d changes in %.1f s: %,.0f changes/s (%s)%n", intoBEnded, catchUpSeconds,
                    intoBEnded / catchUpSeconds, outcomes.byOutcome("B"));

            List<String> customers = SampleTable.rows(a);
            assertTrue(customers.size() > 0);
            assertEquals(customers, SampleTable.rows(b), "B caught up with A");
            assertEquals(customers, SampleTable.rows(c));
            assertEquals(orders(a), orders(b));
            assertEquals(orders(a), orders(c));
            assertEquals(List.of(), outcomes.unaccounted(), "every change copy ended exactly once per target");
            assertEquals(List.of(), outcomes.neverDelivered());
            Map<Outcomes.Outcome, Integer> ended = outcomes.byOutcome();
            assertEquals(0, ended.getOrDefault(Outcomes.Outcome.FAILED, 0), "no change failed: " + ended);
            assertEquals(List.of(), harness.held(""), "nothing is held in a failure or review queue");
            assertTrue(intoBEnded >= changes, "every change of A reached B: " + intoBEnded + " < " + changes);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void run(AtomicReference<Throwable> failure, Work work) {
        try {
            work.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Nothing waits anywhere except for the stopped processors, and the last round captured nothing. */
    private static boolean quietExcept(FlowHarness harness, List<String> stopped) {
        int waitingElsewhere = harness.processorNames().stream().filter(n -> !stopped.contains(n)).mapToInt(harness::queued).sum();
        return waitingElsewhere == 0 && harness.lastCaptured() == 0;
    }

    /** Exactly {@code changes} changes at A, committed in batches: half inserts, then 40% updates, then 10% deletes. */
    private static void writeCustomerChanges(DataSource a, int changes) throws SQLException {
        int inserts = changes / 2;
        int updates = changes * 2 / 5;
        int deletes = changes - inserts - updates;
        try (Connection connection = a.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO customer (id, name, email, balance) VALUES (?, ?, ?, ?)")) {
                for (int id = 1; id <= inserts; id++) {
                    insert.setLong(1, id);
                    insert.setString(2, "customer " + id);
                    insert.setString(3, "c" + id + "@example.org");
                    insert.setBigDecimal(4, BigDecimal.valueOf(id % 100_000, 2));
                    batch(connection, insert, id);
                }
                insert.executeBatch();
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE customer SET balance = balance + 1, name = ? WHERE id = ?")) {
                for (int i = 1; i <= updates; i++) {
                    update.setString(1, "edited " + i);
                    update.setLong(2, 1 + (i - 1) % inserts);
                    batch(connection, update, i);
                }
                update.executeBatch();
            }
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM customer WHERE id = ?")) {
                for (int i = 1; i <= deletes; i++) {
                    delete.setLong(1, inserts + 1 - i);
                    batch(connection, delete, i);
                }
                delete.executeBatch();
            }
            connection.commit();
        }
    }

    private static void batch(Connection connection, PreparedStatement statement, int n) throws SQLException {
        statement.addBatch();
        if (n % 1000 == 0) {
            statement.executeBatch();
            connection.commit();
        }
    }

    /**
     * Inserts and edits of orders alternately on A and C, each key written on one side only at a time; ten edits per
     * round of the flow, so the edits keep coming while it runs.
     */
    private static void writeOrders(DataSource a, DataSource c, int edits, AtomicInteger done, AtomicInteger roundsRun) {
        for (int i = 0; i < edits; i++) {
            DataSource side = i % 2 == 0 ? a : c;
            long id = 1 + i % 50;
            try (Connection connection = side.getConnection(); Statement s = connection.createStatement()) {
                if (s.executeUpdate("UPDATE orders SET qty = qty + 1, item = 'edited " + i + "' WHERE id = " + id) == 0) {
                    s.executeUpdate("INSERT INTO orders (id, item, qty) VALUES (" + id + ", 'item " + i + "', 1)");
                }
            } catch (SQLException e) {
                // the same key inserted on the other side meanwhile (synced in): as an application, try the next edit
            }
            done.incrementAndGet();
            if (i % 10 == 9) {
                int seen = roundsRun.get();
                Await.until(() -> roundsRun.get() > seen, "the flow ran a round during the order edits");
            }
        }
    }

    private static List<String> orders(DataSource ds) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = ds.getConnection(); Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, item, qty FROM orders ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        return rows;
    }
}
