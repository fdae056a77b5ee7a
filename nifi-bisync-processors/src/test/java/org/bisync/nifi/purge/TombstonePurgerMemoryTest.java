/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target that is down holds its source's released history back. PurgeTombstones still has to look at that history
 * (a change it has not acknowledged holds a tombstone), but reads only the rows' ids and keys: the memory a purge
 * allocates does not grow with the row images kept.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TombstonePurgerMemoryTest {

    private static final int HELD_ROWS = 400;
    private static final int WIDTH = 50_000;
    private static final long HELD_BYTES = (long) HELD_ROWS * WIDTH;

    private final PostgresDialect dialect = new PostgresDialect();
    private final TableSettings wide = TableSettings.twoWay("wide");
    private final SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(wide), null);

    @Test
    void historyHeldBackForADownTargetIsScannedByKeyWithoutLoadingItsRowImages() throws Exception {
        DataSource a = install(EmbeddedDatabases.postgres("purge_memory_a"), "A");
        DataSource b = install(EmbeddedDatabases.postgres("purge_memory_b"), "B");
        try (Connection c = a.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO wide (id, body) VALUES (0, 'gone')");
            s.execute("DELETE FROM wide WHERE id = 0");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO wide (id, body) VALUES (?, ?)")) {
                for (int id = 1; id <= HELD_ROWS; id++) {
                    insert.setLong(1, id);
                    insert.setString(2, "w".repeat(WIDTH));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            // capture emitted and released all of it; B, which is down, acknowledged nothing
            HistoryReader reader = new HistoryReader(dialect.capture());
            List<Long> ids = reader.readUnreleased(c, 10_000).stream().map(HistoryRow::id).toList();
            reader.release(c, ids, System.currentTimeMillis() * 1000L, true);
        }
        TombstonePurger purger = new TombstonePurger(topology, "A", system -> (system.equals("A") ? a : b).getConnection(), 1000);
        purger.purge(wide); // warms up classes and the drivers

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        TombstonePurger.Result result = purger.purge(wide);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(1, result.tombstones());
        assertEquals(1, result.undecided(), "B has not decided the delete: the tombstone stays");
        assertEquals(0, result.purged());
        System.out.printf("purge allocated %,d bytes with %,d bytes of row images held back%n", allocated, HELD_BYTES);
        assertTrue(allocated < HELD_BYTES / 4, "a purge allocated " + allocated + " bytes while " + HELD_BYTES
                + " bytes of row images are held back: it must not load them");
    }

    private DataSource install(DataSource dataSource, String system) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : dialect.capture().createBisyncTables()) {
                s.execute(sql);
            }
            s.execute("CREATE TABLE wide (id bigint PRIMARY KEY, body text)");
            for (String sql : dialect.capture().installTable(new SyncedTableResolver(dialect, topology).resolve(c, wide, system))) {
                s.execute(sql);
            }
        }
        return dataSource;
    }
}
