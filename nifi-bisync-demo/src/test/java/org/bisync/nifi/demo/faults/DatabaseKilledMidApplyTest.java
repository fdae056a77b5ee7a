/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.KillableServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The target database is killed with SIGKILL while ApplyBidirectionalChanges is half-way through a transaction, and
 * started again on the same data: crash recovery rolls the half-done transaction back, the FlowFile goes to retry, and
 * after quiet both sides hold the same rows with every change accounted for.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DatabaseKilledMidApplyTest {

    private static final int ROWS = 300;
    private static final int GATE_KEY = 150;

    /** How a test holds up the applier at one key of one engine, and sees that it waits there. */
    private record Gate(List<String> install, String hold, String waiting) {
    }

    private static final Gate POSTGRES_GATE = new Gate(List.of(
            "CREATE FUNCTION customer_gate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "IF NEW.id = " + GATE_KEY + " THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF; RETURN NEW; END $$",
            "CREATE TRIGGER customer_gate BEFORE INSERT OR UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION customer_gate()"),
            "SELECT pg_advisory_lock(4242)",
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");

    private static final Gate MARIADB_GATE = new Gate(List.of(
            "CREATE TRIGGER customer_gate BEFORE INSERT ON customer FOR EACH ROW "
                    + "BEGIN IF NEW.id = " + GATE_KEY + " THEN DO GET_LOCK('customer_gate', 600); DO RELEASE_LOCK('customer_gate'); END IF; END"),
            "DO GET_LOCK('customer_gate', 0)",
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock'");

    @Test
    void postgresKilledMidApplyAndRestartedEndsIdenticalWithNothingLost() throws Exception {
        try (KillableServer server = KillableServer.postgres("fault_kill_pg")) {
            DataSource pg = server.createDatabase("fault_kill");
            DataSource maria = EmbeddedDatabases.mariadb("fault_kill_target_pg");
            killMidApply(server, POSTGRES_GATE, pg, pg, maria, TwoWayFaults.APPLY_INTO_PG);
        }
    }

    @Test
    void mariadbKilledMidApplyAndRestartedEndsIdenticalWithNothingLost() throws Exception {
        try (KillableServer server = KillableServer.mariadb("fault_kill_maria")) {
            DataSource maria = server.createDatabase("fault_kill");
            DataSource pg = EmbeddedDatabases.postgres("fault_kill_target_maria");
            killMidApply(server, MARIADB_GATE, maria, pg, maria, TwoWayFaults.APPLY_INTO_MARIA);
        }
    }

    /** The source side takes ROWS inserts in one transaction; the target's applier is killed half-way through them. */
    private static void killMidApply(KillableServer server, Gate gateSql, DataSource target, DataSource pg, DataSource maria,
                                     String applyIntoTarget) throws Exception {
        DataSource source = target == pg ? maria : pg;
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> b.seed(5))) {
            // a user trigger that waits, at one key, for a lock the test holds: the applier's transaction stops there
            // with the rows before that key written and not committed
            SampleTable.execute(target, gateSql.install().toArray(String[]::new));
            Connection gate = target.getConnection();
            try (Statement s = gate.createStatement()) {
                s.execute(gateSql.hold());
            }
            insertInOneTransaction(source, 1, ROWS);

            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService flow = Executors.newSingleThreadExecutor();
            Future<?> rounds = flow.submit(() -> {
                while (!killed.get()) {
                    harness.round();
                }
            });
            try {
                waitUntilApplyWaitsAtTheGate(target, gateSql.waiting(), rounds);
                killed.set(true); // the round under way is the last
                server.kill();
                rounds.get(5, TimeUnit.MINUTES); // the blocked apply fails with its connection and the round ends
            } finally {
                killed.set(true);
                flow.shutdownNow();
            }
            closeQuietly(gate);

            server.restart();
            assertEquals(List.of(), SampleTable.rows(target), "crash recovery rolled the half-done apply back");
            SampleTable.execute(target, "INSERT INTO customer (id, name) VALUES (" + (ROWS + 1) + ", 'after the crash')");
            TwoWayFaults.settle(harness);

            assertEquals(ROWS + 1, SampleTable.rows(target).size(), "every row of the source's transaction and the one written after the crash");
            TwoWayFaults.assertConvergedAndAccounted(harness, pg, maria, List.of());
            assertTrue(harness.processorCounter(applyIntoTarget, "Changes retried") >= ROWS,
                    "the killed transaction's changes went to retry, not to failure");
        }
    }

    private static void insertInOneTransaction(DataSource dataSource, int from, int to) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO customer (id, name, email, balance) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int id = from; id <= to; id++) {
                insert.setLong(1, id);
                insert.setString(2, "customer " + id);
                insert.setString(3, "c" + id + "@example.org");
                insert.setBigDecimal(4, java.math.BigDecimal.valueOf(id, 2));
                insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
        }
    }

    /** Waits until a session of the target waits for the gate's lock (the applier, mid-transaction). */
    private static void waitUntilApplyWaitsAtTheGate(DataSource target, String waiting, Future<?> rounds) throws Exception {
        try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
            Await.until(() -> {
                if (rounds.isDone()) {
                    rounds.get(); // the flow stopped: show why
                    throw new AssertionError("the flow stopped before the apply reached the gate");
                }
                try (ResultSet rs = s.executeQuery(waiting)) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            }, "the applier waits for the gate's lock");
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // its server was killed
        }
    }
}
