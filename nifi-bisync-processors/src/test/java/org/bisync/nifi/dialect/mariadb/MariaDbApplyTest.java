/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.exec;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.num;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbApplyTest {

    private static MariaDbFixture db;
    private static ApplyDialect apply;

    @BeforeAll
    static void start() {
        db = new MariaDbFixture("maria_apply");
        apply = db.dialect.apply();
    }

    @BeforeEach
    void freshTables() throws Exception {
        try (Connection c = db.connect()) {
            exec(c, "SET FOREIGN_KEY_CHECKS = 0");
            for (Map<String, Object> t : query(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
                exec(c, "DROP TABLE " + db.dialect.identifiers().quote((String) t.get("TABLE_NAME")));
            }
            exec(c, "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(255), revenue DECIMAL(18,2))",
                    "CREATE TABLE line (order_id INT, line_no SMALLINT, qty INT, PRIMARY KEY (order_id, line_no))");
        }
    }

    /** Binds rows of values (in the order of {@code columns}) and runs the statement inside a marked transaction. */
    private int upsert(Connection c, SyncedTable table, List<List<Object>> rows) throws SQLException {
        List<SyncedColumn> columns = table.writableColumns();
        try (PreparedStatement ps = c.prepareStatement(apply.upsertRows(table, columns, rows.size()))) {
            int index = 1;
            for (List<Object> row : rows) {
                for (int i = 0; i < columns.size(); i++) {
                    db.dialect.types().bind(ps, index++, row.get(i), columns.get(i).column());
                }
            }
            return ps.executeUpdate();
        }
    }

    @Test
    void upsertRowsWritesSeveralRowsInOneStatementIntoATableWithTriggersWithoutHistory() throws Exception {
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        String sql = apply.upsertRows(table, table.writableColumns(), 3);
        assertTrue(sql.contains("), (") && sql.contains("ON DUPLICATE KEY UPDATE"), sql);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            upsert(c, table, List.of(List.of(1L, "a", new BigDecimal("1.00")), List.of(2L, "b", new BigDecimal("2.00")),
                    List.of(3L, "c", new BigDecimal("3.00"))));
            upsert(c, table, List.of(List.of(2L, "b2", new BigDecimal("2.50")), List.of(3L, "c", new BigDecimal("3.00")),
                    List.of(4L, "d", new BigDecimal("4.00"))));
            apply.clearOrigin(c);
            c.commit();
        }
        List<Map<String, Object>> rows = db.query("SELECT id, name, revenue FROM customer ORDER BY id");
        assertEquals(List.of("a", "b2", "c", "d"), rows.stream().map(r -> r.get("name")).toList(), "no row dropped or duplicated");
        assertEquals(new BigDecimal("2.50"), rows.get(1).get("revenue"));
        assertEquals(0, db.history().size());
    }

    @Test
    void deleteRowUpsertVersionSelectVersionsAndInsertHistoryWork() throws Exception {
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        db.exec("INSERT INTO customer VALUES (1, 'a', 1), (2, 'b', 2)");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            try (PreparedStatement ps = c.prepareStatement(apply.upsertVersion(table))) {
                ps.setLong(1, 1);
                ps.setLong(2, 500);
                ps.setString(3, "B");
                ps.setNull(4, java.sql.Types.BIGINT);
                ps.setNull(5, java.sql.Types.VARCHAR);
                ps.setBoolean(6, true);
                ps.setString(7, "{\"name\": [500, \"B\"]}");
                ps.setLong(8, 450);
                ps.setString(9, "C");
                ps.setString(10, "{\"id\": 1, \"name\": \"a\"}");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(apply.deleteRow(table))) {
                ps.setLong(1, 1);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(apply.selectVersions(table, 3))) {
                ps.setLong(1, 1);
                ps.setLong(2, 2);
                ps.setLong(3, 99);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                        if (rs.getLong(1) == 1) {
                            assertEquals(500, rs.getLong("version_num"));
                            assertEquals("B", rs.getString("version_origin"));
                            assertTrue(rs.getBoolean("deleted"));
                            assertEquals("{\"name\": [500, \"B\"]}", rs.getString("field_versions"));
                            assertEquals(450, rs.getLong("tombstone_num"));
                            assertEquals("C", rs.getString("tombstone_origin"));
                            assertEquals("{\"id\": 1, \"name\": \"a\"}", rs.getString("kept_data"));
                        }
                    }
                    assertEquals(2, n, "key 1 stamped by us, key 2 by the local insert, 99 has none");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(apply.insertHistory())) {
                Object[] values = {"customer", "UPDATE", "{\"id\": 2}", "{}", "{}", 600L, "B", 5L, "A", null, "B", "[[5, \"A\"]]", null, 123L,
                        null, null};
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                ps.executeUpdate();
            }
            apply.clearOrigin(c);
            c.commit();
        }
        assertEquals(List.of(2L), db.query("SELECT id FROM customer").stream().map(r -> r.get("id")).toList());
        Map<String, Object> forwarded = db.history().get(db.history().size() - 1);
        assertEquals(600L, num(forwarded.get("version_num")));
        assertEquals("[[5, \"A\"]]", forwarded.get("supersedes"));
        assertEquals(1, db.query("SELECT id FROM bisync_history WHERE version_num = 600").size(), "unreleased: capture sends it on");
    }

    @Test
    void selectVersionsLocksTheVersionRows() throws Exception {
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        db.exec("INSERT INTO customer VALUES (1, 'a', 1)");
        try (Connection one = db.connect(); Connection two = db.connect()) {
            one.setAutoCommit(false);
            try (PreparedStatement ps = one.prepareStatement(apply.selectVersions(table, 1))) {
                ps.setLong(1, 1);
                ps.executeQuery().close();
            }
            exec(two, "SET SESSION innodb_lock_wait_timeout = 1");
            SQLException e = assertThrows(SQLException.class, () -> exec(two, "UPDATE bisync_v_customer SET deleted = 1 WHERE id = 1"));
            assertEquals(1205, e.getErrorCode());
            assertTrue(apply.isTransient(e), "a lock wait timeout is transient");
            one.rollback();
        }
    }

    @Test
    void compositeKeysWorkForUpsertDeleteAndVersions() throws Exception {
        SyncedTable table = db.install(TableSettings.twoWay("line"));
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            upsert(c, table, List.of(List.of(1, 1, 5), List.of(1, 2, 6), List.of(2, 1, 7)));
            upsert(c, table, List.of(List.of(1, 2, 60)));
            try (PreparedStatement ps = c.prepareStatement(apply.deleteRow(table))) {
                ps.setInt(1, 1);
                ps.setInt(2, 1);
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(apply.upsertVersion(table))) {
                Object[] values = {1, 2, 700L, "B", null, null, false, null, null, null, null};
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(apply.selectVersions(table, 2))) {
                ps.setInt(1, 1);
                ps.setInt(2, 2);
                ps.setInt(3, 2);
                ps.setInt(4, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(1, rs.getInt(1));
                    assertEquals(2, rs.getInt(2));
                    assertEquals(700L, rs.getLong(3));
                    assertFalse(rs.next());
                }
            }
            apply.clearOrigin(c);
            c.commit();
        }
        assertEquals(List.of(60, 7), db.query("SELECT qty FROM line ORDER BY order_id, line_no").stream().map(r -> r.get("qty")).toList());
        assertEquals(0, db.history().size());
    }

    @Test
    void afterWritingExplicitKeysTheNextGeneratedKeyIsGreater() throws Exception {
        db.exec("CREATE TABLE gen (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20))");
        SyncedTable table = db.install(TableSettings.twoWay("gen"));
        assertTrue(table.keyColumns().get(0).column().autoIncrement());
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            upsert(c, table, List.of(List.of(1000L, "x")));
            apply.advanceKeySequence(c, table, List.of(1000L));
            apply.clearOrigin(c);
            c.commit();
            exec(c, "INSERT INTO gen (name) VALUES ('local')");
            c.commit();
        }
        assertTrue(num(db.query("SELECT id FROM gen WHERE name = 'local'").get(0).get("id")) > 1000);
    }

    @Test
    void foreignKeyViolationsAndLostConnectionsAreClassified() throws Exception {
        db.exec("CREATE TABLE parent (id INT PRIMARY KEY)", "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, "
                + "FOREIGN KEY (parent_id) REFERENCES parent (id))", "INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (1, 1)");
        SQLException missingParent = assertThrows(SQLException.class, () -> db.exec("INSERT INTO child VALUES (2, 9)"));
        assertTrue(apply.isForeignKeyViolation(missingParent));
        assertFalse(apply.isTransient(missingParent));
        SQLException parentInUse = assertThrows(SQLException.class, () -> db.exec("DELETE FROM parent"));
        assertTrue(apply.isForeignKeyViolation(parentInUse));
        SQLException duplicate = assertThrows(SQLException.class, () -> db.exec("INSERT INTO parent VALUES (1)"));
        assertFalse(apply.isForeignKeyViolation(duplicate));
        assertFalse(apply.isTransient(duplicate));
        try (Connection victim = db.connect(); Connection killer = db.connect()) {
            long id = num(query(victim, "SELECT CONNECTION_ID() id").get(0).get("id"));
            exec(killer, "KILL " + id);
            SQLException lost = assertThrows(SQLException.class, () -> query(victim, "SELECT 1"));
            assertTrue(apply.isTransient(lost), lost.getSQLState() + " " + lost.getErrorCode());
        }
    }

    @Test
    void servesMariaDbButNotMySql() throws Exception {
        assertTrue(db.dialect.serves("MariaDB"));
        assertFalse(db.dialect.serves("MySQL"));
        try (Connection c = db.connect()) {
            assertInstanceOf(MariaDbDialect.class, Dialects.forConnection(c));
        }
    }

    /** The embedded server runs with --skip-grant-tables, so the statements were run by hand on a server with grants. */
    @Test
    void grantsCoverTriggersOnTheUsersTablesAndDmlOnOurs() {
        List<String> grants = db.dialect.capture().grants("nifi", List.of("customer"));
        assertTrue(grants.contains("GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON `customer` TO 'nifi'@'%'"), grants.toString());
        assertTrue(grants.contains("GRANT SELECT, INSERT, UPDATE, DELETE ON `bisync_v_customer` TO 'nifi'@'%'"), grants.toString());
        assertTrue(grants.contains("GRANT SELECT, INSERT, UPDATE, DELETE ON `bisync_history` TO 'nifi'@'%'"), grants.toString());
        assertTrue(db.dialect.capture().grants("'nifi'@'10.%'", List.of()).stream().anyMatch(g -> g.endsWith("TO 'nifi'@'10.%'")));
    }
    @Test
    void theMarkedTransactionRunsReadCommittedAndTheSessionGetsItsLevelAndTimeZoneBack() throws SQLException {
        try (Connection c = db.connect()) {
            exec(c, "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET time_zone = '+02:00'");
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            exec(c, "INSERT INTO customer (id, name) VALUES (1, 'a')");
            // the transaction's own level, not only the session's: a session level changed after it began would not show here
            assertEquals("READ-COMMITTED", query(c, "SELECT TRX_ISOLATION_LEVEL l FROM information_schema.INNODB_TRX "
                    + "WHERE TRX_MYSQL_THREAD_ID = CONNECTION_ID()").get(0).get("l").toString().replace(' ', '-'));
            assertEquals("+00:00", query(c, "SELECT @@session.time_zone z").get(0).get("z"));
            apply.clearOrigin(c);
            c.commit();
            assertEquals("SERIALIZABLE", query(c, "SELECT @@session.tx_isolation i").get(0).get("i"));
            assertEquals("+02:00", query(c, "SELECT @@session.time_zone z").get(0).get("z"));
            assertEquals(null, query(c, "SELECT @bisync_origin o").get(0).get("o"));
            c.setAutoCommit(true);
        }
    }
}
