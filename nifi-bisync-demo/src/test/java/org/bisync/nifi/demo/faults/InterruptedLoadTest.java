/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.KillableServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The initial load of two non-empty tables (two-way template, both captures with Initial Load "Existing Rows", pages of
 * 20 rows, 40 a run) interrupted half-way: by NiFi dying inside a capture's and inside an apply's session (new
 * processor instances with the state the old ones had stored), and by a database killed with SIGKILL and started
 * again. The load goes on from the last committed page: afterwards both sides hold every row once, with the same
 * versions, each side's rows were counted as loaded exactly once, and the rows both sides held alike were never
 * written (a page read again after a crash is found already applied).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class InterruptedLoadTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
             "tables": [{"name": "customer", "exclude": ["touch_count"]}]}""";
    /** Rows per side: 1..100 alike on both, 101..200 different, 201..300 PostgreSQL only, 301..400 MariaDB only. */
    private static final int ROWS_PER_SIDE = 300;

    private static void fill(DataSource dataSource, String side) throws SQLException {
        List<String> inserts = new ArrayList<>();
        int ownFrom = side.equals("pg") ? 201 : 301;
        for (int id = 1; id <= 200; id++) {
            inserts.add("INSERT INTO customer (id, name, email, balance) VALUES (" + id + ", '" + (id <= 100 ? "same" : side) + " " + id
                    + "', 'c" + id + "@x', " + id + ".25)");
        }
        for (int id = ownFrom; id < ownFrom + 100; id++) {
            inserts.add("INSERT INTO customer (id, name, email, balance) VALUES (" + id + ", '" + side + " only " + id + "', NULL, 0)");
        }
        SampleTable.execute(dataSource, inserts.toArray(String[]::new));
        SampleTable.installTouchTrigger(dataSource);
    }

    private static FlowHarness harness(DataSource pg, DataSource maria) {
        return FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                .dataSource(TwoWayFaults.PG, pg).dataSource(TwoWayFaults.MARIA, maria)
                .parameter("Sync Topology Definition", TOPOLOGY)
                .processorProperty(TwoWayFaults.CAPTURE_PG, "Initial Load", "Existing Rows")
                .processorProperty(TwoWayFaults.CAPTURE_MARIA, "Initial Load", "Existing Rows")
                .processorProperty(TwoWayFaults.CAPTURE_PG, "Max Changes Per FlowFile", "20")
                .processorProperty(TwoWayFaults.CAPTURE_MARIA, "Max Changes Per FlowFile", "20")
                .processorProperty(TwoWayFaults.CAPTURE_PG, "Max Changes Per Poll", "40")
                .processorProperty(TwoWayFaults.CAPTURE_MARIA, "Max Changes Per Poll", "40")
                .log(System.out::println).build();
    }

    @Test
    void aLoadInterruptedByNiFiDyingInCaptureAndInApplyGoesOnWithoutLosingOrDuplicatingRows() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("interrupted_load_nifi");
        DataSource maria = EmbeddedDatabases.mariadb("interrupted_load_nifi");
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        try (FlowHarness harness = harness(pg, maria)) {
            harness.round();
            harness.round(); // 80 rows of each side loaded
            int lost = harness.crashDuring(TwoWayFaults.CAPTURE_PG); // its next page is read, emitted and lost with the session
            assertTrue(lost > 0, "the capture emitted pages in the session that was lost");
            harness.round();
            // commits its pages (MariaDB's rows overwrite PostgreSQL's differing ones), then dies before its session commits:
            // the pages are queued again and must find their rows already written
            lost = harness.crashDuring(TwoWayFaults.APPLY_INTO_PG);
            assertTrue(lost > 0, "the apply had pages to write in the session that was lost");
            harness.round();
            harness.restartFlow();
            TwoWayFaults.settle(harness);
            assertLoadedOnceAndConverged(harness, pg, maria);
        }
    }

    @Test
    void aLoadInterruptedByPostgresqlKilledAndRestartedGoesOnWithoutLosingOrDuplicatingRows() throws Exception {
        try (KillableServer server = KillableServer.postgres("interrupted_load_pg")) {
            DataSource pg = server.createDatabase("interrupted_load");
            DataSource maria = EmbeddedDatabases.mariadb("interrupted_load_pg");
            loadThroughADatabaseCrash(server, pg, maria);
        }
    }

    @Test
    void aLoadInterruptedByMariadbKilledAndRestartedGoesOnWithoutLosingOrDuplicatingRows() throws Exception {
        try (KillableServer server = KillableServer.mariadb("interrupted_load_maria")) {
            DataSource maria = server.createDatabase("interrupted_load");
            DataSource pg = EmbeddedDatabases.postgres("interrupted_load_maria");
            loadThroughADatabaseCrash(server, pg, maria);
        }
    }

    private static void loadThroughADatabaseCrash(KillableServer server, DataSource pg, DataSource maria) throws Exception {
        SampleTable.create(pg, maria);
        fill(pg, "pg");
        fill(maria, "maria");
        try (FlowHarness harness = harness(pg, maria)) {
            harness.round();
            harness.round();
            server.kill();
            for (int i = 0; i < 3; i++) {
                harness.round(); // capture, resolve and apply of the killed side fail; the other side's pages wait for it
            }
            assertTrue(harness.failedRuns() > 0, "the processors of the killed database failed their runs");
            server.restart();
            TwoWayFaults.settle(harness);
            assertLoadedOnceAndConverged(harness, pg, maria);
        }
    }

    private static void assertLoadedOnceAndConverged(FlowHarness harness, DataSource pg, DataSource maria) throws Exception {
        List<String> rows = SampleTable.rows(pg);
        assertEquals(rows, SampleTable.rows(maria), "both sides hold the same rows");
        assertEquals(400, rows.size(), "every row of both sides, once");
        assertEquals(SampleTable.versionRows(pg), SampleTable.versionRows(maria), "and the same version of every key");
        // a side's load reads its own rows and those the other side's load already wrote into it, each once
        long pgLoaded = harness.processorCounter(TwoWayFaults.CAPTURE_PG, "Rows loaded initially");
        long mariaLoaded = harness.processorCounter(TwoWayFaults.CAPTURE_MARIA, "Rows loaded initially");
        assertTrue(pgLoaded >= ROWS_PER_SIDE && pgLoaded <= 400, "PostgreSQL rows loaded in committed sessions: " + pgLoaded);
        assertTrue(mariaLoaded >= ROWS_PER_SIDE && mariaLoaded <= 400, "MariaDB rows loaded in committed sessions: " + mariaLoaded);
        for (int id = 101; id <= 200; id += 33) {
            assertTrue(rows.get(id - 1).startsWith(id + "|maria " + id + "|"), "the higher priority's row wins: " + rows.get(id - 1));
        }
        // the users' update trigger counts the writes: a page read or applied again after a crash must not write again
        assertEquals(List.of("100|1"), Rows.touches(pg), "PostgreSQL's 100 differing rows were each overwritten once, nothing else");
        assertEquals(List.of(), Rows.touches(maria), "MariaDB's rows were never overwritten");
        assertEquals(List.of(), harness.held(""), "nothing failed or was held");
    }

    /** How many rows were updated how often ("count|touches"), for the rows updated at least once. */
    private static final class Rows {
        static List<String> touches(DataSource dataSource) throws SQLException {
            List<String> counts = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), touch_count FROM customer WHERE touch_count > 0 GROUP BY touch_count ORDER BY touch_count")) {
                while (rs.next()) {
                    counts.add(rs.getLong(1) + "|" + rs.getLong(2));
                }
            }
            return counts;
        }
    }
}
