/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.capture.SnapshotReader;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresCaptureTest {

    private static PgFixture db;
    private SyncedTable customer;

    @BeforeAll
    static void startDatabase() {
        db = new PgFixture("pg_capture_test");
    }

    @BeforeEach
    void freshCustomerTable() throws SQLException {
        try (Connection connection = db.connect()) {
            PgFixture.run(connection, db.dialect.capture().uninstallTable("customer"));
            PgFixture.run(connection, db.dialect.capture().uninstallTable("line"));
            PgFixture.run(connection, db.dialect.capture().createBisyncTables());
            PgFixture.run(connection, List.of("DROP TABLE IF EXISTS customer", "DROP TABLE IF EXISTS line",
                    "DELETE FROM bisync_history", "DELETE FROM bisync_released", "DELETE FROM bisync_config",
                    "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(100), revenue numeric(18,2), note text)"));
        }
        customer = db.install(TableSettings.twoWay("customer").withExcludedFields(List.of("note")));
    }

    @Test
    void installTwiceKeepsOneSetOfTriggers() throws SQLException {
        db.install(TableSettings.twoWay("customer").withExcludedFields(List.of("note")));
        assertEquals(4, db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customer'::regclass AND NOT tgisinternal"));
        db.exec("INSERT INTO customer VALUES (1, 'a', 1.00, null)");
        assertEquals(1, db.history().size());
    }

    @Test
    void uninstallRemovesOurObjectsAndKeepsTheUsersRows() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'a', 1.00, null)");
        try (Connection connection = db.connect()) {
            PgFixture.run(connection, db.dialect.capture().uninstallTable("customer"));
            PgFixture.run(connection, db.dialect.capture().uninstallTable("customer"));
            PgFixture.run(connection, db.dialect.capture().dropBisyncTables());
        }
        assertEquals(0, db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'customer'::regclass AND NOT tgisinternal"));
        assertEquals(0, db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'bisync%'"), "tables, indexes, sequences");
        assertEquals(0, db.count("SELECT count(*) FROM pg_proc WHERE proname LIKE 'bisync%'"));
        assertEquals(1, db.count("SELECT count(*) FROM customer WHERE name = 'a'"));
        db.exec("INSERT INTO customer VALUES (2, 'b', 1.00, null)"); // no trigger left that needs the dropped tables
    }

    @Test
    void insertUpdateDeleteEachWriteOneHistoryRowWithVersions() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, 'x')");
        db.exec("UPDATE customer SET name = 'Bea' WHERE id = 1");
        db.exec("DELETE FROM customer WHERE id = 1");
        List<PgFixture.History> history = db.history();
        assertEquals(List.of("INSERT", "UPDATE", "DELETE"), history.stream().map(PgFixture.History::operation).toList());

        PgFixture.History insert = history.get(0);
        assertEquals("customer", insert.table());
        assertEquals(PgFixture.json("{\"id\": 1}"), insert.key());
        assertNull(insert.before());
        assertEquals(PgFixture.json("{\"id\": 1, \"name\": \"Ann\", \"revenue\": 10.50}"), insert.after());
        assertEquals("A", insert.versionOrigin());
        assertEquals("A", insert.origin());
        assertNull(insert.prev());
        assertNull(insert.prevOrigin());
        assertNotNull(insert.txId());

        PgFixture.History update = history.get(1);
        assertEquals(insert.after(), update.before());
        assertEquals("Bea", update.after().get("name").asText());
        assertEquals(insert.version(), update.prev());
        assertEquals("A", update.prevOrigin());
        assertTrue(update.version() > insert.version());

        PgFixture.History delete = history.get(2);
        assertEquals(update.after(), delete.before());
        assertNull(delete.after());
        assertEquals(update.version(), delete.prev());
        assertTrue(delete.version() > update.version());

        PgFixture.VersionRow version = db.versions(customer).get("1");
        assertTrue(version.deleted());
        assertEquals(delete.version(), version.number());
        assertEquals(update.version(), version.prev());
    }

    @Test
    void multiRowStatementsCaptureEveryRowWithItsOwnVersion() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'existing', 1, null)");
        db.exec("DELETE FROM customer WHERE id = 1");
        long tombstone = db.versions(customer).get("1").number();
        db.exec("INSERT INTO customer SELECT g, 'n' || g, g, null FROM generate_series(1, 500) g");
        db.exec("INSERT INTO customer VALUES (1, 'upserted', 2, null), (501, 'new', 3, null) "
                + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name");
        db.exec("DELETE FROM customer WHERE id > 250");
        List<PgFixture.History> history = db.history();
        assertEquals(2 + 500 + 2 + 251, history.size());
        assertEquals(500, history.subList(2, 502).stream().filter(h -> h.operation().equals("INSERT"))
                .map(h -> h.key().get("id").asLong()).distinct().count());
        PgFixture.History reinserted = history.subList(2, 502).stream().filter(h -> h.key().get("id").asLong() == 1).findFirst().orElseThrow();
        assertEquals(tombstone, reinserted.prev(), "a re-insert follows the tombstone");
        assertTrue(reinserted.version() > tombstone);
        assertEquals(List.of("INSERT", "UPDATE"), history.subList(502, 504).stream().map(PgFixture.History::operation).sorted().toList());
        assertEquals(251, history.subList(504, history.size()).stream().filter(h -> h.operation().equals("DELETE") && h.after() == null
                && h.before().get("name") != null).count());
        Map<String, PgFixture.VersionRow> versions = db.versions(customer);
        assertEquals(501, versions.size());
        assertEquals(251, versions.values().stream().filter(PgFixture.VersionRow::deleted).count());
        assertEquals("upserted", history.subList(502, 504).stream().filter(h -> h.operation().equals("UPDATE")).findFirst()
                .orElseThrow().after().get("name").asText());
    }

    @Test
    void tablesWiderThanOneJsonBuildCallAreImagedWhole() throws SQLException {
        StringBuilder columns = new StringBuilder("id int PRIMARY KEY");
        for (int i = 1; i <= 70; i++) {
            columns.append(", c").append(i).append(" int DEFAULT ").append(i);
        }
        db.exec("DROP TABLE IF EXISTS wide", "CREATE TABLE wide (" + columns + ")");
        db.install(TableSettings.twoWay("wide"));
        db.exec("INSERT INTO wide (id) VALUES (1)", "UPDATE wide SET c70 = 0");
        List<PgFixture.History> history = db.history();
        assertEquals(71, history.get(0).after().size());
        assertEquals(70, history.get(1).before().get("c70").asInt());
        assertEquals(0, history.get(1).after().get("c70").asInt());
        try (Connection connection = db.connect()) {
            PgFixture.run(connection, db.dialect.capture().uninstallTable("wide"));
        }
    }

    @Test
    void capturedAtIsTheUtcClockWhateverTheSessionTimeZone() throws SQLException {
        long before = System.currentTimeMillis() * 1000;
        db.exec("SET TimeZone = 'Pacific/Kiritimati'; INSERT INTO customer VALUES (1, 'a', 1, null)");
        long after = System.currentTimeMillis() * 1000;
        PgFixture.History insert = db.history().get(0);
        assertTrue(insert.capturedAt() >= before - 1_000_000 && insert.capturedAt() <= after + 1_000_000, "" + insert.capturedAt());
        assertEquals(insert.capturedAt(), insert.version(), "bias 0, correction 0");
    }

    @Test
    void updateToTheSameValueOrOfAnExcludedColumnIsNotCaptured() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, 'x')");
        long version = db.versions(customer).get("1").number();
        db.exec("UPDATE customer SET name = 'Ann', revenue = 10.5 WHERE id = 1");
        db.exec("UPDATE customer SET note = 'changed' WHERE id = 1");
        assertEquals(1, db.history().size());
        assertEquals(version, db.versions(customer).get("1").number());
    }

    @Test
    void keyChangingUpdateIsADeleteOfTheOldKeyAndAnInsertOfTheNew() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, 'x')");
        db.exec("UPDATE customer SET id = 2 WHERE id = 1");
        List<PgFixture.History> history = db.history();
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), history.stream().map(PgFixture.History::operation).toList());
        assertEquals(1, history.get(1).key().get("id").asInt());
        assertNull(history.get(1).after());
        assertEquals(2, history.get(2).key().get("id").asInt());
        assertNull(history.get(2).before());
        assertEquals(history.get(1).txId(), history.get(2).txId());
        Map<String, PgFixture.VersionRow> versions = db.versions(customer);
        assertTrue(versions.get("1").deleted());
        assertFalse(versions.get("2").deleted());
    }

    @Test
    void writesOfAMarkedTransactionAreNotCapturedAndCaptureResumesAfterClear() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, null)");
        PgFixture.VersionRow version = db.versions(customer).get("1");
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B");
            exec(connection, "UPDATE customer SET name = 'from B' WHERE id = 1", "INSERT INTO customer VALUES (2, 'B2', 1, null)",
                    "DELETE FROM customer WHERE id = 2");
            db.dialect.apply().clearOrigin(connection);
            exec(connection, "INSERT INTO customer VALUES (3, 'after clear', 1, null)");
            connection.commit();

            db.dialect.apply().markOrigin(connection, "B");
            exec(connection, "INSERT INTO customer VALUES (4, 'marked', 1, null)");
            connection.commit(); // the marker ends with its transaction
            exec(connection, "INSERT INTO customer VALUES (5, 'after commit', 1, null)");
            connection.commit();

            db.dialect.apply().markOrigin(connection, "B");
            connection.rollback();
            connection.setAutoCommit(true);
            exec(connection, "INSERT INTO customer VALUES (6, 'after rollback', 1, null)");
        }
        assertEquals(List.of(1L, 3L, 5L, 6L), db.history().stream().map(h -> h.key().get("id").asLong()).toList());
        assertEquals(version, db.versions(customer).get("1"));
        assertNull(db.versions(customer).get("2"));
    }

    @Test
    void markerOfOneTransactionIsInvisibleToAnotherConnection() throws SQLException {
        try (Connection applier = db.connect(); Connection user = db.connect()) {
            applier.setAutoCommit(false);
            exec(applier, "SELECT set_config('bisync.origin', 'B', true)", "INSERT INTO customer VALUES (1, 'applier', 1, null)");
            exec(user, "INSERT INTO customer VALUES (2, 'user', 1, null)");
            applier.commit();
        }
        assertEquals(List.of(2L), db.history().stream().map(h -> h.key().get("id").asLong()).toList());
    }

    @Test
    void truncateOfASyncedTableIsRefusedUnlessMarked() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, null)");
        SQLException refused = assertThrows(SQLException.class, () -> db.exec("TRUNCATE customer"));
        assertTrue(refused.getMessage().contains("TRUNCATE of synced table customer is not captured"), refused.getMessage());
        assertEquals(1, db.count("SELECT count(*) FROM customer"));
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B");
            exec(connection, "TRUNCATE customer");
            connection.commit();
        }
        assertEquals(0, db.count("SELECT count(*) FROM customer"));
    }

    @Test
    void versionsStayMonotonicWhenTheClockCorrectionGoesAnHourBack() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, null)");
        long first = db.versions(customer).get("1").number();
        setCorrection(-3_600_000_000L);
        db.exec("UPDATE customer SET name = 'Bea' WHERE id = 1");
        db.exec("UPDATE customer SET name = 'Cid' WHERE id = 1");
        List<PgFixture.History> history = db.history();
        assertEquals(first + 1, history.get(1).version());
        assertEquals(first + 2, history.get(2).version());
        assertTrue(history.get(2).capturedAt() < first - 3_000_000_000L, "captured_at carries the correction");
    }

    @Test
    void systemPriorityBiasShowsInTheVersionNumbers() throws SQLException {
        SyncedTable prioritized = db.install(TableSettings.twoWay("customer").withStrategy(Strategy.SYSTEM_PRIORITY));
        assertEquals(SyncSystem.PRIORITY_STEP_MICROS, prioritized.bias());
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, null)");
        PgFixture.History insert = db.history().get(0);
        assertEquals(insert.capturedAt() + SyncSystem.PRIORITY_STEP_MICROS, insert.version());
    }

    @Test
    void fieldVersionsBumpOnlyTheChangedColumn() throws SQLException {
        SyncedTable fields = db.install(TableSettings.twoWay("customer").withStrategy(Strategy.FIELD_NEWEST));
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, 'n')");
        PgFixture.VersionRow inserted = db.versions(fields).get("1");
        assertEquals(List.of("name", "revenue", "note"), fieldNames(inserted));
        db.exec("UPDATE customer SET revenue = 11 WHERE id = 1");
        PgFixture.VersionRow updated = db.versions(fields).get("1");
        assertEquals(inserted.fieldVersions().get("name"), updated.fieldVersions().get("name"));
        assertEquals(inserted.fieldVersions().get("note"), updated.fieldVersions().get("note"));
        assertTrue(updated.fieldVersions().get("revenue").get(0).asLong() > inserted.fieldVersions().get("revenue").get(0).asLong());
        assertEquals("A", updated.fieldVersions().get("revenue").get(1).asText());
        assertEquals(updated.fieldVersions(), db.history().get(1).fieldVersions());

        db.exec("DELETE FROM customer WHERE id = 1");
        PgFixture.VersionRow deleted = db.versions(fields).get("1");
        assertEquals(updated.fieldVersions(), deleted.fieldVersions());
        long greatestField = 0;
        for (var entry : deleted.fieldVersions().properties()) {
            greatestField = Math.max(greatestField, entry.getValue().get(0).asLong());
        }
        assertTrue(deleted.number() > greatestField, "the tombstone ranks above every field version");
    }

    @Test
    void stampingGivesEveryRowAVersionOnceAndKeepsExistingOnes() throws SQLException {
        db.exec("INSERT INTO customer VALUES (1, 'captured', 1, null)");
        long captured = db.versions(customer).get("1").number();
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B");
            exec(connection, "INSERT INTO customer SELECT g, 'old row ' || g, g, null FROM generate_series(2, 5) g");
            connection.commit();
        }
        assertEquals(1, db.versions(customer).size());
        String stamp = db.dialect.capture().stampMissingVersions(customer);
        db.exec(stamp);
        Map<String, PgFixture.VersionRow> stamped = db.versions(customer);
        db.exec(stamp);
        assertEquals(stamped, db.versions(customer));
        assertEquals(5, stamped.size());
        assertEquals(captured, stamped.get("1").number());

        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(db.dialect.capture().selectSnapshot(customer))) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                assertEquals(rows, rs.getLong(1));
                assertEquals(stamped.get(String.valueOf(rows)).number(), rs.getLong(4), "version after the synced columns");
                assertEquals("A", rs.getString(5));
                assertNull(rs.getString(6));
            }
            assertEquals(5, rows);
        }
    }

    /**
     * An application updating a row while the initial load of its table runs waits for the load instead of being
     * chosen as a deadlock victim: the load takes the users' rows before their version rows, as the triggers do. The
     * row is one the load's cursor has not reached yet when the write starts.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aWriterDuringTheInitialLoadWaitsForItInsteadOfDeadlocking() throws Exception {
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B"); // rows that exist before the sync: no version rows
            exec(connection, "INSERT INTO customer SELECT g, 'old row ' || g, g, null FROM generate_series(1, 3000) g");
            connection.commit();
        }
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Connection load = db.connect(); Connection write = db.connect(); Connection watch = db.connect()) {
            exec(load, "SET deadlock_timeout = '200ms'");
            exec(write, "SET deadlock_timeout = '200ms'");
            long writerPid = pid(write);
            List<Future<Integer>> written = new java.util.ArrayList<>();
            long rows = new SnapshotReader(db.dialect, "A").read(load, customer, 0, change -> {
                if (written.isEmpty()) {
                    written.add(writer.submit(() -> {
                        try (Statement statement = write.createStatement()) {
                            return statement.executeUpdate("UPDATE customer SET name = 'written during the load' WHERE id = 3000");
                        }
                    }));
                    awaitLockWait(watch, writerPid);
                }
            });
            assertEquals(3000, rows);
            assertEquals(1, written.get(0).get(1, TimeUnit.MINUTES), "the writer's update went through once the load committed");
        } finally {
            writer.shutdownNow();
        }
        long stamp = db.versions(customer).get("2999").number();
        assertTrue(db.versions(customer).get("3000").number() > stamp, "the write ranks above the load's stamp");
        assertEquals(1, db.history().size(), "the write was captured");
    }

    private static long pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits until the backend waits for a lock (the writer queued behind the load). */
    private static void awaitLockWait(Connection watch, long pid) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (PreparedStatement statement = watch.prepareStatement("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
            statement.setLong(1, pid);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = statement.executeQuery()) {
                    if (rs.next() && "Lock".equals(rs.getString(1))) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the writer never waited for a lock");
    }

    @Test
    void compositeKeysAreCapturedWithEveryKeyColumn() throws SQLException {
        db.exec("CREATE TABLE line (order_id int, line_no smallint, qty int, PRIMARY KEY (order_id, line_no))");
        SyncedTable line = db.install(TableSettings.twoWay("line"));
        db.exec("INSERT INTO line VALUES (7, 1, 3)", "UPDATE line SET qty = 4 WHERE order_id = 7 AND line_no = 1",
                "UPDATE line SET line_no = 2 WHERE order_id = 7", "DELETE FROM line");
        List<PgFixture.History> history = db.history();
        assertEquals(List.of("INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"), history.stream().map(PgFixture.History::operation).toList());
        assertEquals(PgFixture.json("{\"order_id\": 7, \"line_no\": 2}"), history.get(3).key());
        assertTrue(db.versions(line).get("7|1").deleted());
        assertTrue(db.versions(line).get("7|2").deleted());
    }

    @Test
    void clockStatementReadsUtcMicros() throws SQLException {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'America/Los_Angeles'");
            try (ResultSet rs = statement.executeQuery(db.dialect.capture().selectClockMicros())) {
                rs.next();
                assertTrue(Math.abs(rs.getLong(1) - System.currentTimeMillis() * 1000) < 5_000_000);
            }
        }
    }

    @Test
    void historyStatementsReadReleaseAndPurge() throws SQLException {
        db.exec("INSERT INTO customer SELECT g, 'n', 1, null FROM generate_series(1, 3) g");
        var capture = db.dialect.capture();
        try (Connection connection = db.connect()) {
            List<Long> ids = new java.util.ArrayList<>();
            try (PreparedStatement read = connection.prepareStatement(capture.selectUnreleasedHistoryAfter())) {
                read.setLong(1, Long.MIN_VALUE);
                read.setInt(2, 2);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong("id"));
                    }
                }
            }
            assertEquals(2, ids.size());
            new org.bisync.nifi.capture.HistoryReader(capture).release(connection, ids, 100, true);
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(capture.selectBacklog())) {
                rs.next();
                assertEquals(1, rs.getLong(2));
            }
            try (PreparedStatement purge = connection.prepareStatement(capture.purgeReleasedHistory())) {
                purge.setLong(1, 101);
                assertEquals(2, purge.executeUpdate());
            }
            try (PreparedStatement config = connection.prepareStatement(capture.upsertConfigNumber())) {
                config.setString(1, BisyncTables.CLOCK_CORRECTION);
                config.setLong(2, 5);
                config.executeUpdate();
                config.setLong(2, 6);
                config.executeUpdate();
            }
            try (PreparedStatement config = connection.prepareStatement(capture.selectConfigNumber())) {
                config.setString(1, BisyncTables.CLOCK_CORRECTION);
                try (ResultSet rs = config.executeQuery()) {
                    rs.next();
                    assertEquals(6, rs.getLong(1));
                }
            }
        }
    }

    @Test
    void rangeReleaseRemovesExactlyTheIdsReadAndDoesNotWaitForAnOpenTransaction() throws SQLException {
        db.exec("INSERT INTO customer SELECT g, 'n', 1, null FROM generate_series(1, 6) g");
        List<Long> all = historyIds(false);
        var reader = new org.bisync.nifi.capture.HistoryReader(db.dialect.capture());
        try (Connection open = db.connect(); Connection connection = db.connect()) {
            open.setAutoCommit(false);
            exec(open, "INSERT INTO customer VALUES (7, 'uncommitted', 1, null)"); // its history row is locked until commit
            exec(connection, "SET lock_timeout = '2s'");
            // ids 1-2 and 4 read, 3, 5 and 6 not: the ranges must not span them
            reader.release(connection, List.of(all.get(0), all.get(1), all.get(3)), 100, false);
            assertEquals(List.of(all.get(2), all.get(4), all.get(5)), historyIds(false));
            reader.release(connection, List.of(all.get(4), all.get(5)), 100, true);
            assertEquals(List.of(all.get(4), all.get(5)), historyIds(true));
            open.commit();
        }
        List<Long> unreleased = historyIds(false);
        assertEquals(2, unreleased.size(), "id 3 and the committed row's: " + unreleased);
        assertEquals(all.get(2), unreleased.get(0));
    }

    private static List<Long> historyIds(boolean released) throws SQLException {
        List<Long> ids = new java.util.ArrayList<>();
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT id FROM " + (released ? "bisync_released" : "bisync_history") + " ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static List<String> fieldNames(PgFixture.VersionRow row) {
        List<String> names = new java.util.ArrayList<>();
        row.fieldVersions().fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names, java.util.Comparator.comparing(List.of("name", "revenue", "note")::indexOf));
        return names;
    }

    private static void setCorrection(long micros) throws SQLException {
        try (Connection connection = db.connect(); PreparedStatement statement = connection.prepareStatement(db.dialect.capture().upsertConfigNumber())) {
            statement.setString(1, BisyncTables.CLOCK_CORRECTION);
            statement.setLong(2, micros);
            statement.executeUpdate();
        }
    }

    private static void exec(Connection connection, String... statements) throws SQLException {
        PgFixture.run(connection, List.of(statements));
    }

}
