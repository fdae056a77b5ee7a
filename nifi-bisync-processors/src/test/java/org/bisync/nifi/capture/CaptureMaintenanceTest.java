/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.processors.TestEngine;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Capture's maintenance called as plain Java (no NiFi), on SQLite: what it installs, refuses, purges and measures. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CaptureMaintenanceTest {

    private static final long SECOND = 1_000_000L;
    private static final long RETENTION = 60 * SECOND;
    private static final long WARNING = 600 * SECOND;

    private final SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(TableSettings.twoWay("customer")), null);
    private DataSource dataSource;
    private Dialect dialect;
    private long now;

    @BeforeEach
    void start() throws SQLException {
        dataSource = TestEngine.SQLITE.freshDatabase("capture_maintenance_" + System.nanoTime());
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        try (Connection c = dataSource.getConnection()) {
            dialect = Dialects.forConnection(c);
        }
    }

    private CaptureMaintenance maintenance(boolean install) {
        CaptureMaintenance.Settings settings = new CaptureMaintenance.Settings(install, false, SECOND, RETENTION, WARNING);
        return new CaptureMaintenance(dialect, topology, "A", settings, () -> now, () -> now);
    }

    private List<SyncedTable> tables(Connection c) throws SQLException {
        return List.of(new SyncedTableResolver(dialect, topology).resolve(c, topology.table("customer").orElseThrow(), "A"));
    }

    private static List<String> bisyncTables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(null, null, "bisync%", null)) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
        }
        return names;
    }

    @Test
    void verifyOnlyNamesWhatIsMissingAndInstallsNothing() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            CaptureMaintenance.TriggerReport report = maintenance(false).installTriggers(c, tables(c));

            assertEquals(List.of("customer (missing)"), report.problems());
            assertEquals(List.of(), report.changed());
            assertEquals(List.of(), bisyncTables(c), "nothing created");
        }
    }

    @Test
    void installReportsTheTablesItInstalledThenFindsThemCurrent() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            CaptureMaintenance.TriggerReport first = maintenance(true).installTriggers(c, tables(c));
            CaptureMaintenance.TriggerReport second = maintenance(true).installTriggers(c, tables(c));
            CaptureMaintenance.TriggerReport verified = maintenance(false).installTriggers(c, tables(c));

            assertEquals(List.of("customer"), first.changed());
            assertEquals(List.of(), second.changed(), "nothing to rebuild the second time");
            assertEquals(List.of(), verified.problems(), "Verify Only finds the installation current");
            assertTrue(bisyncTables(c).contains("bisync_history"), bisyncTables(c).toString());
        }
    }

    @Test
    void namesTheTablesNoTableOfTheTopologyNamesAndOnlyThem() throws SQLException {
        Jdbc.exec(dataSource, "CREATE TABLE audit_log (id BIGINT NOT NULL PRIMARY KEY)");
        try (Connection c = dataSource.getConnection()) {
            maintenance(true).installTriggers(c, tables(c));

            assertEquals(List.of("audit_log"), maintenance(true).unconfiguredTables(c), "not 'customer', nor nifi-bisync's own tables");
        }
    }

    @Test
    void releasedHistoryIsKeptAndItsLaggardNamedUntilAcknowledgedThenPurged() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            maintenance(true).installTriggers(c, tables(c));
            Jdbc.exec(c, "INSERT INTO customer (id, name) VALUES (1, 'a')");
            HistoryReader history = new HistoryReader(dialect.capture());
            long captured = history.readUnreleased(c, 10).getFirst().capturedAt();
            now = captured + 10 * SECOND;
            CaptureMaintenance.Report unreleased = maintenance(true).run(c, history);
            assertEquals(1, unreleased.backlogCount());
            assertEquals(10.0, unreleased.backlogAgeSeconds(), 0.001);

            List<Long> ids = history.readUnreleased(c, 10).stream().map(HistoryRow::id).toList();
            history.release(c, ids, now, true);
            now += RETENTION + WARNING + SECOND;
            CaptureMaintenance.Report waiting = maintenance(true).run(c, history);
            assertEquals(0, waiting.backlogCount());
            assertEquals(ids.getFirst(), waiting.kept().historyId());
            assertEquals(RETENTION + WARNING + SECOND, waiting.kept().keptMicros());
            assertEquals(List.of("B"), waiting.kept().lagging(), "B has not acknowledged the released row");

            new AckLedger(dialect.capture()).acknowledge(c, "B", ids);
            CaptureMaintenance.Report purged = maintenance(true).run(c, history);
            assertNull(purged.kept().historyId(), "acknowledged and past the retention: purged");
            assertEquals(0, purged.kept().keptMicros());
            assertTrue(purged.kept().lagging().isEmpty());
        }
    }
}
