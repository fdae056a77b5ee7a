/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.CaptureMaintenance;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.processors.TestEngine;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acknowledgement rows of a target merge into ranges at capture's maintenance, on every engine: the table stays at about
 * one row per gap in what the target acknowledged, every id keeps its status, and acknowledgements written meanwhile stay.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AckCompactionTest {

    private static final TableSettings CUSTOMER = TableSettings.twoWay("customer");
    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2),
            new SyncSystem("C", 3)), List.of(CUSTOMER), null);

    private static Dialect install(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(c);
            new TriggerInstaller(dialect).install(c, List.of(), 0);
            return dialect;
        }
    }

    private static long rows(DataSource dataSource, String target) throws SQLException {
        return Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_ack WHERE target_system = '" + target + "'");
    }

    /** Acknowledges the ids in shuffled batches of a few ids each (so rows of neighbouring ids come from different batches). */
    private static void acknowledgeScattered(AckLedger ledger, Connection c, String target, List<Long> ids, long seed) throws SQLException {
        List<Long> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(seed));
        for (int i = 0; i < shuffled.size(); i += 5) {
            ledger.acknowledge(c, target, shuffled.subList(i, Math.min(i + 5, shuffled.size())));
        }
    }

    private static List<Long> idsWithout(long first, long last, long step, long gap) {
        return LongStream.iterate(first, id -> id <= last, id -> id + step).filter(id -> id != gap).boxed().toList();
    }

    /** Fails before the merge: with one change unacknowledged, every row written after it stayed. */
    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void maintenanceLeavesAboutOneAckRowPerGapWhileAChangeStaysUnacknowledged(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("ack_compaction_maintenance");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(c);
            CaptureMaintenance maintenance = new CaptureMaintenance(dialect, TOPOLOGY, "A",
                    new CaptureMaintenance.Settings(true, false, 1, 0, 3_600_000_000L), () -> 1L << 60, () -> 1L << 60);
            maintenance.installTriggers(c, List.of(new SyncedTableResolver(dialect, TOPOLOGY).resolve(c, CUSTOMER, "A")));
            StringBuilder insert = new StringBuilder("INSERT INTO customer (id, name) VALUES ");
            for (int id = 1; id <= 400; id++) {
                insert.append(id == 1 ? "" : ", ").append('(').append(id).append(", 'n')");
            }
            Jdbc.exec(c, insert.toString());
            HistoryReader history = new HistoryReader(dialect.capture());
            List<Long> ids = history.readUnreleased(c, 1000).stream().map(HistoryRow::id).toList();
            history.release(c, ids, 1, true);
            long parked = ids.get(100); // B parked this change in a failure queue
            AckLedger ledger = new AckLedger(dialect.capture());
            acknowledgeScattered(ledger, c, "B", ids.stream().filter(id -> id != parked).toList(), 1);
            acknowledgeScattered(ledger, c, "C", ids, 2);
            List<String> laggingBefore = ledger.notAcknowledging(c, List.of("B", "C"), parked);

            maintenance.run(c, history);
            maintenance.run(c, history); // the acknowledgements below the history kept go at the run after its purge

            assertTrue(rows(dataSource, "B") <= 2, "B's acknowledgements after its one gap merged: " + rows(dataSource, "B") + " rows");
            assertEquals(1, rows(dataSource, "C"), "C acknowledged everything: the rows below B's gap are gone, the rest merged");
            assertEquals(List.of(parked), Jdbc.longs(dataSource, "SELECT MIN(id) FROM bisync_released"), "the parked change is kept");
            assertEquals(laggingBefore, ledger.notAcknowledging(c, List.of("B", "C"), parked));
            assertEquals(List.of(new Range(parked + 1, ids.getLast())), ledger.acknowledged(c, "B"), "what B acknowledged above its gap");
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void scatteredAcksAroundOneGapMergeAndEveryIdKeepsItsStatus(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("ack_compaction_scattered");
        Dialect dialect = install(dataSource);
        AckLedger ledger = new AckLedger(dialect.capture());
        try (Connection c = dataSource.getConnection()) {
            acknowledgeScattered(ledger, c, "B", idsWithout(1, 3000, 1, 1500), 3);
            ledger.acknowledge(c, "B", List.of(new Range(10, 40), new Range(2990, 3000))); // acknowledged again (a replay)
            acknowledgeScattered(ledger, c, "C", idsWithout(1, 101, 2, 51), 4); // a server at a step of two
            List<Range> before = ledger.acknowledged(c, "B");
            List<Range> beforeC = ledger.acknowledged(c, "C");
            // a batch's stepped row across the gap (ids 1400, 1600) holds ids of both sides: it stays as it is
            long acrossB = Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_ack WHERE target_system = 'B' AND first_id < 1500 AND last_id > 1500");
            long acrossC = Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_ack WHERE target_system = 'C' AND first_id < 51 AND last_id > 51");
            assertTrue(rows(dataSource, "B") > 100, rows(dataSource, "B") + " rows");

            AckCompaction compaction = new AckCompaction(dialect.capture());
            assertTrue(compaction.compact(c, "B") > 100);
            compaction.compact(c, "C");

            assertEquals(2 + acrossB, rows(dataSource, "B"), "one row each side of the gap");
            assertEquals(List.of(new Range(1, 1499), new Range(1501, 3000)), ledger.acknowledged(c, "B"));
            assertEquals(before, ledger.acknowledged(c, "B"));
            assertEquals(2 + acrossC, rows(dataSource, "C"), "stepped: one row each side of the gap, never an even id");
            assertEquals(beforeC, ledger.acknowledged(c, "C"));
            assertEquals(List.of("B", "C"), ledger.notAcknowledging(c, List.of("B", "C"), 1500));
            assertEquals(List.of(), ledger.notAcknowledging(c, List.of("B", "C"), 49));
            assertEquals(List.of("C"), ledger.notAcknowledging(c, List.of("B", "C"), 51));
            assertEquals(List.of("C"), ledger.notAcknowledging(c, List.of("B", "C"), 50));
            long merged = rows(dataSource, "B");
            assertEquals(0, compaction.compact(c, "B"), "nothing left to merge");
            assertEquals(merged, rows(dataSource, "B"));
        }
    }

    /**
     * Writers of other processors commit acknowledgements (of the compacted target and of another) after the compaction
     * read the rows and before it deletes them: nothing of theirs is lost. On PostgreSQL and MariaDB they do not wait
     * for the compaction; on SQLite (one writer at a time) they wait for its commit.
     */
    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void acknowledgementsWrittenDuringACompactionAreKept(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("ack_compaction_concurrent");
        Dialect dialect = install(dataSource);
        AckLedger ledger = new AckLedger(dialect.capture());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        CaptureDialect racing = (CaptureDialect) Proxy.newProxyInstance(CaptureDialect.class.getClassLoader(), new Class<?>[]{CaptureDialect.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("deleteAcksWithin") && writes.isEmpty()) {
                        writes.add(CompletableFuture.runAsync(() -> {
                            try (Connection writer = dataSource.getConnection()) {
                                // inside a range being merged, filling the gap, and past the rows read; and another target's
                                ledger.acknowledge(writer, "B", List.of(new Range(20, 30), new Range(500, 500), new Range(2001, 2100)));
                                ledger.acknowledge(writer, "C", List.of(new Range(1, 10)));
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }));
                        if (engine != TestEngine.SQLITE) {
                            Await.until(() -> writes.getFirst().isDone(), "the acknowledgements written beside the compaction");
                        }
                    }
                    try {
                        return method.invoke(dialect.capture(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (Connection c = dataSource.getConnection()) {
            acknowledgeScattered(ledger, c, "B", idsWithout(1, 2000, 1, 500), 5);

            new AckCompaction(racing).compact(c, "B");
            writes.getFirst().get(1, TimeUnit.MINUTES);

            assertEquals(List.of(new Range(1, 2100)), ledger.acknowledged(c, "B"), "the gap filled meanwhile and the ids past it are there");
            assertEquals(List.of(new Range(1, 10)), ledger.acknowledged(c, "C"));
            new AckCompaction(dialect.capture()).compact(c, "B");
            assertEquals(1, rows(dataSource, "B"));
            assertEquals(List.of(new Range(1, 2100)), ledger.acknowledged(c, "B"));
        }
    }
}
