/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.SnapshotReader;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.FieldSettings;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.dialect.DialectFixture.deleted;
import static org.bisync.nifi.dialect.DialectFixture.json;
import static org.bisync.nifi.dialect.DialectFixture.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the capture triggers of every engine promise (DESIGN.md: the history row, versions, the origin marker), proved
 * on the real engine; one subclass per engine adds what only that engine has. The tests share one database, reset
 * before each test, holding a table {@code customer (id, name, revenue, note)}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class CaptureContract {

    protected static final TableSettings CUSTOMER = TableSettings.twoWay("customer");
    /** The columns of {@code customer} every engine's table has (an engine may add its own). */
    private static final List<String> CONTRACT_COLUMNS = List.of("id", "name", "revenue", "note");

    protected DialectFixture db;

    protected abstract DialectFixture createFixture() throws SQLException;

    /** DDL of {@code customer}: at least id (key), name, revenue (decimal 18,2) and note. */
    protected String customerTable() {
        return "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), revenue DECIMAL(18,2), note VARCHAR(100))";
    }

    /** The names of our triggers on {@code customer}, sorted. */
    protected abstract List<String> customerTriggers();

    /** Every trigger of the database, sorted by name. */
    protected abstract List<String> triggers(Connection connection) throws SQLException;

    /** How many objects (tables, indexes, functions...) named bisync% the database holds. */
    protected abstract long bisyncObjects(Connection connection) throws SQLException;

    /**
     * SQL that runs in a transaction of its own (autocommit) and returns that transaction's id as the triggers write it
     * into {@code tx_id}; null when the triggers write none (only PostgreSQL's can read one).
     */
    protected String newTransactionId() {
        return null;
    }

    private static long txId(Map<String, Object> history) {
        return Long.parseLong(String.valueOf(history.get("tx_id")));
    }

    /** A statement changing the session's time zone far from UTC, or null when the engine has none. */
    protected abstract String setSessionTimeZone();

    /** A statement making this session give up after 2 s waiting for a row lock, or null when the engine has one writer. */
    protected abstract String shortLockWait();

    /** This session's id as {@link #heldInStatement} knows it (engines with row locks only). */
    protected long sessionId(Connection connection) throws SQLException {
        throw new UnsupportedOperationException("one writer at a time");
    }

    /** Whether the session is inside a statement waiting for a lock, seen from another connection. */
    protected boolean heldInStatement(Connection watch, long sessionId) throws SQLException {
        throw new UnsupportedOperationException("one writer at a time");
    }

    @BeforeAll
    void createDatabase() throws SQLException {
        db = createFixture();
    }

    @BeforeEach
    void freshCustomerTable() throws SQLException {
        db.reset();
        db.exec(customerTable());
    }

    protected void insertCustomers(int first, int last) throws SQLException {
        try (Connection c = db.connect()) {
            for (int id = first; id <= last; id++) {
                Jdbc.exec(c, "INSERT INTO customer (id, name, revenue) VALUES (" + id + ", 'n', 1)");
            }
        }
    }

    protected Map<String, Object> customerVersion(long id) throws SQLException {
        return db.version("customer", "id = " + id);
    }

    protected void setCorrection(long micros) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(db.dialect.capture().upsertConfigNumber())) {
            ps.setString(1, BisyncTables.CLOCK_CORRECTION);
            ps.setLong(2, micros);
            ps.executeUpdate();
        }
    }

    private List<Long> ids(String table) throws SQLException {
        return Jdbc.longs(db.dataSource(), "SELECT id FROM " + table + " ORDER BY id");
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void installTwiceKeepsOneSetOfTriggers() throws SQLException {
        db.install(CUSTOMER);
        db.install(CUSTOMER);
        db.exec(db.dialect.capture().createBisyncTables());
        try (Connection c = db.connect()) {
            assertEquals(customerTriggers(), triggers(c));
        }
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (1, 'Ann', 10.50, 'x')");
        assertEquals(1, db.history().size());
    }

    @Test
    void uninstallRemovesOurObjectsAndKeepsTheUsersRows() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (1, 'Ann', 10.50, 'x')");
        for (int twice = 0; twice < 2; twice++) { // uninstalling again is harmless
            db.exec(db.dialect.capture().uninstallTable("customer"));
            db.exec(db.dialect.capture().dropBisyncTables());
        }
        try (Connection c = db.connect()) {
            assertEquals(List.of(), triggers(c));
            assertEquals(0, bisyncObjects(c), "tables, indexes, sequences, functions");
        }
        Map<String, Object> row = db.rows("SELECT id, name, revenue, note FROM customer").get(0);
        assertEquals(1, num(row.get("id")));
        assertEquals("Ann", row.get("name"));
        assertEquals(0, new BigDecimal("10.50").compareTo(new BigDecimal(row.get("revenue").toString())));
        assertEquals("x", row.get("note"));
        assertEquals(1, db.count("SELECT count(*) FROM customer"));
        db.exec("INSERT INTO customer (id, name) VALUES (2, 'Bob')"); // no trigger left that needs the dropped tables
    }

    @Test
    void insertUpdateDeleteEachWriteOneHistoryRowWithImagesAndVersions() throws SQLException {
        db.install(CUSTOMER.withExcludedFields(List.of("note")));
        long txBefore = newTransactionId() == null ? 0 : db.count(newTransactionId());
        long clockBefore = db.clockMicros();
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (7, 'Ann', 10.50, 'x')",
                "UPDATE customer SET name = 'Anne', revenue = 99.75 WHERE id = 7", "DELETE FROM customer WHERE id = 7");
        long clockAfter = db.clockMicros();
        long txAfter = newTransactionId() == null ? 0 : db.count(newTransactionId());
        List<Map<String, Object>> h = db.history();
        assertEquals(List.of("INSERT", "UPDATE", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
        Map<String, Object> ins = h.get(0);
        Map<String, Object> upd = h.get(1);
        Map<String, Object> del = h.get(2);

        assertEquals("customer", ins.get("table_name"));
        assertEquals(json("{\"id\": 7}"), json(ins.get("key_data")));
        assertNull(ins.get("before_data"));
        JsonNode after = json(ins.get("after_data"));
        assertEquals(List.of("id", "name", "revenue"), fieldNames(after).stream().filter(CONTRACT_COLUMNS::contains).sorted().toList(),
                "the excluded note is not imaged");
        assertEquals("Ann", after.get("name").asText());
        assertEquals(0, new BigDecimal("10.50").compareTo(after.get("revenue").decimalValue()));
        assertEquals("A", ins.get("version_origin"));
        assertEquals("A", ins.get("origin"));
        assertNull(ins.get("prev_num"));
        assertNull(ins.get("prev_origin"));
        if (newTransactionId() != null) {
            // transaction ids are the server's, and any other session's write takes one too: only their order is knowable
            List<Long> ids = List.of(txId(ins), txId(upd), txId(del));
            assertTrue(txBefore < ids.get(0) && ids.get(0) < ids.get(1) && ids.get(1) < ids.get(2) && ids.get(2) < txAfter,
                    "each statement its own transaction, in order: " + txBefore + " < " + ids + " < " + txAfter);
        } else {
            assertNull(ins.get("tx_id"));
        }
        assertTrue(num(ins.get("captured_at")) >= clockBefore && num(ins.get("captured_at")) <= clockAfter,
                "captured_at is the database clock in UTC micros: " + clockBefore + " <= " + ins.get("captured_at") + " <= " + clockAfter);

        assertEquals(after, json(upd.get("before_data")));
        assertEquals("Anne", json(upd.get("after_data")).get("name").asText());
        assertEquals(0, new BigDecimal("99.75").compareTo(json(upd.get("after_data")).get("revenue").decimalValue()));
        assertEquals(num(ins.get("version_num")), num(upd.get("prev_num")));
        assertEquals("A", upd.get("prev_origin"));
        assertTrue(num(upd.get("version_num")) > num(ins.get("version_num")));

        assertEquals(json(upd.get("after_data")), json(del.get("before_data")));
        assertNull(del.get("after_data"));
        assertEquals(num(upd.get("version_num")), num(del.get("prev_num")));
        assertTrue(num(del.get("version_num")) > num(upd.get("version_num")));

        Map<String, Object> version = customerVersion(7);
        assertTrue(deleted(version));
        assertEquals(num(del.get("version_num")), num(version.get("version_num")));
        assertEquals(num(upd.get("version_num")), num(version.get("prev_num")));
    }

    @Test
    void updateToTheSameValueOrOfAnExcludedColumnIsNotCapturedAndKeepsTheVersion() throws SQLException {
        db.install(CUSTOMER.withExcludedFields(List.of("note")));
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (1, 'Ann', 10.50, 'x')");
        Map<String, Object> before = customerVersion(1);
        db.exec("UPDATE customer SET name = 'Ann', revenue = 10.5 WHERE id = 1", "UPDATE customer SET note = 'changed' WHERE id = 1",
                "UPDATE customer SET name = name", "UPDATE customer SET name = name, note = NULL");
        assertEquals(1, db.history().size());
        assertEquals(before, customerVersion(1));
        assertFalse(json(db.history().get(0).get("after_data")).has("note"), "excluded column is not in the image");
    }

    @Test
    void keyChangingUpdateIsADeleteOfTheOldKeyAndAnInsertOfTheNew() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name, revenue) VALUES (1, 'Ann', 1)", "UPDATE customer SET id = 2, name = 'Ann L' WHERE id = 1");
        List<Map<String, Object>> h = db.history();
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), h.stream().map(r -> r.get("operation")).toList());
        assertEquals(json("{\"id\": 1}"), json(h.get(1).get("key_data")));
        assertEquals("Ann", json(h.get(1).get("before_data")).get("name").asText());
        assertNull(h.get(1).get("after_data"));
        assertEquals(num(h.get(0).get("version_num")), num(h.get(1).get("prev_num")));
        assertEquals(json("{\"id\": 2}"), json(h.get(2).get("key_data")));
        assertNull(h.get(2).get("before_data"));
        assertEquals("Ann L", json(h.get(2).get("after_data")).get("name").asText());
        assertNull(h.get(2).get("prev_num"));
        if (newTransactionId() != null) {
            assertTrue(txId(h.get(1)) > txId(h.get(0)), "the update's transaction follows the insert's: " + h);
            assertEquals(h.get(1).get("tx_id"), h.get(2).get("tx_id"), "one statement, one transaction");
        }
        assertTrue(deleted(customerVersion(1)));
        assertFalse(deleted(customerVersion(2)));
    }

    @Test
    void writesOfAMarkedTransactionAreNotCapturedAndCaptureResumesAfterClearOrigin() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name, revenue) VALUES (1, 'Ann', 1)");
        Map<String, Object> localVersion = customerVersion(1);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            Jdbc.exec(c, "UPDATE customer SET name = 'from B' WHERE id = 1", "INSERT INTO customer (id, name) VALUES (2, 'B2')",
                    "DELETE FROM customer WHERE id = 2", "INSERT INTO customer (id, name) VALUES (3, 'B3')");
            db.dialect.apply().clearOrigin(c);
            Jdbc.exec(c, "UPDATE customer SET name = 'after clear' WHERE id = 3");
            c.commit();
            c.setAutoCommit(true);
        }
        List<Map<String, Object>> h = db.history();
        assertEquals(List.of("INSERT", "UPDATE"), h.stream().map(r -> r.get("operation")).toList());
        assertEquals(List.of(1L, 3L), h.stream().map(r -> json(r.get("key_data")).get("id").asLong()).toList());
        assertEquals(localVersion, customerVersion(1), "the applier's write leaves the version alone");
        assertNull(customerVersion(2));
    }

    @Test
    void versionsStayMonotonicWhenTheClockCorrectionGoesAnHourBack() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'v1')");
        long first = num(customerVersion(1).get("version_num"));
        setCorrection(-3_600_000_000L);
        db.exec("UPDATE customer SET name = 'v2' WHERE id = 1", "UPDATE customer SET name = 'v3' WHERE id = 1",
                "INSERT INTO customer (id, name) VALUES (2, 'x')");
        List<Map<String, Object>> h = db.history();
        assertEquals(first + 1, num(h.get(1).get("version_num")));
        assertEquals(first + 2, num(h.get(2).get("version_num")));
        assertEquals(first + 1, num(h.get(2).get("prev_num")));
        assertTrue(num(h.get(2).get("captured_at")) < first - 3_000_000_000L, "captured_at carries the correction");
        assertTrue(num(h.get(3).get("version_num")) < first - 3_000_000_000L, "a new row takes the corrected clock");
        assertTrue(num(h.get(3).get("captured_at")) < num(h.get(0).get("captured_at")) - 3_000_000_000L);
    }

    @Test
    void systemPriorityBiasShowsInTheVersionNumbers() throws SQLException {
        SyncedTable table = db.install(CUSTOMER.withStrategy(Strategy.SYSTEM_PRIORITY));
        assertEquals(SyncSystem.PRIORITY_STEP_MICROS, table.bias());
        assertEquals(SyncSystem.PRIORITY_STEP_MICROS, new SyncSystem("A", 1).priorityBias());
        long clock = db.clockMicros();
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')");
        Map<String, Object> insert = db.history().get(0);
        long version = num(insert.get("version_num"));
        assertEquals(version, num(customerVersion(1).get("version_num")));
        assertEquals(SyncSystem.PRIORITY_STEP_MICROS, version - num(insert.get("captured_at")), "bias 0 + correction 0 + priority");
        assertTrue(version - clock >= SyncSystem.PRIORITY_STEP_MICROS && version - clock < SyncSystem.PRIORITY_STEP_MICROS + 60_000_000L);
        assertTrue(num(insert.get("captured_at")) < SyncSystem.PRIORITY_STEP_MICROS, "captured_at has no bias");
    }

    @Test
    void fieldVersionsBumpOnlyTheChangedColumnAndADeleteKeepsThem() throws SQLException {
        SyncedTable table = db.install(CUSTOMER.withStrategy(Strategy.FIELD_NEWEST));
        assertTrue(table.hasFieldVersions());
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (1, 'Ann', 10.50, 'n')");
        JsonNode inserted = json(customerVersion(1).get("field_versions"));
        assertTrue(fieldNames(inserted).containsAll(List.of("name", "revenue", "note")), fieldNames(inserted).toString());
        assertEquals("A", inserted.get("name").get(1).asText());
        db.exec("UPDATE customer SET revenue = 11 WHERE id = 1");
        JsonNode updated = json(customerVersion(1).get("field_versions"));
        assertEquals(inserted.get("name"), updated.get("name"));
        assertEquals(inserted.get("note"), updated.get("note"));
        assertTrue(updated.get("revenue").get(0).asLong() > inserted.get("revenue").get(0).asLong());
        assertEquals("A", updated.get("revenue").get(1).asText());
        assertEquals(updated, json(db.history().get(1).get("field_versions")), "the history row carries the field versions written");

        db.exec("DELETE FROM customer WHERE id = 1");
        Map<String, Object> tombstone = customerVersion(1);
        assertEquals(updated, json(tombstone.get("field_versions")), "a delete keeps the field versions");
        long greatestField = 0;
        for (var entry : updated.properties()) {
            greatestField = Math.max(greatestField, entry.getValue().get(0).asLong());
        }
        assertTrue(num(tombstone.get("version_num")) > greatestField, "the tombstone ranks above every field version");
    }

    @Test
    void fieldOwnerBiasAppliesOnlyToOwnedFields() throws SQLException {
        db.install(CUSTOMER.withStrategy(Strategy.FIELD_OWNER).withFields(Map.of("name", new FieldSettings("A", false, Map.of()))));
        db.exec("INSERT INTO customer (id, name, revenue, note) VALUES (1, 'Ann', 1, 'n')");
        JsonNode fieldVersions = json(customerVersion(1).get("field_versions"));
        assertTrue(fieldVersions.get("name").get(0).asLong() > SyncSystem.PRIORITY_STEP_MICROS);
        assertTrue(fieldVersions.get("note").get(0).asLong() < SyncSystem.PRIORITY_STEP_MICROS);
    }

    @Test
    void eachHistoryRowCarriesTheVersionItsOwnRowGotEvenWhenOneStatementRevivesOneKeyAndCreatesAnother() throws SQLException {
        db.install(CUSTOMER.withStrategy(Strategy.FIELD_NEWEST));
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')", "DELETE FROM customer WHERE id = 1");
        Map<String, Object> tombstone = customerVersion(1);
        assertEquals(json(tombstone.get("field_versions")), json(db.history().get(1).get("field_versions")), "the delete's row keeps them");
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'b'), (2, 'c')");
        List<Map<String, Object>> h = db.history();
        Map<String, Object> revived = h.get(2);
        Map<String, Object> created = h.get(3);
        assertEquals(num(tombstone.get("version_num")), num(revived.get("prev_num")), "a re-insert follows the tombstone");
        assertTrue(num(revived.get("version_num")) > num(tombstone.get("version_num")));
        assertEquals("A", revived.get("prev_origin"));
        assertNull(created.get("prev_num"), "a new key has no previous version, whatever the row before it had");
        assertNull(created.get("prev_origin"));
        for (Map<String, Object> row : List.of(revived, created)) {
            Map<String, Object> version = customerVersion(json(row.get("key_data")).get("id").asLong());
            assertEquals(num(version.get("version_num")), num(row.get("version_num")));
            assertEquals(json(version.get("field_versions")), json(row.get("field_versions")));
        }
    }

    @Test
    void stampingGivesEveryRowAVersionOnceKeepsExistingOnesAndTheSnapshotReadsThem() throws SQLException {
        db.exec("INSERT INTO customer (id, name, revenue) VALUES (1, 'before install', 1), (2, 'old2', 2)");
        SyncedTable table = db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name, revenue) VALUES (3, 'captured', 3)");
        long captured = num(customerVersion(3).get("version_num"));
        try (Connection c = db.connect()) { // rows written by an applier before install have no version either
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            Jdbc.exec(c, "INSERT INTO customer (id, name, revenue) VALUES (4, 'applied', 4)");
            db.dialect.apply().clearOrigin(c);
            c.commit();
            c.setAutoCommit(true);
        }
        assertEquals(1, db.versions("customer").size());
        db.exec(db.dialect.capture().stampMissingVersions(table));
        String byId = "SELECT id, version_num, version_origin FROM " + db.quote("bisync_v_customer") + " ORDER BY id";
        List<Map<String, Object>> stamped = db.rows(byId);
        db.exec(db.dialect.capture().stampMissingVersions(table));
        assertEquals(stamped, db.rows(byId), "stamping twice changes nothing");
        assertEquals(4, stamped.size());
        assertEquals(captured, num(stamped.get(2).get("version_num")));

        int keyColumns = table.columns().size();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(db.dialect.capture().selectSnapshot(table))) {
                int n = 0;
                while (rs.next()) {
                    assertEquals((long) (n + 1), num(db.dialect.types().read(rs, 1, table.columns().get(0).column())));
                    if (n == 0) {
                        assertEquals("before install", rs.getString(2));
                    }
                    assertEquals(num(stamped.get(n).get("version_num")), rs.getLong(keyColumns + 1), "version after the synced columns");
                    assertEquals("A", rs.getString(keyColumns + 2));
                    assertNull(rs.getString(keyColumns + 3));
                    n++;
                }
                assertEquals(4, n);
            }
            c.commit();
        }
    }

    @Test
    void compositeKeysAreCapturedWithEveryKeyColumn() throws SQLException {
        db.exec("CREATE TABLE line (order_id INT NOT NULL, line_no SMALLINT NOT NULL, qty INT, PRIMARY KEY (order_id, line_no))");
        db.install(TableSettings.twoWay("line"));
        db.exec("INSERT INTO line VALUES (7, 1, 3)", "UPDATE line SET qty = 4 WHERE order_id = 7 AND line_no = 1",
                "UPDATE line SET line_no = 2 WHERE order_id = 7", "DELETE FROM line");
        List<Map<String, Object>> h = db.history("line");
        assertEquals(List.of("INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
        assertEquals(json("{\"order_id\": 7, \"line_no\": 1}"), json(h.get(2).get("key_data")));
        assertEquals(json("{\"order_id\": 7, \"line_no\": 2}"), json(h.get(3).get("key_data")));
        assertEquals(num(h.get(1).get("version_num")), num(h.get(2).get("prev_num")));
        assertTrue(deleted(db.version("line", "order_id = 7 AND line_no = 1")));
        assertTrue(deleted(db.version("line", "order_id = 7 AND line_no = 2")));
    }

    @Test
    void compositeKeyRowsEachKeepTheirOwnVersion() throws SQLException {
        db.exec("CREATE TABLE line (order_id INT NOT NULL, line_no SMALLINT NOT NULL, qty INT, PRIMARY KEY (order_id, line_no))");
        db.install(TableSettings.twoWay("line"));
        db.exec("INSERT INTO line VALUES (1, 1, 5), (1, 2, 6)", "UPDATE line SET qty = 7 WHERE order_id = 1 AND line_no = 2",
                "UPDATE line SET line_no = 3 WHERE order_id = 1 AND line_no = 1", "DELETE FROM line WHERE line_no = 2");
        List<Map<String, Object>> h = db.history("line");
        assertEquals(List.of("INSERT", "INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
        JsonNode key = json(h.get(2).get("key_data"));
        assertEquals(1, key.get("order_id").asInt());
        assertEquals(2, key.get("line_no").asInt());
        assertEquals(num(h.get(1).get("version_num")), num(h.get(2).get("prev_num")));
        List<Map<String, Object>> versions = db.rows("SELECT order_id, line_no, deleted FROM bisync_v_line ORDER BY line_no");
        assertEquals(3, versions.size());
        assertEquals(List.of(true, true, false), versions.stream().map(DialectFixture::deleted).toList());
    }

    @Test
    void hostileTableAndColumnNamesAndValuesWork() throws SQLException {
        String tableName = "cu`st \"o'm; \u00e9r\\";
        String column = "na`me \"x'; \u00e9\\";
        String dotted = "a.b[0]";
        db.exec("CREATE TABLE " + db.quote(tableName) + " (" + db.quote("id'; x") + " INT NOT NULL PRIMARY KEY, " + db.quote(column)
                + " VARCHAR(50), " + db.quote(dotted) + " INT)");
        SyncedTable table = db.install(TableSettings.twoWay(tableName).withStrategy(Strategy.FIELD_NEWEST));
        String value = "it's \"quoted\"; DROP TABLE x; -- \\ \uD83C\uDF89";
        try (Connection c = db.connect()) {
            Jdbc.update(c, "INSERT INTO " + db.quote(tableName) + " VALUES (?, ?, 1)", 1, value);
            Jdbc.exec(c, "UPDATE " + db.quote(tableName) + " SET " + db.quote(column) + " = 'v2'");
        }
        List<Map<String, Object>> h = db.history(tableName);
        assertEquals(2, h.size());
        assertEquals(tableName, h.get(0).get("table_name"));
        assertEquals(1, json(h.get(0).get("key_data")).get("id'; x").asInt());
        assertEquals(value, json(h.get(0).get("after_data")).get(column).asText());
        JsonNode first = json(h.get(0).get("field_versions"));
        JsonNode second = json(h.get(1).get("field_versions"));
        assertEquals(first.get(dotted), second.get(dotted));
        assertTrue(second.get(column).get(0).asLong() > first.get(column).get(0).asLong());
        db.exec(db.dialect.capture().uninstallTable(table.localName()));
        try (Connection c = db.connect()) {
            assertEquals(List.of(), triggers(c));
        }
    }

    @Test
    void tablesWiderThanOneJsonObjectCallAreImagedWhole() throws SQLException {
        StringBuilder columns = new StringBuilder("id INT NOT NULL PRIMARY KEY");
        for (int i = 1; i <= 130; i++) {
            columns.append(", c").append(i).append(" INT").append(i <= 70 ? " DEFAULT " + i : "");
        }
        db.exec("CREATE TABLE wide (" + columns + ")");
        db.install(TableSettings.twoWay("wide").withStrategy(Strategy.FIELD_NEWEST));
        db.exec("INSERT INTO wide (id, c1, c130) VALUES (1, 1, 130)", "UPDATE wide SET c70 = 0, c130 = 131");
        List<Map<String, Object>> h = db.history();
        assertEquals(131, json(h.get(0).get("after_data")).size());
        assertEquals(130, json(h.get(0).get("field_versions")).size());
        JsonNode before = json(h.get(1).get("before_data"));
        JsonNode after = json(h.get(1).get("after_data"));
        assertEquals(131, after.size());
        assertEquals(70, before.get("c70").asInt());
        assertEquals(0, after.get("c70").asInt());
        assertEquals(131, after.get("c130").asInt());
        assertTrue(after.get("c77").isNull());
    }

    @Test
    void clockReadsUtcMicrosWhateverTheSessionTimeZone() throws SQLException {
        try (Connection c = db.connect()) {
            long utc = Jdbc.count(c, db.dialect.capture().selectClockMicros());
            if (setSessionTimeZone() != null) {
                Jdbc.exec(c, setSessionTimeZone());
            }
            long shifted = Jdbc.count(c, db.dialect.capture().selectClockMicros());
            assertEquals(utc, shifted, 10_000_000.0);
            assertEquals(System.currentTimeMillis() * 1000, shifted, 5_000_000.0);
        }
    }

    @Test
    void historyStatementsReadReleaseAndPurge() throws SQLException {
        db.install(CUSTOMER);
        insertCustomers(1, 3);
        CaptureDialect capture = db.dialect.capture();
        try (Connection c = db.connect()) {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement read = c.prepareStatement(capture.selectUnreleasedHistoryAfter())) {
                read.setLong(1, Long.MIN_VALUE);
                read.setInt(2, 2);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong("id"));
                    }
                }
            }
            assertEquals(2, ids.size());
            new HistoryReader(capture).release(c, ids, 100, true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(capture.selectBacklog())) {
                assertTrue(rs.next());
                assertEquals(1, rs.getLong(2));
            }
            try (PreparedStatement purge = c.prepareStatement(capture.purgeReleasedHistory())) {
                purge.setLong(1, 101);
                assertEquals(2, purge.executeUpdate());
            }
            try (PreparedStatement config = c.prepareStatement(capture.upsertConfigNumber())) {
                config.setString(1, BisyncTables.CLOCK_CORRECTION);
                config.setLong(2, 5);
                config.executeUpdate();
                config.setLong(2, 6);
                config.executeUpdate();
            }
            try (PreparedStatement config = c.prepareStatement(capture.selectConfigNumber())) {
                config.setString(1, BisyncTables.CLOCK_CORRECTION);
                try (ResultSet rs = config.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(6, rs.getLong(1));
                }
            }
        }
    }

    /**
     * Applications writing while the initial load of their table runs wait for it instead of being chosen as a deadlock
     * victim: the load takes the users' rows before their version rows, as the triggers do. One updates a row the
     * load's cursor has not reached yet when the write starts, the other inserts a new key.
     */
    @Test
    void writersDuringTheInitialLoadWaitForItInsteadOfDeadlocking() throws Exception {
        assumeTrue(shortLockWait() != null, "one writer at a time: a write waits for the load's transaction whatever it does");
        StringBuilder existing = new StringBuilder("INSERT INTO customer (id, name, revenue) VALUES ");
        for (int id = 1; id <= 3000; id++) {
            existing.append(id == 1 ? "" : ", ").append("(").append(id).append(", 'old row', 1)");
        }
        db.exec(existing.toString()); // before install: rows without version rows, as when a sync starts on them
        SyncedTable table = db.install(CUSTOMER);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (Connection load = db.connect(); Connection update = db.connect(); Connection insert = db.connect(); Connection watch = db.connect()) {
            List<Long> sessions = List.of(sessionId(update), sessionId(insert));
            List<Future<Integer>> written = new ArrayList<>();
            long rows = new SnapshotReader(db.dialect, "A").read(load, table, 0, change -> {
                if (written.isEmpty()) {
                    written.add(writers.submit(() -> Jdbc.update(update, "UPDATE customer SET name = 'written during the load' WHERE id = 3000")));
                    written.add(writers.submit(() -> Jdbc.update(insert, "INSERT INTO customer (id, name) VALUES (5000, 'new during the load')")));
                    for (int i = 0; i < sessions.size(); i++) {
                        awaitHeldOrDone(watch, sessions.get(i), written.get(i));
                    }
                }
            });
            assertEquals(3000, rows);
            for (Future<Integer> write : written) {
                assertEquals(1, write.get(1, TimeUnit.MINUTES), "each writer's statement went through once the load committed");
            }
        } finally {
            writers.shutdownNow();
        }
        assertTrue(num(customerVersion(3000).get("version_num")) > num(customerVersion(2999).get("version_num")),
                "the update ranks above the load's stamp");
        assertEquals(2, db.history().size(), "both writes captured");
    }

    /**
     * Waits until the session waits on a lock inside its statement, or its write is done. Polled every 200 ms: MariaDB
     * refreshes INNODB_TRX only when it was not read for 100 ms.
     */
    private void awaitHeldOrDone(Connection watch, long session, Future<Integer> write) {
        Await.until(() -> write.isDone() || heldInStatement(watch, session), "session " + session + " waits on a lock or its write is done",
                () -> "", 200);
    }

    @Test
    void releaseMovesExactlyTheIdsReadAndDoesNotWaitForAnOpenTransaction() throws SQLException {
        assumeTrue(shortLockWait() != null, "one writer at a time: an open transaction blocks every other write");
        db.install(CUSTOMER);
        insertCustomers(1, 6);
        List<Long> all = ids("bisync_history");
        HistoryReader reader = new HistoryReader(db.dialect.capture());
        try (Connection open = db.connect(); Connection c = db.connect()) {
            open.setAutoCommit(false);
            Jdbc.exec(open, "INSERT INTO customer (id, name) VALUES (7, 'uncommitted')"); // its history row is locked until commit
            Jdbc.exec(c, shortLockWait());
            // ids 1-2 and 4 read, 3, 5 and 6 not: the ranges must not span them
            reader.release(c, List.of(all.get(0), all.get(1), all.get(3)), 100, false);
            assertEquals(List.of(all.get(2), all.get(4), all.get(5)), ids("bisync_history"));
            reader.release(c, List.of(all.get(4), all.get(5)), 100, true);
            assertEquals(List.of(all.get(4), all.get(5)), ids("bisync_released"));
            reader.release(c, List.of(all.get(4), all.get(5)), 200, true); // again, as after a crash: nothing changes
            open.commit();
        }
        List<Long> unreleased = ids("bisync_history");
        assertEquals(2, unreleased.size(), "the 3rd and the committed row's: " + unreleased);
        assertEquals(all.get(2), unreleased.get(0));
        assertEquals(List.of(all.get(4), all.get(5)), Jdbc.longs(db.dataSource(), "SELECT id FROM bisync_released WHERE released_at = 100 ORDER BY id"));
        assertEquals(2, ids("bisync_released").size());
    }
}
