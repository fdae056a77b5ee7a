/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.change.KeyCodec;
import org.bisync.nifi.change.Operation;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paged initial load called as plain Java (no NiFi), on SQLite: pages, budget, and the position kept in state. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class InitialLoadTest {

    private static final long NOW = 1_700_000_000_000_000L;
    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(TableSettings.twoWay("customer"), new TableSettings("incoming", Map.of(), Direction.ONE_WAY, "B", List.of(),
                    Strategy.LAST_WRITE_WINS, null, List.of(), List.of(), Map.of(), null, List.of())), null);

    private DataSource dataSource;
    private Dialect dialect;
    private List<SyncedTable> tables;
    private final Map<String, String> state = new HashMap<>();
    private final List<InitialLoad.Page> pages = new ArrayList<>();

    @BeforeEach
    void fiveRowsInATableOfThisSystemAndOneRowInATableThatFlowsHere() throws SQLException {
        dataSource = TestEngine.SQLITE.freshDatabase("initial_load_" + System.nanoTime());
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))",
                "CREATE TABLE incoming (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        try (Connection c = dataSource.getConnection()) {
            dialect = Dialects.forConnection(c);
            SyncedTableResolver resolver = new SyncedTableResolver(dialect, TOPOLOGY);
            tables = List.of(resolver.resolve(c, TOPOLOGY.table("customer").orElseThrow(), "A"),
                    resolver.resolve(c, TOPOLOGY.table("incoming").orElseThrow(), "A"));
            CaptureMaintenance.Settings settings = new CaptureMaintenance.Settings(true, false, 1, 0, 0);
            new CaptureMaintenance(dialect, TOPOLOGY, "A", settings, () -> NOW, () -> NOW).installTriggers(c, tables);
        }
        Jdbc.exec(dataSource, "INSERT INTO customer VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')",
                "INSERT INTO incoming VALUES (1, 'x')");
    }

    private int next(int budget, int perPage) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new InitialLoad(dialect, "A", () -> NOW).next(c, tables, state, budget, perPage, pages::add);
        }
    }

    private static String key(long id) {
        return KeyCodec.encode(List.of(id));
    }

    private List<List<Object>> ids() {
        return pages.stream().map(p -> p.changes().stream().map(c -> c.key.get("id")).toList()).toList();
    }

    @Test
    void readsPagesUpToTheBudgetAndKeepsTheLastKeyInState() throws SQLException {
        assertEquals(3, next(3, 2));

        assertEquals(List.of(List.of(1L, 2L), List.of(3L)), ids(), "pages of at most two rows, three rows in all");
        assertNull(pages.get(0).after(), "the first page starts at the table's start");
        assertEquals(key(2), pages.get(0).last());
        assertEquals(key(2), pages.get(1).after());
        assertEquals(key(3), pages.get(1).last());
        assertEquals(Map.of(InitialLoad.STATE_AFTER + "customer", key(3)), state, "the position: the last key emitted");
        assertTrue(pages.stream().allMatch(p -> p.table().canonicalName().equals("customer")), "'incoming' flows from B, not from A");
        assertEquals(Operation.SNAPSHOT, pages.get(0).changes().get(0).operation);
        assertEquals(NOW, pages.get(0).changes().get(0).capturedAt);
    }

    @Test
    void goesOnAfterThePositionInStateAndMarksTheTableDoneAtItsEnd() throws SQLException {
        state.put(InitialLoad.STATE_AFTER + "customer", key(3)); // as a run before a restart left it

        assertEquals(2, next(10, 2));

        assertEquals(List.of(List.of(4L, 5L), List.of()), ids(), "a full page, then an empty one finds the table's end");
        assertEquals(key(3), pages.get(0).after());
        assertEquals(key(5), pages.get(1).after());
        assertNull(pages.get(1).last(), "the page that reaches the table's end has no last key");
        assertEquals(Map.of(InitialLoad.STATE_DONE + "customer", "true"), state);

        pages.clear();
        assertEquals(0, next(10, 2));
        assertEquals(List.of(), pages, "a table done is not read again");
    }
}
