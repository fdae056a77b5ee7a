/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.processors.TestEngine;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A change of a table's settings in the topology changes its trigger DDL, so the installer rebuilds the triggers. */
class TriggerInstallerTopologyChangeTest {

    private static final long Y2030 = LocalDateTime.parse("2030-01-01T00:00:00").toEpochSecond(ZoneOffset.UTC) * 1_000_000L;

    private DataSource dataSource;
    private Dialect dialect;

    private void start(TestEngine engine, String database) throws SQLException {
        dataSource = engine.freshDatabase(database);
        String timestamp = engine == TestEngine.MARIADB ? "DATETIME(6)" : "TIMESTAMP";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), last_modified " + timestamp + " NULL)");
            dialect = Dialects.forConnection(c);
        }
    }

    private SyncedTable resolve(TableSettings settings) throws SQLException {
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
        try (Connection c = dataSource.getConnection()) {
            return new SyncedTableResolver(dialect, topology).resolve(c, settings, "A");
        }
    }

    private TriggerInstaller.Status status(SyncedTable table) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new TriggerInstaller(dialect).check(c, List.of(table)).getFirst().status();
        }
    }

    private List<String> install(SyncedTable table) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new TriggerInstaller(dialect).install(c, List.of(table), 0L).stream().map(check -> check.table().localName()).toList();
        }
    }

    /** version_num and captured_at of every history row, oldest first. */
    private List<long[]> history() throws SQLException {
        List<long[]> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version_num, captured_at FROM bisync_history ORDER BY id")) {
            while (rs.next()) {
                rows.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void changingTheStrategyToSystemPriorityRebuildsTheTriggersWithTheBias(TestEngine engine) throws SQLException {
        start(engine, "installer_strategy");
        SyncedTable lastWriteWins = resolve(TableSettings.twoWay("customer"));
        assertEquals(List.of("customer"), install(lastWriteWins));
        assertEquals(TriggerInstaller.Status.CURRENT, status(lastWriteWins));
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'Ann')");
        long[] insert = history().getFirst();
        assertEquals(insert[1], insert[0], "no bias under last-write-wins");

        SyncedTable prioritized = resolve(TableSettings.twoWay("customer").withStrategy(Strategy.SYSTEM_PRIORITY));
        assertEquals(TriggerInstaller.Status.OUTDATED, status(prioritized));
        assertEquals(List.of("customer"), install(prioritized));
        assertEquals(TriggerInstaller.Status.CURRENT, status(prioritized));
        assertEquals(List.of(), install(prioritized), "nothing to do once current");

        Jdbc.exec(dataSource, "UPDATE customer SET name = 'Bea' WHERE id = 1");
        long[] update = history().get(1);
        assertEquals(update[1] + SyncSystem.PRIORITY_STEP_MICROS, update[0], "the next edit carries system A's bias");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void settingATimestampFieldRebuildsTheTriggersToTakeVersionsFromTheColumn(TestEngine engine) throws SQLException {
        start(engine, "installer_timestamp");
        SyncedTable clock = resolve(TableSettings.twoWay("customer"));
        install(clock);
        SyncedTable byColumn = resolve(new TableSettings("customer", null, Direction.TWO_WAY, null, null, Strategy.LAST_WRITE_WINS,
                "last_modified", null, null, null, null, null));
        assertEquals(TriggerInstaller.Status.OUTDATED, status(byColumn));
        assertEquals(List.of("customer"), install(byColumn));
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        assertEquals(Y2030, history().getFirst()[0]);
        assertTrue(history().getFirst()[1] < Y2030, "captured_at stays the clock");
    }

    /** An installation from before bisync_ack's step column stays current for Verify Only, and install adds the column alone. */
    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anInstallationWithoutTheAckStepColumnGetsItWithoutReinstallingItsTables(TestEngine engine) throws SQLException {
        start(engine, "installer_ack_step");
        SyncedTable table = resolve(TableSettings.twoWay("customer"));
        install(table);
        Jdbc.exec(dataSource, "ALTER TABLE bisync_ack DROP COLUMN step");
        assertEquals(TriggerInstaller.Status.CURRENT, status(table), "the new column does not outdate what is installed");
        assertEquals(List.of(), install(table), "no table reinstalled");
        try (Connection c = dataSource.getConnection()) {
            assertTrue(dialect.catalog().readTable(c, "bisync_ack").orElseThrow().column("step").isPresent(), "step column added");
        }
        assertEquals(TriggerInstaller.Status.CURRENT, status(table));
    }
}
