/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PurgeTombstones in a TestRunner on real databases: it removes from the database exactly the tombstones every peer
 * decided, keeps the others, and says so in its counters.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PurgeTombstonesTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";
    private static final TableSettings CUSTOMER = TableSettings.twoWay("customer");
    private static final SyncTopology SYNC = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(CUSTOMER), null);

    private static DataSource install(DataSource dataSource, String system) throws SQLException {
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(c);
            Jdbc.exec(c, dialect.capture().createBisyncTables());
            Jdbc.exec(c, dialect.capture().installTable(new SyncedTableResolver(dialect, SYNC).resolve(c, CUSTOMER, system)));
        }
        return dataSource;
    }

    private static List<Long> tombstones(DataSource dataSource) throws SQLException {
        return Jdbc.longs(dataSource, "SELECT id FROM bisync_v_customer WHERE deleted = " + trueLiteral(dataSource) + " ORDER BY id");
    }

    private static String trueLiteral(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Dialects.forConnection(c).name().equals("PostgreSQL") ? "true" : "1";
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void purgesFromTheDatabaseOnlyTheTombstonesEveryPeerDecided(TestEngine engine) throws Exception {
        DataSource a = install(engine.freshDatabase("purge_proc_a"), "A");
        DataSource b = install(engine.freshDatabase("purge_proc_b"), "B");
        Jdbc.exec(a, "INSERT INTO customer VALUES (1, 'decided')", "INSERT INTO customer VALUES (2, 'undecided')",
                "INSERT INTO customer VALUES (3, 'alive')", "DELETE FROM customer WHERE id IN (1, 2)");
        assertEquals(List.of(1L, 2L), tombstones(a));
        try (Connection c = a.getConnection()) {
            Dialect dialect = Dialects.forConnection(c);
            HistoryReader reader = new HistoryReader(dialect.capture());
            List<HistoryRow> rows = reader.readUnreleased(c, 100);
            reader.release(c, rows.stream().map(HistoryRow::id).toList(), System.currentTimeMillis() * 1000L, true);
            // B decided every change of key 1 and of key 3, none of key 2
            new AckLedger(dialect.capture()).acknowledge(c, "B",
                    rows.stream().filter(r -> !r.keyData().replace(" ", "").equals("{\"id\":2}")).map(HistoryRow::id).toList());
        }

        TestRunner runner = BisyncRunners.withTopology(TestRunners.newTestRunner(PurgeTombstones.class), TOPOLOGY, Map.of("A", a, "B", b));
        runner.setProperty(BisyncProperties.SOURCE_SYSTEM, "A");
        runner.run();

        assertEquals(List.of(2L), tombstones(a), "the tombstone of key 1 is gone from the database, key 2's is kept");
        assertEquals(1, Jdbc.count(a, "SELECT count(*) FROM bisync_v_customer WHERE id = 3"), "a live row's version is never touched");
        assertEquals(1, runner.getCounterValue(PurgeTombstones.COUNTER_PURGED));
        assertEquals(1, runner.getCounterValue(PurgeTombstones.COUNTER_UNDECIDED));
        assertEquals(0, runner.getCounterValue(PurgeTombstones.COUNTER_IN_FLIGHT));
        assertFalse(((MockProcessContext) runner.getProcessContext()).isYieldCalled(), "it purged: no reason to yield");

        runner.run();
        assertEquals(List.of(2L), tombstones(a));
        assertEquals(1, runner.getCounterValue(PurgeTombstones.COUNTER_PURGED), "nothing more to purge");
        assertTrue(((MockProcessContext) runner.getProcessContext()).isYieldCalled(), "nothing purged: it yields");
    }
}
