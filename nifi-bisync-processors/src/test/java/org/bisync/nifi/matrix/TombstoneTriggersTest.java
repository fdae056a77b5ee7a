/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.matrix;

import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.resolve.TargetState;
import org.bisync.nifi.resolve.TargetStateReader;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On every engine, the triggers of a field-level table: a local delete leaves a tombstone that keeps the row's values
 * and ranks above every field version; a local insert over a tombstone (here one a merge measured against a delete
 * an hour ahead, as a peer with a fast clock would send) gives every field a version above the tombstone and clears
 * what the tombstone kept.
 */
class TombstoneTriggersTest {

    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(TableSettings.twoWay("kept").withStrategy(Strategy.FIELD_NEWEST)), null);
    private static final long HOUR = 3_600_000_000L;

    @ParameterizedTest
    @EnumSource(MatrixEngine.class)
    void localDeleteKeepsTheValuesAndLocalInsertRanksEveryFieldAboveTheTombstone(MatrixEngine engine) throws SQLException {
        MatrixSide side = new MatrixSide(engine, engine.freshDatabase("tombstone_" + engine.shortName), "A");
        side.exec("CREATE TABLE kept (id bigint PRIMARY KEY, name varchar(50), note varchar(50))");
        SyncedTable table = side.install(TOPOLOGY, "kept");
        side.exec("INSERT INTO kept VALUES (1, 'Ann', NULL)", "DELETE FROM kept WHERE id = 1");

        TargetState deleted = read(side, table);
        assertTrue(deleted.deleted());
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("id", 1L);
        kept.put("name", "Ann");
        kept.put("note", null);
        assertEquals(kept, deleted.row(), "the tombstone keeps the row's values, NULL included");
        assertEquals(deleted.version(), deleted.tombstone());
        for (Version field : deleted.fieldVersions().values()) {
            assertTrue(deleted.version().number() > field.number(), "the tombstone ranks above field version " + field);
        }

        long ahead = deleted.version().number() + HOUR;
        side.exec("UPDATE bisync_v_kept SET version_num = " + (ahead + 10) + ", tombstone_num = " + ahead
                + ", tombstone_origin = 'B'");
        side.exec("INSERT INTO kept VALUES (1, 'Bob', 'again')");

        TargetState revived = read(side, table);
        assertFalse(revived.deleted());
        assertNull(revived.tombstone());
        assertEquals(List.of("name", "note"), List.copyOf(revived.fieldVersions().keySet()));
        for (Version field : revived.fieldVersions().values()) {
            assertTrue(field.number() > ahead, "field version " + field + " ranks above the tombstone " + ahead);
        }
        assertTrue(revived.version().number() > ahead + 10);
        try (Connection c = side.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT kept_data, tombstone_num, tombstone_origin FROM bisync_v_kept")) {
            assertTrue(rs.next());
            assertNull(rs.getString(1), "a live row keeps nothing in its version row");
            assertNull(rs.getObject(2));
            assertNull(rs.getString(3));
        }
    }

    @ParameterizedTest
    @EnumSource(MatrixEngine.class)
    void anInstallationFromBeforeTheTombstoneColumnsGetsThemAtTheNextInstall(MatrixEngine engine) throws SQLException {
        MatrixSide side = new MatrixSide(engine, engine.freshDatabase("tombstone_upgrade_" + engine.shortName), "A");
        side.exec("CREATE TABLE kept (id bigint PRIMARY KEY, name varchar(50), note varchar(50))");
        side.install(TOPOLOGY, "kept");
        if (engine == MatrixEngine.SQLITE) {
            // SQLite refuses to drop a column a trigger names; the next install recreates them
            for (String suffix : List.of("_ins", "_upd", "_updk", "_del")) {
                side.exec("DROP TRIGGER bisync_t_kept" + suffix);
            }
        }
        for (String table : List.of("bisync_history", "bisync_released", "bisync_v_kept")) {
            side.exec("ALTER TABLE " + table + " DROP COLUMN tombstone_num", "ALTER TABLE " + table + " DROP COLUMN tombstone_origin");
        }
        side.exec("ALTER TABLE bisync_v_kept DROP COLUMN kept_data", "UPDATE bisync_installed SET ddl_hash = 'an older version'");

        SyncedTable table = side.install(TOPOLOGY, "kept");
        side.exec("INSERT INTO kept VALUES (1, 'Ann', 'x')", "DELETE FROM kept WHERE id = 1");
        assertEquals("Ann", read(side, table).row().get("name"), "the rebuilt triggers keep the deleted row's values");
        assertEquals(List.of("INSERT", "DELETE"), side.capture(table).stream().map(c -> c.operation.name()).toList());
    }

    private static TargetState read(MatrixSide side, SyncedTable table) throws SQLException {
        try (Connection c = side.connect()) {
            Map<KeyValues, TargetState> states = new TargetStateReader(side.dialect).read(c, table, List.of(Map.of("id", 1L)), false);
            return states.get(KeyValues.of(Map.of("id", 1L), List.of("id")));
        }
    }
}
