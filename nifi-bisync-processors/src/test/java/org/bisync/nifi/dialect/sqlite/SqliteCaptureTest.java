/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.FieldSettings;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.sqlite.SqliteFixture.count;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.history;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.json;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.number;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.rows;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteCaptureTest {

    private static final String CUSTOMER = "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100),"
            + " revenue DECIMAL(18,2), note TEXT)";

    private SqliteFixture db;

    @BeforeEach
    void setUp(TestInfo info) throws SQLException {
        String name = "cap_" + info.getTestMethod().orElseThrow().getName();
        db = new SqliteFixture(name.length() > 60 ? name.substring(0, 60) : name);
    }

    private SyncedTable customer(Connection c, TableSettings settings) throws SQLException {
        run(c, CUSTOMER);
        return db.install(c, settings);
    }

    private static List<String> ourTriggers(Connection c) throws SQLException {
        return rows(c, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").stream()
                .map(r -> (String) r.get("name")).toList();
    }

    private static Map<String, Object> version(Connection c, String where) throws SQLException {
        List<Map<String, Object>> rows = rows(c, "SELECT * FROM bisync_v_customer WHERE " + where);
        return rows.isEmpty() ? null : rows.get(0);
    }

    @Test
    void installTwiceKeepsOneSetOfTriggersAndUninstallLeavesUserRows() throws SQLException {
        try (Connection c = db.connect()) {
            SyncedTable table = customer(c, TableSettings.twoWay("customer"));
            run(c, db.dialect.capture().installTable(table));
            run(c, db.dialect.capture().createBisyncTables());
            assertEquals(List.of("bisync_t_customer_del", "bisync_t_customer_ins", "bisync_t_customer_upd", "bisync_t_customer_updk"),
                    ourTriggers(c));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 10.50, 'x')");
            assertEquals(1, count(c, "SELECT count(*) FROM bisync_history"));

            run(c, db.dialect.capture().uninstallTable("customer"));
            run(c, db.dialect.capture().dropBisyncTables());
            assertEquals(List.of(), ourTriggers(c));
            assertEquals(0, count(c, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'bisync%'"));
            assertEquals(List.of(Map.of("id", 1, "name", "Ann", "revenue", 10.5, "note", "x")), rows(c, "SELECT * FROM customer"));
            run(c, "INSERT INTO customer VALUES (2, 'Bob', 1, 'y')"); // no trigger left to fail on missing tables
        }
    }

    @Test
    void insertUpdateDeleteEachWriteOneHistoryRowWithVersionsAndImages() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer"));
            run(c, "INSERT INTO customer VALUES (7, 'Ann', 10.50, NULL)");
            run(c, "UPDATE customer SET name = 'Anne' WHERE id = 7");
            run(c, "DELETE FROM customer WHERE id = 7");

            List<Map<String, Object>> h = history(c);
            assertEquals(List.of("INSERT", "UPDATE", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
            Map<String, Object> ins = h.get(0);
            Map<String, Object> upd = h.get(1);
            Map<String, Object> del = h.get(2);
            assertEquals("customer", ins.get("table_name"));
            assertEquals(json("{\"id\":7}"), json(ins.get("key_data")));
            assertNull(ins.get("before_data"));
            assertEquals(json("{\"id\":7,\"name\":\"Ann\",\"revenue\":10.5,\"note\":null}").toString(), json(ins.get("after_data")).toString()
                    .replace("10.500000000000000", "10.5").replace("10.5000000000000000", "10.5"));
            assertNull(ins.get("prev_num"));
            assertNull(ins.get("prev_origin"));
            assertEquals("A", ins.get("version_origin"));
            assertEquals("A", ins.get("origin"));

            assertEquals("Ann", json(upd.get("before_data")).get("name").asText());
            assertEquals("Anne", json(upd.get("after_data")).get("name").asText());
            assertEquals(ins.get("version_num"), upd.get("prev_num"));
            assertEquals("A", upd.get("prev_origin"));
            assertTrue(number(upd.get("version_num")) > number(ins.get("version_num")));

            assertEquals("Anne", json(del.get("before_data")).get("name").asText());
            assertNull(del.get("after_data"));
            assertEquals(upd.get("version_num"), del.get("prev_num"));
            assertTrue(number(del.get("version_num")) > number(upd.get("version_num")));

            Map<String, Object> v = version(c, "id = 7");
            assertEquals(1, v.get("deleted"));
            assertEquals(del.get("version_num"), v.get("version_num"));
            assertEquals(upd.get("version_num"), v.get("prev_num"));
            long clockNow = count(c, db.dialect.capture().selectClockMicros());
            assertTrue(Math.abs(clockNow - number(ins.get("captured_at"))) < 60_000_000L, "captured_at is the clock in micros");
        }
    }

    @Test
    void updateToSameValueOrOfExcludedColumnIsNotCaptured() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer").withExcludedFields(List.of("note")));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 10.50, 'x')");
            Map<String, Object> before = version(c, "id = 1");
            run(c, "UPDATE customer SET name = 'Ann', revenue = 10.5 WHERE id = 1");
            run(c, "UPDATE customer SET note = 'changed' WHERE id = 1");
            run(c, "UPDATE customer SET name = name");
            assertEquals(1, history(c).size());
            assertEquals(before, version(c, "id = 1"));
            assertFalse(json(history(c).get(0).get("after_data")).has("note"), "excluded column is not in the image");
        }
    }

    @Test
    void keyChangingUpdateIsDeleteOfOldKeyThenInsertOfNewKey() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer"));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 1, NULL)");
            run(c, "UPDATE customer SET id = 2, name = 'Ann2' WHERE id = 1");
            List<Map<String, Object>> h = history(c);
            assertEquals(3, h.size());
            assertEquals("DELETE", h.get(1).get("operation"));
            assertEquals(json("{\"id\":1}"), json(h.get(1).get("key_data")));
            assertEquals("Ann", json(h.get(1).get("before_data")).get("name").asText());
            assertEquals(h.get(0).get("version_num"), h.get(1).get("prev_num"));
            assertEquals("INSERT", h.get(2).get("operation"));
            assertEquals(json("{\"id\":2}"), json(h.get(2).get("key_data")));
            assertEquals("Ann2", json(h.get(2).get("after_data")).get("name").asText());
            assertNull(h.get(2).get("prev_num"));
            assertEquals(1, version(c, "id = 1").get("deleted"));
            assertEquals(0, version(c, "id = 2").get("deleted"));
        }
    }

    @Test
    void writesUnderOriginMarkerAreNotCapturedAndCaptureResumesAfterCommitAndRollback() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer"));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 1, NULL)");
            Map<String, Object> v1 = version(c, "id = 1");

            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            run(c, "INSERT INTO customer VALUES (2, 'Bob', 2, NULL)", "UPDATE customer SET name = 'Annie' WHERE id = 1",
                    "INSERT INTO customer VALUES (3, 'Cy', 2, NULL)", "DELETE FROM customer WHERE id = 3");
            db.dialect.apply().clearOrigin(c);
            run(c, "UPDATE customer SET name = 'after clear' WHERE id = 2");
            c.commit();
            assertEquals(List.of("INSERT", "UPDATE"), history(c).stream().map(r -> r.get("operation")).toList());
            assertEquals(v1, version(c, "id = 1"));

            db.dialect.apply().markOrigin(c, "B");
            run(c, "UPDATE customer SET name = 'rolled back' WHERE id = 1");
            c.rollback();
            db.dialect.apply().clearOrigin(c);
            c.commit();
            c.setAutoCommit(true);
            run(c, "UPDATE customer SET name = 'user again' WHERE id = 1");
            assertEquals(3, history(c).size());
            assertEquals(0, count(c, "SELECT count(*) FROM bisync_context"));
        }
    }

    @Test
    void markerOfAnOpenApplierTransactionIsInvisibleToOtherConnections() throws SQLException {
        try (Connection applier = db.connect(); Connection reader = db.connect()) {
            customer(applier, TableSettings.twoWay("customer"));
            applier.setAutoCommit(false);
            db.dialect.apply().markOrigin(applier, "B");
            assertEquals(0, count(reader, "SELECT count(*) FROM bisync_context"));
            assertEquals(0, db.dialect.capture().clearLeftoverOriginMarker(reader));
            db.dialect.apply().clearOrigin(applier);
            applier.commit();
        }
    }

    @Test
    void markOriginRefusesAutocommit() throws SQLException {
        try (Connection c = db.connect()) {
            SQLException e = assertThrows(SQLException.class, () -> db.dialect.apply().markOrigin(c, "B"));
            assertTrue(e.getMessage().contains("autoCommit"));
            assertEquals(0, count(c, "SELECT count(*) FROM bisync_context"));
        }
    }

    @Test
    void leftoverMarkerIsClearedAndCountedAndCaptureResumes() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer"));
            // an applier that committed without clearing its marker
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            c.commit();
            c.setAutoCommit(true);
            run(c, "INSERT INTO customer VALUES (1, 'lost while marked', 1, NULL)");
            assertEquals(0, history(c).size());

            assertEquals(1, db.dialect.capture().clearLeftoverOriginMarker(c));
            assertEquals(0, db.dialect.capture().clearLeftoverOriginMarker(c));
            run(c, "INSERT INTO customer VALUES (2, 'captured', 1, NULL)");
            assertEquals(1, history(c).size());
        }
    }

    @Test
    void clearOriginAfterCommitDoesNotHoldTheWriteLock() throws SQLException {
        try (Connection applier = db.connect(); Connection user = db.connect()) {
            customer(applier, TableSettings.twoWay("customer"));
            applier.setAutoCommit(false);
            db.dialect.apply().markOrigin(applier, "B");
            db.dialect.apply().clearOrigin(applier);
            applier.commit();
            db.dialect.apply().clearOrigin(applier); // the call in finally, autoCommit still off
            try (Statement s = user.createStatement()) {
                s.execute("PRAGMA busy_timeout = 200");
                s.execute("INSERT INTO customer VALUES (1, 'user', 1, NULL)");
            }
            applier.setAutoCommit(true);
            assertEquals(1, count(user, "SELECT count(*) FROM bisync_history"));
        }
    }

    @Test
    void versionsStayMonotonicWithClockCorrectionAnHourBack() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer"));
            run(c, "INSERT INTO customer VALUES (1, 'v1', 1, NULL)");
            long v1 = number(version(c, "id = 1").get("version_num"));
            try (PreparedStatement ps = c.prepareStatement(db.dialect.capture().upsertConfigNumber())) {
                ps.setString(1, BisyncTables.CLOCK_CORRECTION);
                ps.setLong(2, -3_600_000_000L);
                ps.executeUpdate();
            }
            run(c, "UPDATE customer SET name = 'v2' WHERE id = 1");
            run(c, "UPDATE customer SET name = 'v3' WHERE id = 1");
            List<Map<String, Object>> h = history(c);
            assertEquals(v1 + 1, number(h.get(1).get("version_num")));
            assertEquals(v1 + 2, number(h.get(2).get("version_num")));
            assertEquals(v1 + 1, number(h.get(2).get("prev_num")));
            assertTrue(number(h.get(2).get("captured_at")) < v1 - 3_000_000_000L, "captured_at carries the correction");
        }
    }

    @Test
    void systemPriorityBiasShowsInTheVersionNumber() throws SQLException {
        try (Connection c = db.connect()) {
            SyncedTable table = customer(c, TableSettings.twoWay("customer").withStrategy(Strategy.SYSTEM_PRIORITY));
            assertEquals(SyncSystem.PRIORITY_STEP_MICROS, table.bias());
            long clock = count(c, db.dialect.capture().selectClockMicros());
            run(c, "INSERT INTO customer VALUES (1, 'x', 1, NULL)");
            long v = number(version(c, "id = 1").get("version_num"));
            assertTrue(v - clock >= SyncSystem.PRIORITY_STEP_MICROS && v - clock < SyncSystem.PRIORITY_STEP_MICROS + 60_000_000L);
            assertTrue(number(history(c).get(0).get("captured_at")) < SyncSystem.PRIORITY_STEP_MICROS, "captured_at has no bias");
        }
    }

    @Test
    void fieldNewestUpdateBumpsOnlyTheChangedFieldsVersion() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer").withStrategy(Strategy.FIELD_NEWEST));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 1, 'n')");
            JsonNode fv1 = json(version(c, "id = 1").get("field_versions"));
            assertEquals(List.of("name", "revenue", "note"), iterable(fv1));
            run(c, "UPDATE customer SET revenue = 2 WHERE id = 1");
            JsonNode fv2 = json(version(c, "id = 1").get("field_versions"));
            assertEquals(fv1.get("name"), fv2.get("name"));
            assertEquals(fv1.get("note"), fv2.get("note"));
            assertTrue(fv2.get("revenue").get(0).asLong() > fv1.get("revenue").get(0).asLong());
            assertEquals("A", fv2.get("revenue").get(1).asText());
            assertEquals(fv2, json(history(c).get(1).get("field_versions")), "history carries the field versions written");
            run(c, "DELETE FROM customer WHERE id = 1");
            assertEquals(fv2, json(version(c, "id = 1").get("field_versions")), "a delete keeps the field versions");
        }
    }

    @Test
    void fieldOwnerBiasAppliesOnlyToOwnedFields() throws SQLException {
        try (Connection c = db.connect()) {
            customer(c, TableSettings.twoWay("customer").withStrategy(Strategy.FIELD_OWNER)
                    .withFields(Map.of("name", new FieldSettings("A", false, Map.of()))));
            run(c, "INSERT INTO customer VALUES (1, 'Ann', 1, 'n')");
            JsonNode fv = json(version(c, "id = 1").get("field_versions"));
            assertTrue(fv.get("name").get(0).asLong() > SyncSystem.PRIORITY_STEP_MICROS);
            assertTrue(fv.get("note").get(0).asLong() < SyncSystem.PRIORITY_STEP_MICROS);
        }
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void stampMissingVersionsGivesEachRowOneVersionAndKeepsExistingOnes() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, CUSTOMER, "INSERT INTO customer VALUES (1, 'before install', 1, NULL), (2, 'b', 2, NULL)");
            SyncedTable table = db.install(c, TableSettings.twoWay("customer"));
            run(c, "UPDATE customer SET name = 'captured' WHERE id = 2");
            Map<String, Object> v2 = version(c, "id = 2");
            run(c, db.dialect.capture().stampMissingVersions(table));
            run(c, db.dialect.capture().stampMissingVersions(table));
            assertEquals(2, count(c, "SELECT count(*) FROM bisync_v_customer"));
            assertEquals(v2, version(c, "id = 2"));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(db.dialect.capture().selectSnapshot(table))) {
                assertTrue(rs.next());
                assertEquals(1L, db.dialect.types().read(rs, 1, table.columns().get(0).column()));
                assertEquals("before install", rs.getString(2));
                assertEquals("A", rs.getString(6));
                assertTrue(rs.getLong(5) > 0);
                assertTrue(rs.next());
                assertEquals(number(v2.get("version_num")), rs.getLong(5));
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void compositeKeysAreCapturedIncludingKeyChange() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE line (order_no TEXT, line_no INT, qty INT, PRIMARY KEY (order_no, line_no))");
            db.install(c, TableSettings.twoWay("line"));
            run(c, "INSERT INTO line VALUES ('o1', 1, 5)", "UPDATE line SET qty = 6 WHERE order_no = 'o1' AND line_no = 1",
                    "UPDATE line SET line_no = 2 WHERE order_no = 'o1'", "DELETE FROM line");
            List<Map<String, Object>> h = history(c);
            assertEquals(List.of("INSERT", "UPDATE", "DELETE", "INSERT", "DELETE"), h.stream().map(r -> r.get("operation")).toList());
            assertEquals(json("{\"order_no\":\"o1\",\"line_no\":1}"), json(h.get(2).get("key_data")));
            assertEquals(json("{\"order_no\":\"o1\",\"line_no\":2}"), json(h.get(3).get("key_data")));
            assertEquals(h.get(1).get("version_num"), h.get(2).get("prev_num"));
            assertEquals(2, count(c, "SELECT count(*) FROM bisync_v_line WHERE deleted = 1"));
        }
    }

    @Test
    void hostileTableAndColumnNamesAndValuesWork() throws SQLException {
        String tableName = "we\"ird; tab'le ü";
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE \"we\"\"ird; tab'le ü\" (\"k\"\"ey; ü\" TEXT PRIMARY KEY, \"va l'ue;\" TEXT, \"a.b[0]\" INT)");
            SyncedTable table = db.install(c, TableSettings.twoWay(tableName).withStrategy(Strategy.FIELD_NEWEST));
            String value = "it's \"quoted\"; DROP TABLE x; --";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"we\"\"ird; tab'le ü\" VALUES (?, ?, 1)")) {
                ps.setString(1, "k'1;");
                ps.setString(2, value);
                ps.executeUpdate();
            }
            run(c, "UPDATE \"we\"\"ird; tab'le ü\" SET \"va l'ue;\" = 'v2'");
            List<Map<String, Object>> h = history(c);
            assertEquals(tableName, h.get(0).get("table_name"));
            assertEquals("k'1;", json(h.get(0).get("key_data")).get("k\"ey; ü").asText());
            assertEquals(value, json(h.get(0).get("after_data")).get("va l'ue;").asText());
            JsonNode fv0 = json(h.get(0).get("field_versions"));
            JsonNode fv1 = json(h.get(1).get("field_versions"));
            assertEquals(fv0.get("a.b[0]"), fv1.get("a.b[0]"));
            assertTrue(fv1.get("va l'ue;").get(0).asLong() > fv0.get("va l'ue;").get(0).asLong());
            run(c, db.dialect.capture().uninstallTable(table.localName()));
            assertEquals(0, count(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"));
        }
    }

    @Test
    void tableWithMoreColumnsThanOneJsonObjectCallTakes() throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE wide (id INTEGER PRIMARY KEY");
        for (int i = 1; i <= 130; i++) {
            ddl.append(", c").append(i).append(" INT");
        }
        try (Connection c = db.connect()) {
            run(c, ddl.append(")").toString());
            db.install(c, TableSettings.twoWay("wide").withStrategy(Strategy.FIELD_NEWEST));
            run(c, "INSERT INTO wide (id, c1, c130) VALUES (1, 1, 130)", "UPDATE wide SET c130 = 131");
            JsonNode after = json(history(c).get(1).get("after_data"));
            assertEquals(131, after.size());
            assertEquals(131, after.get("c130").asInt());
            assertTrue(after.get("c77").isNull());
            assertEquals(130, json(history(c).get(0).get("field_versions")).size());
        }
    }

    /**
     * What the triggers see of REPLACE (documented in SqliteCaptureDialect): with recursive_triggers OFF (the
     * default) a replace over the same key is one INSERT, and a row removed by a conflict on another UNIQUE column is
     * not captured; with recursive_triggers ON both removals are captured as DELETEs.
     */
    @Test
    void insertOrReplaceIsCapturedAsInsertAndItsRemovalsOnlyWithRecursiveTriggers() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE member (id INTEGER NOT NULL PRIMARY KEY, email TEXT UNIQUE, name TEXT)");
            db.install(c, TableSettings.twoWay("member"));
            run(c, "INSERT INTO member VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob')");
            assertEquals(0, count(c, "PRAGMA recursive_triggers"));

            run(c, "INSERT OR REPLACE INTO member VALUES (1, 'a@x', 'Ann R')");
            run(c, "REPLACE INTO member VALUES (3, 'b@x', 'Bob moved')"); // removes row 2 through the UNIQUE email
            List<Map<String, Object>> h = history(c);
            assertEquals(List.of("INSERT", "INSERT", "INSERT", "INSERT"), h.stream().map(r -> r.get("operation")).toList());
            assertEquals(h.get(0).get("version_num"), h.get(2).get("prev_num"), "same-key replace bumps the version");
            assertEquals(0, count(c, "SELECT count(*) FROM bisync_history WHERE operation = 'DELETE'"), "row 2's removal is lost");

            run(c, "PRAGMA recursive_triggers = ON");
            run(c, "INSERT OR REPLACE INTO member VALUES (1, 'a@x', 'Ann RR')");
            run(c, "REPLACE INTO member VALUES (4, 'b@x', 'Bob again')"); // removes row 3
            List<Map<String, Object>> h2 = history(c).subList(4, history(c).size());
            assertEquals(List.of("DELETE", "INSERT", "DELETE", "INSERT"), h2.stream().map(r -> r.get("operation")).toList());
            assertEquals(json("{\"id\":1}"), json(h2.get(0).get("key_data")));
            assertEquals(json("{\"id\":3}"), json(h2.get(2).get("key_data")));
        }
    }

    @Test
    void rowsRemovedByForeignKeyCascadeAreCaptured() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY)",
                    "CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INT REFERENCES parent(id) ON DELETE CASCADE)");
            db.install(c, TableSettings.twoWay("child"));
            run(c, "INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (10, 1), (11, 1)", "DELETE FROM parent");
            assertEquals(2, count(c, "SELECT count(*) FROM bisync_history WHERE operation = 'DELETE'"));
        }
    }

    @Test
    void catalogReportsDeclaredTypesSizesRowidAndGeneratedColumns() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, amount DECIMAL(10, 2), code VARCHAR(20) NOT NULL,"
                    + " twice INT GENERATED ALWAYS AS (amount * 2) VIRTUAL, ts TIMESTAMP(3), untyped)",
                    "CREATE TABLE s (id INT PRIMARY KEY, v TEXT) WITHOUT ROWID", "CREATE VIEW w AS SELECT id, code FROM t");
            var t = db.dialect.catalog().readTable(c, "t").orElseThrow();
            assertEquals(List.of("id"), t.primaryKey());
            assertTrue(t.column("id").orElseThrow().autoIncrement());
            var amount = t.column("amount").orElseThrow();
            assertEquals("DECIMAL", amount.typeName());
            assertEquals(10, amount.size());
            assertEquals(2, amount.scale());
            assertEquals(20, t.column("code").orElseThrow().size());
            assertFalse(t.column("code").orElseThrow().nullable());
            assertTrue(t.column("twice").orElseThrow().generated());
            assertEquals(3, t.column("ts").orElseThrow().size());
            assertEquals("", t.column("untyped").orElseThrow().typeName());
            assertFalse(db.dialect.catalog().readTable(c, "s").orElseThrow().column("id").orElseThrow().autoIncrement());
            assertTrue(db.dialect.catalog().readTable(c, "w").orElseThrow().view());
            assertTrue(db.dialect.catalog().readTable(c, "nope").isEmpty());
            assertEquals(List.of("s", "t", "w"), db.dialect.catalog().listTables(c).stream().sorted().toList());
        }
    }
}
