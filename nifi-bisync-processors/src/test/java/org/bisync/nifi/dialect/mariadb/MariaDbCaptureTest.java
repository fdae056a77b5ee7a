/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.CaptureContract;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.DialectFixture.json;
import static org.bisync.nifi.dialect.DialectFixture.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbCaptureTest extends CaptureContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new MariaDbDialect(), EngineFixture.start("MariaDB", "maria_capture"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), "
                + "revenue DECIMAL(18,2), updated_at DATETIME(6), note VARCHAR(50))";
    }

    @Override
    protected List<String> customerTriggers() {
        return List.of("bisync_t_customer_del", "bisync_t_customer_ins", "bisync_t_customer_upd");
    }

    @Override
    protected List<String> triggers(Connection connection) throws SQLException {
        return Jdbc.rows(connection, "SELECT TRIGGER_NAME n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1")
                .stream().map(r -> (String) r.get("n")).toList();
    }

    @Override
    protected long bisyncObjects(Connection connection) throws SQLException {
        return Jdbc.count(connection, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'bisync%'")
                + Jdbc.count(connection, "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()");
    }

    @Override
    protected String setSessionTimeZone() {
        return "SET time_zone = '+05:00'";
    }

    @Override
    protected String shortLockWait() {
        return "SET SESSION innodb_lock_wait_timeout = 2";
    }

    @Override
    protected long sessionId(Connection connection) throws SQLException {
        return Jdbc.count(connection, "SELECT CONNECTION_ID()");
    }

    /** InnoDB's own lock-wait state of the session's transaction. */
    @Override
    protected boolean heldInStatement(Connection watch, long sessionId) throws SQLException {
        return Jdbc.count(watch, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = " + sessionId
                + " AND trx_state = 'LOCK WAIT'") == 1;
    }

    @Test
    void datetimeImagesKeepTheirMicroseconds() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer VALUES (7, 'Ada', 'Tech', 12.50, '2024-01-02 03:04:05.123456', 'n')");
        assertEquals("2024-01-02 03:04:05.123456", json(db.history().get(0).get("after_data")).get("updated_at").asText());
    }

    @Test
    void updateThatChangesOnlyLetterCaseOrTrailingSpaceIsCaptured() throws SQLException {
        db.exec("ALTER TABLE customer MODIFY name VARCHAR(255) COLLATE utf8mb4_general_ci");
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'ada')", "UPDATE customer SET name = 'ADA'", "UPDATE customer SET name = 'ADA '");
        List<Map<String, Object>> h = db.history();
        assertEquals(3, h.size());
        assertEquals("ADA ", json(h.get(2).get("after_data")).get("name").asText());
    }

    @Test
    void afterARolledBackApplyAndClearOriginTheNextLocalWriteOnTheSameConnectionIsCaptured() throws SQLException {
        db.install(CUSTOMER);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            Jdbc.exec(c, "INSERT INTO customer (id, name) VALUES (1, 'from B')");
            c.rollback();
            assertEquals("B", Jdbc.value(c, "SELECT @bisync_origin o"), "the marker outlives ROLLBACK on MariaDB");
            db.dialect.apply().clearOrigin(c);
            c.setAutoCommit(true);
            Jdbc.exec(c, "INSERT INTO customer (id, name) VALUES (2, 'local')");
        }
        List<Map<String, Object>> h = db.history();
        assertEquals(1, h.size());
        assertEquals(2, json(h.get(0).get("key_data")).get("id").asLong());
    }

    @Test
    void underRepeatableReadTheTriggerReadsTheCurrentVersionNotItsSnapshot() throws SQLException {
        db.install(CUSTOMER);
        db.exec("INSERT INTO customer (id, name) VALUES (1, 'a')");
        String versionOfOne = "SELECT version_num FROM bisync_v_customer WHERE id = 1";
        try (Connection one = db.connect(); Connection two = db.connect()) {
            one.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            assertEquals("REPEATABLE-READ", Jdbc.value(one, "SELECT @@transaction_isolation i"));
            one.setAutoCommit(false);
            long seen = Jdbc.count(one, versionOfOne);
            Jdbc.exec(two, "SET @bisync_origin = NULL", "UPDATE customer SET name = 'b' WHERE id = 1");
            long twos = db.count(versionOfOne);
            assertTrue(twos > seen);
            // the snapshot of connection one still shows the old version...
            assertEquals(seen, Jdbc.count(one, versionOfOne));
            Jdbc.exec(one, "UPDATE customer SET industry = 'x' WHERE id = 1");
            one.commit();
        }
        List<Map<String, Object>> h = db.history();
        Map<String, Object> twos = h.get(1);
        Map<String, Object> ones = h.get(2);
        assertEquals("b", json(twos.get("after_data")).get("name").asText());
        assertEquals("x", json(ones.get("after_data")).get("industry").asText());
        assertEquals(num(twos.get("version_num")), num(ones.get("prev_num")), "prev is connection two's version");
        assertTrue(num(ones.get("version_num")) > num(twos.get("version_num")));
        assertEquals(num(ones.get("version_num")), db.count("SELECT version_num FROM bisync_v_customer"));
    }
}
