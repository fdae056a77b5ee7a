/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.CaptureContract;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.DialectFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteCaptureTest extends CaptureContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new SqliteDialect(), EngineFixture.start("SQLite", "sqlite_capture"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100), revenue DECIMAL(18,2), note TEXT)";
    }

    @Override
    protected List<String> customerTriggers() {
        return List.of("bisync_t_customer_del", "bisync_t_customer_ins", "bisync_t_customer_upd", "bisync_t_customer_updk");
    }

    @Override
    protected List<String> triggers(Connection connection) throws SQLException {
        return Jdbc.rows(connection, "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").stream()
                .map(r -> (String) r.get("name")).toList();
    }

    @Override
    protected long bisyncObjects(Connection connection) throws SQLException {
        return Jdbc.count(connection, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'bisync%'");
    }

    @Override
    protected String setSessionTimeZone() {
        return null;
    }

    @Override
    protected String shortLockWait() {
        return null;
    }

    private void installCustomer() throws SQLException {
        db.install(CUSTOMER);
    }

    @Test
    void aMarkerRolledBackAndClearedLeavesNoContextRowAndCaptureResumes() throws SQLException {
        installCustomer();
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "INSERT INTO customer VALUES (1, 'Ann', 1, NULL)");
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            Jdbc.exec(c, "UPDATE customer SET name = 'rolled back' WHERE id = 1");
            c.rollback();
            db.dialect.apply().clearOrigin(c);
            c.commit();
            c.setAutoCommit(true);
            Jdbc.exec(c, "UPDATE customer SET name = 'user again' WHERE id = 1");
            assertEquals(2, db.history().size());
            assertEquals(0, Jdbc.count(c, "SELECT count(*) FROM bisync_context"));
        }
    }

    @Test
    void markerOfAnOpenApplierTransactionIsInvisibleToOtherConnections() throws SQLException {
        try (Connection applier = db.connect(); Connection reader = db.connect()) {
            installCustomer();
            applier.setAutoCommit(false);
            db.dialect.apply().markOrigin(applier, "B");
            assertEquals(0, Jdbc.count(reader, "SELECT count(*) FROM bisync_context"));
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
            assertEquals(0, Jdbc.count(c, "SELECT count(*) FROM bisync_context"));
        }
    }

    @Test
    void leftoverMarkerIsClearedAndCountedAndCaptureResumes() throws SQLException {
        try (Connection c = db.connect()) {
            installCustomer();
            // an applier that committed without clearing its marker
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            c.commit();
            c.setAutoCommit(true);
            Jdbc.exec(c, "INSERT INTO customer VALUES (1, 'lost while marked', 1, NULL)");
            assertEquals(0, db.history().size());

            assertEquals(1, db.dialect.capture().clearLeftoverOriginMarker(c));
            assertEquals(0, db.dialect.capture().clearLeftoverOriginMarker(c));
            Jdbc.exec(c, "INSERT INTO customer VALUES (2, 'captured', 1, NULL)");
            assertEquals(1, db.history().size());
        }
    }

    @Test
    void clearOriginAfterCommitDoesNotHoldTheWriteLock() throws SQLException {
        try (Connection applier = db.connect(); Connection user = db.connect()) {
            installCustomer();
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
            assertEquals(1, Jdbc.count(user, "SELECT count(*) FROM bisync_history"));
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
            Jdbc.exec(c, "CREATE TABLE member (id INTEGER NOT NULL PRIMARY KEY, email TEXT UNIQUE, name TEXT)");
            db.install(TableSettings.twoWay("member"));
            Jdbc.exec(c, "INSERT INTO member VALUES (1, 'a@x', 'Ann'), (2, 'b@x', 'Bob')");
            assertEquals(0, Jdbc.count(c, "PRAGMA recursive_triggers"));

            Jdbc.exec(c, "INSERT OR REPLACE INTO member VALUES (1, 'a@x', 'Ann R')");
            Jdbc.exec(c, "REPLACE INTO member VALUES (3, 'b@x', 'Bob moved')"); // removes row 2 through the UNIQUE email
            List<Map<String, Object>> h = db.history();
            assertEquals(List.of("INSERT", "INSERT", "INSERT", "INSERT"), h.stream().map(r -> r.get("operation")).toList());
            assertEquals(h.get(0).get("version_num"), h.get(2).get("prev_num"), "same-key replace bumps the version");
            assertEquals(0, Jdbc.count(c, "SELECT count(*) FROM bisync_history WHERE operation = 'DELETE'"), "row 2's removal is lost");

            Jdbc.exec(c, "PRAGMA recursive_triggers = ON");
            Jdbc.exec(c, "INSERT OR REPLACE INTO member VALUES (1, 'a@x', 'Ann RR')");
            Jdbc.exec(c, "REPLACE INTO member VALUES (4, 'b@x', 'Bob again')"); // removes row 3
            List<Map<String, Object>> h2 = db.history().subList(4, db.history().size());
            assertEquals(List.of("DELETE", "INSERT", "DELETE", "INSERT"), h2.stream().map(r -> r.get("operation")).toList());
            assertEquals(json("{\"id\":1}"), json(h2.get(0).get("key_data")));
            assertEquals(json("{\"id\":3}"), json(h2.get(2).get("key_data")));
        }
    }

    @Test
    void rowsRemovedByForeignKeyCascadeAreCaptured() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY)",
                    "CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INT REFERENCES parent(id) ON DELETE CASCADE)");
            db.install(TableSettings.twoWay("child"));
            Jdbc.exec(c, "INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (10, 1), (11, 1)", "DELETE FROM parent");
            assertEquals(2, Jdbc.count(c, "SELECT count(*) FROM bisync_history WHERE operation = 'DELETE'"));
        }
    }

    @Test
    void catalogReportsDeclaredTypesSizesRowidAndGeneratedColumns() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, amount DECIMAL(10, 2), code VARCHAR(20) NOT NULL,"
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
            assertEquals(List.of("customer", "s", "t", "w"), db.dialect.catalog().listTables(c).stream().sorted().toList());
        }
    }
}
