/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import com.fasterxml.jackson.databind.JsonNode;
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

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.exec;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.json;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.num;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbCaptureTest {

    private static MariaDbFixture db;
    private static final TableSettings CUSTOMER = TableSettings.twoWay("customer");

    @BeforeAll
    static void start() {
        db = new MariaDbFixture("maria_capture");
    }

    @BeforeEach
    void freshTables() throws Exception {
        try (Connection c = db.connect()) {
            for (Map<String, Object> t : query(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
                exec(c, "DROP TABLE " + db.dialect.identifiers().quote((String) t.get("TABLE_NAME")));
            }
            exec(c, "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), "
                    + "revenue DECIMAL(18,2), updated_at DATETIME(6), note VARCHAR(50))");
        }
    }

    private long triggerCount(Connection c) throws Exception {
        return num(query(c, "SELECT COUNT(*) n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()").get(0).get("n"));
    }

    @Test
    void installTwiceLeavesOneSetOfTriggersAndUninstallLeavesTheUsersRows() throws Exception {
        db.install(CUSTOMER);
        SyncedTable table = db.install(CUSTOMER);
        try (Connection c = db.connect()) {
            assertEquals(3, triggerCount(c));
            exec(c, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
            assertEquals(1, db.history().size());
            exec(c, db.dialect.capture().uninstallTable(table.localName()));
            exec(c, db.dialect.capture().dropBisyncTables());
            assertEquals(0, triggerCount(c));
            List<Map<String, Object>> tables = query(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
            assertEquals(List.of("customer"), tables.stream().map(t -> t.get("TABLE_NAME")).toList());
            assertEquals("Ada", query(c, "SELECT name FROM customer WHERE id = 1").get(0).get("name"));
            exec(c, "INSERT INTO customer (id, name) VALUES (2, 'Bob')"); // no trigger left to fail the write
            // uninstalling again is harmless
            exec(c, db.dialect.capture().uninstallTable(table.localName()));
            exec(c, db.dialect.capture().dropBisyncTables());
        }
    }

    @Test
    void releaseMovesExactlyTheIdsReadAndDoesNotWaitForAnOpenTransaction() throws Exception {
        db.install(CUSTOMER);
        for (int id = 1; id <= 6; id++) {
            db.exec("INSERT INTO customer (id, name) VALUES (" + id + ", 'n')");
        }
        List<Long> all = ids("SELECT id FROM bisync_history ORDER BY id");
        var reader = new org.bisync.nifi.capture.HistoryReader(db.dialect.capture());
        try (Connection open = db.connect(); Connection c = db.connect()) {
            open.setAutoCommit(false);
            exec(open, "INSERT INTO customer (id, name) VALUES (7, 'uncommitted')"); // its history row follows the 6th, locked
            exec(c, "SET SESSION innodb_lock_wait_timeout = 2");
            reader.release(c, List.of(all.get(0), all.get(1), all.get(3)), 100, false);
            reader.release(c, List.of(all.get(4), all.get(5)), 100, true);
            reader.release(c, List.of(all.get(4), all.get(5)), 200, true); // again, as after a crash: nothing changes
            open.commit();
        }
        List<Long> unreleased = ids("SELECT id FROM bisync_history ORDER BY id");
        assertEquals(2, unreleased.size(), "the 3rd and the committed row's: " + unreleased);
        assertEquals(all.get(2), unreleased.get(0));
        assertEquals(List.of(all.get(4), all.get(5)), ids("SELECT id FROM bisync_released WHERE released_at = 100 ORDER BY id"));
        assertEquals(2, ids("SELECT id FROM bisync_released").size());
    }

    private static List<Long> ids(String sql) throws Exception {
        try (Connection c = db.connect()) {
            return query(c, sql).stream().map(r -> num(r.get("id"))).toList();
        }
    }

    @Test
    void insertUpdateDeleteEachWriteOneHistoryRowWithImagesAndVersions() throws Exception {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer VALUES (7, 'Ada', 'Tech', 12.50, '2024-01-02 03:04:05.123456', 'n')",
                "UPDATE customer SET revenue = 99.99 WHERE id = 7",
                "DELETE FROM customer WHERE id = 7");
        List<Map<String, Object>> h = db.history();
        assertEquals(List.of("INSERT", "UPDATE", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
        Map<String, Object> ins = h.get(0), upd = h.get(1), del = h.get(2);
        assertEquals(7, json(ins.get("key_data")).get("id").asLong());
        assertNull(ins.get("before_data"));
        JsonNode after = json(ins.get("after_data"));
        assertEquals("Ada", after.get("name").asText());
        assertEquals(0, new BigDecimal("12.50").compareTo(after.get("revenue").decimalValue()));
        assertEquals("2024-01-02 03:04:05.123456", after.get("updated_at").asText());
        assertNull(ins.get("prev_num"));
        assertNull(ins.get("prev_origin"));
        assertEquals("A", ins.get("version_origin"));
        assertEquals("A", ins.get("origin"));
        assertEquals(0, new BigDecimal("12.50").compareTo(json(upd.get("before_data")).get("revenue").decimalValue()));
        assertEquals(0, new BigDecimal("99.99").compareTo(json(upd.get("after_data")).get("revenue").decimalValue()));
        assertEquals(num(ins.get("version_num")), num(upd.get("prev_num")));
        assertEquals("A", upd.get("prev_origin"));
        assertTrue(num(upd.get("version_num")) > num(ins.get("version_num")));
        assertNull(del.get("after_data"));
        assertEquals("Ada", json(del.get("before_data")).get("name").asText());
        assertEquals(num(upd.get("version_num")), num(del.get("prev_num")));
        assertTrue(num(del.get("version_num")) > num(upd.get("version_num")));
        Map<String, Object> version = db.query("SELECT * FROM bisync_v_customer WHERE id = 7").get(0);
        assertEquals(num(del.get("version_num")), num(version.get("version_num")));
        assertEquals(true, version.get("deleted"));
        long clock = num(db.query(db.dialect.capture().selectClockMicros()).get(0).values().iterator().next());
        assertTrue(Math.abs(clock - num(del.get("captured_at"))) < 60_000_000L, "captured_at is the clock in UTC micros");
    }

    @Test
    void updateToSameValueOrOfOnlyAnExcludedColumnIsNotCapturedAndKeepsTheVersion() throws Exception {
        db.install(CUSTOMER.withExcludedFields(List.of("note")));
        db.exec("INSERT INTO customer (id, name, note) VALUES (1, 'Ada', 'x')");
        long before = num(db.query("SELECT version_num FROM bisync_v_customer").get(0).get("version_num"));
        db.exec("UPDATE customer SET name = 'Ada'", "UPDATE customer SET note = 'changed'", "UPDATE customer SET name = name, note = NULL");
        assertEquals(1, db.history().size());
        assertEquals(before, num(db.query("SELECT version_num FROM bisync_v_customer").get(0).get("version_num")));
        assertFalse(json(db.history().get(0).get("after_data")).has("note"), "excluded column is not in the image");
    }

    @Test
    void updateThatChangesOnlyLetterCaseOrTrailingSpaceIsCaptured() throws Exception {
        db.exec("ALTER TABLE customer MODIFY name VARCHAR(255) COLLATE utf8mb4_general_ci");
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'ada')", "UPDATE customer SET name = 'ADA'", "UPDATE customer SET name = 'ADA '");
        List<Map<String, Object>> h = db.history();
        assertEquals(3, h.size());
        assertEquals("ADA ", json(h.get(2).get("after_data")).get("name").asText());
    }

    @Test
    void keyChangingUpdateIsCapturedAsDeleteOfOldKeyThenInsertOfNewKey() throws Exception {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'Ada')", "UPDATE customer SET id = 2, name = 'Ada L' WHERE id = 1");
        List<Map<String, Object>> h = db.history();
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), h.stream().map(r -> r.get("operation")).toList());
        assertEquals(1, json(h.get(1).get("key_data")).get("id").asLong());
        assertEquals("Ada", json(h.get(1).get("before_data")).get("name").asText());
        assertEquals(2, json(h.get(2).get("key_data")).get("id").asLong());
        assertEquals("Ada L", json(h.get(2).get("after_data")).get("name").asText());
        assertNull(h.get(2).get("prev_num"));
        List<Map<String, Object>> versions = db.query("SELECT id, deleted FROM bisync_v_customer ORDER BY id");
        assertEquals(true, versions.get(0).get("deleted"));
        assertEquals(false, versions.get(1).get("deleted"));
    }

    @Test
    void writesMarkedWithTheOriginAreSkippedAndCaptureResumesAfterClearOrigin() throws Exception {
        db.install(CUSTOMER);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            exec(c, "INSERT INTO customer (id, name) VALUES (1, 'from B')", "UPDATE customer SET name = 'again' WHERE id = 1");
            db.dialect.apply().clearOrigin(c);
            c.commit();
            assertEquals(0, db.history().size());
            assertEquals(0, db.query("SELECT * FROM bisync_v_customer").size());
            exec(c, "UPDATE customer SET name = 'local' WHERE id = 1");
            c.commit();
            assertEquals(1, db.history().size());
        }
    }

    @Test
    void afterARolledBackApplyAndClearOriginTheNextLocalWriteOnTheSameConnectionIsCaptured() throws Exception {
        db.install(CUSTOMER);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            exec(c, "INSERT INTO customer (id, name) VALUES (1, 'from B')");
            c.rollback();
            assertEquals("B", query(c, "SELECT @bisync_origin o").get(0).get("o"), "the marker outlives ROLLBACK on MariaDB");
            db.dialect.apply().clearOrigin(c);
            c.setAutoCommit(true);
            exec(c, "INSERT INTO customer (id, name) VALUES (2, 'local')");
        }
        List<Map<String, Object>> h = db.history();
        assertEquals(1, h.size());
        assertEquals(2, json(h.get(0).get("key_data")).get("id").asLong());
    }

    @Test
    void versionsStayMonotonicWhenTheClockCorrectionIsSetAnHourBack() throws Exception {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')");
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(db.dialect.capture().upsertConfigNumber())) {
            ps.setString(1, BisyncTables.CLOCK_CORRECTION);
            ps.setLong(2, -3_600_000_000L);
            ps.execute();
        }
        db.exec("UPDATE customer SET name = 'b'", "UPDATE customer SET name = 'c'", "INSERT INTO customer (id, name) VALUES (2, 'x')");
        List<Map<String, Object>> h = db.history();
        assertEquals(num(h.get(0).get("version_num")) + 1, num(h.get(1).get("version_num")));
        assertEquals(num(h.get(1).get("version_num")) + 1, num(h.get(2).get("version_num")));
        assertTrue(num(h.get(3).get("version_num")) < num(h.get(0).get("version_num")) - 3_000_000_000L,
                "a new row takes the corrected clock");
        assertTrue(num(h.get(3).get("captured_at")) < num(h.get(0).get("captured_at")) - 3_000_000_000L);
    }

    @Test
    void systemPriorityBiasIsAddedToTheClock() throws Exception {
        db.install(CUSTOMER.withStrategy(Strategy.SYSTEM_PRIORITY));
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')");
        Map<String, Object> h = db.history().get(0);
        long bias = new SyncSystem("A", 1).priorityBias();
        assertEquals(bias, num(h.get("version_num")) - num(h.get("captured_at")), 1_000_000.0);
    }

    @Test
    void clockIgnoresTheSessionTimeZone() throws Exception {
        try (Connection c = db.connect()) {
            long utc = num(query(c, db.dialect.capture().selectClockMicros()).get(0).values().iterator().next());
            exec(c, "SET time_zone = '+05:00'");
            long shifted = num(query(c, db.dialect.capture().selectClockMicros()).get(0).values().iterator().next());
            assertEquals(utc, shifted, 10_000_000.0);
            assertEquals(System.currentTimeMillis() * 1000, shifted, 60_000_000.0);
        }
    }

    @Test
    void underRepeatableReadTheTriggerReadsTheCurrentVersionNotItsSnapshot() throws Exception {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')");
        try (Connection one = db.connect(); Connection two = db.connect()) {
            one.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertEquals("REPEATABLE-READ", query(one, "SELECT @@transaction_isolation i").get(0).get("i"));
            one.setAutoCommit(false);
            long seen = num(query(one, "SELECT version_num FROM bisync_v_customer WHERE id = 1").get(0).get("version_num"));
            exec(two, "SET @bisync_origin = NULL", "UPDATE customer SET name = 'b' WHERE id = 1");
            long twos = num(db.query("SELECT version_num FROM bisync_v_customer WHERE id = 1").get(0).get("version_num"));
            assertTrue(twos > seen);
            // the snapshot of connection one still shows the old version...
            assertEquals(seen, num(query(one, "SELECT version_num FROM bisync_v_customer WHERE id = 1").get(0).get("version_num")));
            exec(one, "UPDATE customer SET industry = 'x' WHERE id = 1");
            one.commit();
        }
        List<Map<String, Object>> h = db.history();
        Map<String, Object> twos = h.get(1), ones = h.get(2);
        assertEquals("b", json(twos.get("after_data")).get("name").asText());
        assertEquals("x", json(ones.get("after_data")).get("industry").asText());
        assertEquals(num(twos.get("version_num")), num(ones.get("prev_num")), "prev is connection two's version");
        assertTrue(num(ones.get("version_num")) > num(twos.get("version_num")));
        assertEquals(num(ones.get("version_num")), num(db.query("SELECT version_num FROM bisync_v_customer").get(0).get("version_num")));
    }

    @Test
    void compositeKeysAreCapturedWithBothKeyColumns() throws Exception {
        db.exec("CREATE TABLE line (order_id INT, line_no SMALLINT, qty INT, PRIMARY KEY (order_id, line_no))");
        db.install(TableSettings.twoWay("line"));
        db.exec("INSERT INTO line VALUES (1, 1, 5), (1, 2, 6)", "UPDATE line SET qty = 7 WHERE order_id = 1 AND line_no = 2",
                "UPDATE line SET line_no = 3 WHERE order_id = 1 AND line_no = 1", "DELETE FROM line WHERE line_no = 2");
        List<Map<String, Object>> h = db.history("line");
        assertEquals(List.of("INSERT", "INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
        JsonNode key = json(h.get(2).get("key_data"));
        assertEquals(1, key.get("order_id").asInt());
        assertEquals(2, key.get("line_no").asInt());
        assertEquals(num(h.get(1).get("version_num")), num(h.get(2).get("prev_num")));
        List<Map<String, Object>> versions = db.query("SELECT order_id, line_no, deleted FROM bisync_v_line ORDER BY line_no");
        assertEquals(3, versions.size());
        assertEquals(List.of(true, true, false), versions.stream().map(v -> v.get("deleted")).toList());
    }

    @Test
    void withFieldVersionsAnUpdateOfOneColumnBumpsOnlyThatColumnsFieldVersion() throws Exception {
        SyncedTable table = db.install(CUSTOMER.withStrategy(Strategy.FIELD_NEWEST));
        assertTrue(table.hasFieldVersions());
        db.exec("INSERT INTO customer (id, name, industry) VALUES (1, 'a', 'x')");
        JsonNode first = json(db.query("SELECT field_versions FROM bisync_v_customer").get(0).get("field_versions"));
        assertEquals("A", first.get("name").get(1).asText());
        assertTrue(first.has("industry") && first.has("revenue"));
        db.exec("UPDATE customer SET name = 'b'");
        JsonNode second = json(db.query("SELECT field_versions FROM bisync_v_customer").get(0).get("field_versions"));
        assertTrue(second.get("name").get(0).asLong() > first.get("name").get(0).asLong());
        assertEquals(first.get("industry"), second.get("industry"));
        assertEquals(first.get("revenue"), second.get("revenue"));
        assertEquals(second, json(db.history().get(1).get("field_versions")), "the history row carries the field versions");
        db.exec("DELETE FROM customer");
        Map<String, Object> tomb = db.query("SELECT * FROM bisync_v_customer").get(0);
        assertEquals(second, json(tomb.get("field_versions")), "a delete keeps field versions");
        assertTrue(num(tomb.get("version_num")) > second.get("name").get(0).asLong(), "the tombstone ranks above every field version");
    }

    @Test
    void eachHistoryRowCarriesTheVersionItsOwnRowGotEvenWhenOneStatementRevivesOneKeyAndCreatesAnother() throws Exception {
        db.install(CUSTOMER.withStrategy(Strategy.FIELD_NEWEST));
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')", "DELETE FROM customer WHERE id = 1");
        Map<String, Object> tomb = db.query("SELECT * FROM bisync_v_customer WHERE id = 1").get(0);
        assertEquals(json(tomb.get("field_versions")), json(db.history().get(1).get("field_versions")), "the delete's row keeps them");
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'b'), (2, 'c')");
        List<Map<String, Object>> h = db.history();
        Map<String, Object> revived = h.get(2), created = h.get(3);
        assertEquals(num(tomb.get("version_num")), num(revived.get("prev_num")));
        assertEquals("A", revived.get("prev_origin"));
        assertNull(created.get("prev_num"), "a new key has no previous version, whatever the row before it had");
        assertNull(created.get("prev_origin"));
        for (Map<String, Object> row : List.of(revived, created)) {
            long id = json(row.get("key_data")).get("id").asLong();
            Map<String, Object> version = db.query("SELECT * FROM bisync_v_customer WHERE id = " + id).get(0);
            assertEquals(num(version.get("version_num")), num(row.get("version_num")));
            assertEquals(json(version.get("field_versions")), json(row.get("field_versions")));
        }
    }

    @Test
    void stampMissingVersionsGivesEveryRowAVersionOnceAndSnapshotReadsRowsWithVersions() throws Exception {
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'old'), (2, 'old2')");
        SyncedTable table = db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (3, 'new')");
        long v3 = num(db.query("SELECT version_num FROM bisync_v_customer WHERE id = 3").get(0).get("version_num"));
        db.exec(db.dialect.capture().stampMissingVersions(table));
        List<Map<String, Object>> first = db.query("SELECT id, version_num FROM bisync_v_customer ORDER BY id");
        assertEquals(3, first.size());
        assertEquals(v3, num(first.get(2).get("version_num")));
        db.exec(db.dialect.capture().stampMissingVersions(table));
        assertEquals(first, db.query("SELECT id, version_num FROM bisync_v_customer ORDER BY id"), "stamping twice changes nothing");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(db.dialect.capture().selectSnapshot(table)); ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    Object id = db.dialect.types().read(rs, 1, table.columns().get(0).column());
                    assertEquals((long) (n + 1), id);
                    assertEquals(num(first.get(n).get("version_num")), rs.getLong(table.columns().size() + 1));
                    assertEquals("A", rs.getString(table.columns().size() + 2));
                    n++;
                }
                assertEquals(3, n);
            }
            c.commit();
        }
    }

    /**
     * Applications writing while the initial load of their table runs wait for it instead of being chosen as a deadlock
     * victim: an update of a row the load's cursor has not reached yet, and an insert of a new key.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void writersDuringTheInitialLoadWaitForItInsteadOfDeadlocking() throws Exception {
        try (Connection c = db.connect()) {
            exec(c, "INSERT INTO customer (id, name) SELECT seq, CONCAT('old row ', seq) FROM seq_1_to_3000"); // before install: no versions
        }
        SyncedTable table = db.install(CUSTOMER);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (Connection load = db.connect(); Connection update = db.connect(); Connection insert = db.connect(); Connection watch = db.connect()) {
            List<Future<Integer>> written = new ArrayList<>();
            List<Long> writerThreads = List.of(connectionId(update), connectionId(insert));
            long rows = new SnapshotReader(db.dialect, "A").read(load, table, 0, change -> {
                if (written.isEmpty()) {
                    written.add(writers.submit(() -> write(update, "UPDATE customer SET name = 'written during the load' WHERE id = 3000")));
                    written.add(writers.submit(() -> write(insert, "INSERT INTO customer (id, name) VALUES (5000, 'new during the load')")));
                    for (long writer : writerThreads) {
                        awaitLockWaitOrDone(watch, writer, written);
                    }
                }
            });
            assertEquals(3000, rows);
            for (Future<Integer> write : written) {
                assertEquals(1, write.get(1, TimeUnit.MINUTES), "the writers' statements went through");
            }
        } finally {
            writers.shutdownNow();
        }
        List<Map<String, Object>> versions = db.query("SELECT id, version_num FROM bisync_v_customer WHERE id IN (2999, 3000, 5000) ORDER BY id");
        assertEquals(3, versions.size());
        assertTrue(num(versions.get(1).get("version_num")) > num(versions.get(0).get("version_num")), "the update ranks above the load's stamp");
        assertEquals(2, db.history().size(), "both writes captured");
    }

    private static long connectionId(Connection connection) throws Exception {
        return num(query(connection, "SELECT CONNECTION_ID() id").get(0).get("id"));
    }

    private static int write(Connection connection, String sql) throws Exception {
        try (java.sql.Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    /** Waits until the writer's statement is held in the server (running for 3 polls in a row), or every write is done. */
    private static void awaitLockWaitOrDone(Connection watch, long thread, List<Future<Integer>> written) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int running = 0;
        try {
            while (System.nanoTime() < deadline) {
                if (written.stream().allMatch(Future::isDone)) {
                    return;
                }
                boolean inQuery = !query(watch, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = " + thread + " AND COMMAND = 'Query'").isEmpty();
                running = inQuery ? running + 1 : 0;
                if (running == 3) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the writer's statement never ran");
    }

    @Test
    void hostileTableAndColumnNamesAndValuesWork() throws Exception {
        String tableName = "cu`st \"o'm; ér\\";
        String column = "na`me \"x'; é\\";
        var q = db.dialect.identifiers();
        db.exec("CREATE TABLE " + q.quote(tableName) + " (" + q.quote("id'; x") + " INT PRIMARY KEY, " + q.quote(column) + " VARCHAR(50))");
        SyncedTable table = db.install(TableSettings.twoWay(tableName).withStrategy(Strategy.FIELD_NEWEST));
        String value = "it's \"quoted\"; DROP TABLE x; -- \\ 🎉";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + q.quote(tableName) + " VALUES (?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, value);
            ps.execute();
            exec(c, "UPDATE " + q.quote(tableName) + " SET " + q.quote(column) + " = 'v2'");
        }
        List<Map<String, Object>> h = db.history(tableName);
        assertEquals(2, h.size());
        assertEquals(value, json(h.get(0).get("after_data")).get(column).asText());
        assertEquals(1, json(h.get(0).get("key_data")).get("id'; x").asInt());
        assertNotNull(json(h.get(1).get("field_versions")).get(column));
        try (Connection c = db.connect()) {
            exec(c, db.dialect.capture().uninstallTable(table.localName()));
            assertEquals(0, triggerCount(c));
        }
    }
}
