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
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a capture run read, kept in state and released at the next run, called as plain Java (no NiFi), on SQLite. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PendingReleaseTest {

    private static final long NOW = 1_700_000_000_000_000L;
    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(TableSettings.twoWay("customer")), null);

    @Test
    void rowsThatTravelAreKeptAndRowsThatTravelNowhereDeletedAtTheNextRunOnly() throws SQLException {
        DataSource dataSource = TestEngine.SQLITE.freshDatabase("pending_release_" + System.nanoTime());
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        Map<String, String> state = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(c);
            SyncedTable customer = new SyncedTableResolver(dialect, TOPOLOGY).resolve(c, TOPOLOGY.table("customer").orElseThrow(), "A");
            CaptureMaintenance.Settings settings = new CaptureMaintenance.Settings(true, false, 1, 0, 0);
            new CaptureMaintenance(dialect, TOPOLOGY, "A", settings, () -> NOW, () -> NOW).installTriggers(c, List.of(customer));
            Jdbc.exec(c, "INSERT INTO customer VALUES (1, 'a')", "INSERT INTO customer VALUES (2, 'b')");
            HistoryReader history = new HistoryReader(dialect.capture());
            List<Long> ids = history.readUnreleased(c, 10).stream().map(HistoryRow::id).toList();
            // a run read both rows; the second one travels nowhere (as a local edit of a table that flows only from B)
            CapturePoll.Result read = new CapturePoll.Result(List.of(), List.of(), List.of(ids.get(1)), ids);

            PendingRelease.remember(state, read);
            assertTrue(PendingRelease.any(state));
            assertEquals(2, Jdbc.count(c, "SELECT count(*) FROM bisync_history"), "nothing released before the run is stored");

            PendingRelease.releasePrevious(c, history, state, NOW);

            assertEquals(0, Jdbc.count(c, "SELECT count(*) FROM bisync_history"));
            assertEquals(List.of(ids.get(0) + ", " + NOW), Jdbc.lines(c, "SELECT id, released_at FROM bisync_released"),
                    "the row that travels is kept until B acknowledges it; the other is gone");
            assertFalse(PendingRelease.any(state), "released: taken out of the state");
        }
    }
}
