/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.CaptureContract;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Strategy;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.DialectFixture.json;
import static org.bisync.nifi.dialect.DialectFixture.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresCaptureTest extends CaptureContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new PostgresDialect(), EngineFixture.start("PostgreSQL", "pg_capture_test"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(100), revenue numeric(18,2), note text)";
    }

    @Override
    protected List<String> customerTriggers() {
        return List.of("bisync_t_customer_del", "bisync_t_customer_ins", "bisync_t_customer_trunc", "bisync_t_customer_upd");
    }

    @Override
    protected List<String> triggers(Connection connection) throws SQLException {
        return Jdbc.rows(connection, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname").stream()
                .map(r -> (String) r.get("tgname")).toList();
    }

    @Override
    protected long bisyncObjects(Connection connection) throws SQLException {
        return Jdbc.count(connection, "SELECT count(*) FROM pg_class WHERE relname LIKE 'bisync%'")
                + Jdbc.count(connection, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'bisync%'");
    }

    @Override
    protected String newTransactionId() {
        return "SELECT pg_current_xact_id()::text::bigint";
    }

    @Override
    protected String setSessionTimeZone() {
        return "SET TimeZone = 'America/Los_Angeles'";
    }

    @Override
    protected String shortLockWait() {
        return "SET lock_timeout = '2s'";
    }

    @Override
    protected long sessionId(Connection connection) throws SQLException {
        return Jdbc.count(connection, "SELECT pg_backend_pid()");
    }

    @Override
    protected boolean heldInStatement(Connection watch, long sessionId) throws SQLException {
        return Jdbc.count(watch, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + sessionId + " AND wait_event_type = 'Lock'") == 1;
    }

    /** The row UPDATE trigger of a field-level table (every table had one before) is replaced in place by the statement one. */
    @Test
    void reinstallTurnsTheRowUpdateTriggerIntoAStatementTriggerAndUpdatesAreCapturedOnce() throws SQLException {
        db.install(CUSTOMER.withStrategy(Strategy.FIELD_NEWEST));
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a'), (2, 'b')");
        assertEquals(List.of("ROW"), updateTriggerLevel());
        db.install(CUSTOMER);
        assertEquals(List.of("STATEMENT"), updateTriggerLevel());
        db.exec("UPDATE customer SET name = name || '!'", "UPDATE customer SET id = 3 WHERE id = 2");
        assertEquals(List.of("INSERT", "INSERT", "UPDATE", "UPDATE", "DELETE", "INSERT"),
                db.history().stream().map(r -> r.get("operation")).toList());
        assertEquals(num(db.history().get(3).get("version_num")), num(db.history().get(4).get("prev_num")));
    }

    private List<Object> updateTriggerLevel() throws SQLException {
        return db.rows("SELECT CASE WHEN tgtype & 1 = 1 THEN 'ROW' ELSE 'STATEMENT' END AS level FROM pg_trigger "
                + "WHERE tgname = 'bisync_t_customer_upd'").stream().map(r -> r.get("level")).toList();
    }

    /**
     * A statement trigger's function plans its capture statement once per session, with the transition tables' size at
     * the first call; a session whose first writes were single rows must not capture its bulk statements through
     * nested loops over the transition tables (their cost grows with the square of the rows). auto_explain sends the
     * nested statements' plans to the client.
     */
    @Test
    void bulkStatementsAfterSingleRowOnesInTheSameSessionJoinTheirRowsWithoutNestedLoops() throws SQLException {
        db.install(CUSTOMER);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO customer (id, name) VALUES (1, 'a')");
            st.execute("UPDATE customer SET name = 'b' WHERE id = 1");
            st.execute("DELETE FROM customer WHERE id = 1");
            st.execute("LOAD 'auto_explain'");
            st.execute("SET auto_explain.log_min_duration = 0");
            st.execute("SET auto_explain.log_nested_statements = on");
            st.execute("SET client_min_messages = log");
            List<String> plans = new ArrayList<>();
            for (String bulk : List.of("INSERT INTO customer (id, name) SELECT g, 'n' FROM generate_series(1, 200) g",
                    "UPDATE customer SET name = name || '!'", "DELETE FROM customer")) {
                st.clearWarnings();
                st.execute(bulk);
                for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                    if (w.getMessage().contains("bisync_history")) {
                        plans.add(w.getMessage());
                    }
                }
            }
            assertEquals(3, plans.size(), "one capture statement per bulk statement: " + plans);
            for (String plan : plans) {
                assertFalse(plan.contains("Join Filter"), plan);
            }
        }
        assertEquals(3 + 200 + 200 + 200, db.history().size());
    }

    @Test
    void multiRowStatementsCaptureEveryRowWithItsOwnVersion() throws SQLException {
        db.install(CUSTOMER.withExcludedFields(List.of("note")));
        db.exec("INSERT INTO customer VALUES (1, 'existing', 1, null)");
        db.exec("DELETE FROM customer WHERE id = 1");
        long tombstone = num(customerVersion(1).get("version_num"));
        db.exec("INSERT INTO customer SELECT g, 'n' || g, g, null FROM generate_series(1, 500) g");
        db.exec("INSERT INTO customer VALUES (1, 'upserted', 2, null), (501, 'new', 3, null) "
                + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name");
        db.exec("DELETE FROM customer WHERE id > 250");
        List<Map<String, Object>> history = db.history();
        assertEquals(2 + 500 + 2 + 251, history.size());
        List<Map<String, Object>> inserts = history.subList(2, 502);
        assertEquals(500, inserts.stream().filter(h -> h.get("operation").equals("INSERT"))
                .map(h -> json(h.get("key_data")).get("id").asLong()).distinct().count());
        Map<String, Object> reinserted = inserts.stream().filter(h -> json(h.get("key_data")).get("id").asLong() == 1).findFirst().orElseThrow();
        assertEquals(tombstone, num(reinserted.get("prev_num")), "a re-insert follows the tombstone");
        assertTrue(num(reinserted.get("version_num")) > tombstone);
        List<Map<String, Object>> upsert = history.subList(502, 504);
        assertEquals(List.of("INSERT", "UPDATE"), upsert.stream().map(h -> (String) h.get("operation")).sorted().toList());
        assertEquals(251, history.subList(504, history.size()).stream().filter(h -> h.get("operation").equals("DELETE")
                && h.get("after_data") == null && json(h.get("before_data")).get("name") != null).count());
        List<Map<String, Object>> versions = db.versions("customer");
        assertEquals(501, versions.size());
        assertEquals(251, versions.stream().filter(DialectFixture::deleted).count());
        assertEquals("upserted", json(upsert.stream().filter(h -> h.get("operation").equals("UPDATE")).findFirst()
                .orElseThrow().get("after_data")).get("name").asText());
    }

    @Test
    void capturedAtIsTheUtcClockWhateverTheSessionTimeZone() throws SQLException {
        db.install(CUSTOMER);
        long before = System.currentTimeMillis() * 1000;
        db.exec("SET TimeZone = 'Pacific/Kiritimati'; INSERT INTO customer VALUES (1, 'a', 1, null)");
        long after = System.currentTimeMillis() * 1000;
        Map<String, Object> insert = db.history().get(0);
        long capturedAt = num(insert.get("captured_at"));
        assertTrue(capturedAt >= before - 1_000_000 && capturedAt <= after + 1_000_000, "" + capturedAt);
        assertEquals(capturedAt, num(insert.get("version_num")), "bias 0, correction 0");
    }

    @Test
    void theMarkerEndsWithItsTransactionOnCommitAndOnRollback() throws SQLException {
        db.install(CUSTOMER);
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B");
            Jdbc.exec(connection, "INSERT INTO customer VALUES (4, 'marked', 1, null)");
            connection.commit(); // the marker ends with its transaction
            Jdbc.exec(connection, "INSERT INTO customer VALUES (5, 'after commit', 1, null)");
            connection.commit();

            db.dialect.apply().markOrigin(connection, "B");
            connection.rollback();
            connection.setAutoCommit(true);
            Jdbc.exec(connection, "INSERT INTO customer VALUES (6, 'after rollback', 1, null)");
        }
        assertEquals(List.of(5L, 6L), db.history().stream().map(h -> json(h.get("key_data")).get("id").asLong()).toList());
    }

    @Test
    void markerOfOneTransactionIsInvisibleToAnotherConnection() throws SQLException {
        db.install(CUSTOMER);
        try (Connection applier = db.connect(); Connection user = db.connect()) {
            applier.setAutoCommit(false);
            Jdbc.exec(applier, "SELECT set_config('bisync.origin', 'B', true)", "INSERT INTO customer VALUES (1, 'applier', 1, null)");
            Jdbc.exec(user, "INSERT INTO customer VALUES (2, 'user', 1, null)");
            applier.commit();
        }
        assertEquals(List.of(2L), db.history().stream().map(h -> json(h.get("key_data")).get("id").asLong()).toList());
    }

    @Test
    void truncateOfASyncedTableIsRefusedUnlessMarked() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer VALUES (1, 'Ann', 10.50, null)");
        SQLException refused = assertThrows(SQLException.class, () -> db.exec("TRUNCATE customer"));
        assertTrue(refused.getMessage().contains("TRUNCATE of synced table customer is not captured"), refused.getMessage());
        assertEquals(1, db.count("SELECT count(*) FROM customer"));
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            db.dialect.apply().markOrigin(connection, "B");
            Jdbc.exec(connection, "TRUNCATE customer");
            connection.commit();
        }
        assertEquals(0, db.count("SELECT count(*) FROM customer"));
    }
}
