/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.FieldSettings;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetStateReaderTest {

    private static PgTarget pg;
    private static SyncedTable table;

    @BeforeAll
    static void setUp() throws Exception {
        pg = new PgTarget("resolve_reader");
        // field 'email' is called 'mail' in system B: the reader must give it back by its canonical name
        TableSettings settings = TableSettings.twoWay("account").withStrategy(Strategy.FIELD_NEWEST)
                .withFields(Map.of("email", new FieldSettings(null, false, Map.of("B", "mail"))));
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
        table = pg.install(topology, "account", "B",
                "CREATE TABLE account (id int PRIMARY KEY, name text, mail text, balance numeric(12,2))");
        pg.exec("INSERT INTO account VALUES (1, 'Ann', 'ann@x', 10.50), (2, 'Bob', 'bob@x', 0), (3, 'Cid', NULL, 7)");
        pg.setVersion("account", 1, 100, "A", false, "{\"name\": [100, \"A\"], \"mail\": [90, \"B\"]}");
        pg.setVersion("account", 2, 200, "B", false, null);
        pg.exec("DELETE FROM account WHERE id = 3");
        pg.setVersion("account", 3, 300, "A", true, null);
    }

    private static Map<String, Object> key(Object id) {
        return Map.of("id", id);
    }

    @Test
    void readsVersionsTombstonesAndFieldVersionsByCanonicalName() throws Exception {
        TargetStateReader reader = new TargetStateReader(pg.dialect);
        Map<KeyValues, TargetState> states;
        try (Connection connection = pg.raw.getConnection()) {
            states = reader.read(connection, table, List.of(key(1), key(2), key(3), key(4)), false);
        }
        List<String> id = List.of("id");
        TargetState one = states.get(KeyValues.of(key(1), id));
        assertEquals(new Version(100, "A"), one.version());
        assertFalse(one.deleted());
        assertEquals(Map.of("name", new Version(100, "A"), "email", new Version(90, "B")), one.fieldVersions());
        assertNull(one.row(), "rows only when asked for");
        assertEquals(new Version(200, "B"), states.get(KeyValues.of(key(2), id)).version());
        assertTrue(states.get(KeyValues.of(key(3), id)).deleted());
        assertEquals(TargetState.none(), states.get(KeyValues.of(key(4), id)), "a key the target never saw");
        assertEquals(1, reader.queries());
    }

    /**
     * ResolveConflicts only decides: its reads must neither wait on a writer nor make one wait. They used to lock the
     * version rows (FOR UPDATE), waited on every application write in progress and deadlocked with apply.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void readsTheCommittedVersionWithoutWaitingOnAWriterThatHoldsItsRow() throws Exception {
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection writer = pg.raw.getConnection()) {
            writer.setAutoCommit(false);
            try (java.sql.Statement statement = writer.createStatement()) {
                statement.execute("UPDATE account SET name = 'Bobby' WHERE id = 2"); // our trigger locks the version row too
            }
            java.util.concurrent.Future<Map<KeyValues, TargetState>> read = background.submit(() -> {
                try (Connection connection = pg.raw.getConnection()) {
                    return new TargetStateReader(pg.dialect).read(connection, table, List.of(key(2)), true);
                }
            });
            TargetState two = read.get(10, java.util.concurrent.TimeUnit.SECONDS).get(KeyValues.of(key(2), List.of("id")));
            assertEquals(new Version(200, "B"), two.version(), "the committed version, not the writer's");
            assertEquals("Bob", two.row().get("name"));
            writer.rollback();
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void readsRowsWithCanonicalNamesAndTypedValues() throws Exception {
        TargetStateReader reader = new TargetStateReader(pg.dialect);
        Map<KeyValues, TargetState> states;
        try (Connection connection = pg.raw.getConnection()) {
            states = reader.read(connection, table, List.of(key(1L), key(3)), true);
        }
        TargetState one = states.get(KeyValues.of(key(1), List.of("id")));
        assertEquals("ann@x", one.row().get("email"));
        assertEquals(new BigDecimal("10.50"), one.row().get("balance"));
        Map<String, Object> kept = new java.util.HashMap<>();
        kept.put("id", 3);
        kept.put("name", "Cid");
        kept.put("email", null);
        kept.put("balance", new BigDecimal("7.00"));
        assertEquals(kept, states.get(KeyValues.of(key(3), List.of("id"))).row(),
                "a field-level tombstone gives the values the local delete kept, by canonical name and typed");
        assertEquals(2, reader.queries(), "one query for versions, one for rows");
    }

    @Test
    void keysAreReadInOneQueryPerChunk() throws Exception {
        TargetStateReader reader = new TargetStateReader(pg.dialect, 2);
        List<Map<String, Object>> keys = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            keys.add(key(i));
        }
        keys.add(key(1)); // duplicates are read once
        try (Connection connection = pg.raw.getConnection()) {
            Map<KeyValues, TargetState> states = reader.read(connection, table, keys, false);
            assertEquals(5, states.size());
        }
        assertEquals(3, reader.queries());
    }
}
