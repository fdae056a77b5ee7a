/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresApplyTest {

    private static PgFixture db;
    private static ApplyDialect apply;

    @BeforeAll
    static void createDatabase() {
        db = new PgFixture("pg_apply_test");
        apply = db.dialect.apply();
    }

    @Test
    void upsertRowsInsertsAndUpdatesSeveralRowsInOneStatementWithoutCapture() throws SQLException {
        db.exec("CREATE TABLE account (id int PRIMARY KEY, name text, balance numeric(10,2))");
        SyncedTable account = db.install(TableSettings.twoWay("account"));
        db.exec("INSERT INTO account VALUES (1, 'old', 1)");
        int captured = db.history().size();
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            apply.markOrigin(connection, "B");
            upsert(connection, account, new Object[][]{{1, "new", new BigDecimal("2.50")}, {2, "two", null}, {3, "three", BigDecimal.TEN}});
            apply.clearOrigin(connection);
            connection.commit();
        }
        assertEquals(3, db.count("SELECT count(*) FROM account"));
        assertEquals(1, db.count("SELECT count(*) FROM account WHERE id = 1 AND name = 'new' AND balance = 2.50"));
        assertEquals(captured, db.history().size());

        try (Connection connection = db.connect(); PreparedStatement delete = connection.prepareStatement(apply.deleteRow(account))) {
            delete.setInt(1, 2);
            assertEquals(1, delete.executeUpdate());
        }
        assertEquals(0, db.count("SELECT count(*) FROM account WHERE id = 2"));
    }

    @Test
    void versionRowsAreUpsertedAndReadBackLockedForCompositeKeys() throws SQLException {
        db.exec("CREATE TABLE line (order_id int, line_no text, qty int, PRIMARY KEY (order_id, line_no))");
        SyncedTable line = db.install(TableSettings.twoWay("line"));
        try (Connection connection = db.connect(); PreparedStatement upsert = connection.prepareStatement(apply.upsertVersion(line))) {
            upsertVersion(upsert, 1, "a", 100, "B", null, null, false, null);
            upsertVersion(upsert, 1, "b", 200, "A", 150L, "B", true, "{\"qty\": [200, \"A\"]}");
            upsertVersion(upsert, 1, "a", 300, "B", 100L, "B", false, null);
        }
        try (Connection locker = db.connect(); Connection other = db.connect()) {
            locker.setAutoCommit(false);
            try (PreparedStatement select = locker.prepareStatement(apply.selectVersions(line, 3))) {
                Object[] keys = {1, "a", 1, "b", 2, "zz"};
                for (int i = 0; i < keys.length; i++) {
                    select.setObject(i + 1, keys[i]);
                }
                try (ResultSet rs = select.executeQuery()) {
                    Map<String, List<Object>> byLine = new java.util.HashMap<>();
                    while (rs.next()) {
                        byLine.put(rs.getString(2), java.util.Arrays.asList(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getBoolean(5), rs.getString(6), rs.getObject(7), rs.getString(8), rs.getString(9)));
                    }
                    assertEquals(2, byLine.size());
                    assertEquals(java.util.Arrays.asList(1, "a", 300L, "B", false, null, null, null, null), byLine.get("a"));
                    assertEquals(List.of(1, "b", 200L, "A", true, "{\"qty\": [200, \"A\"]}", 190L, "C", "{\"qty\": 4}"), byLine.get("b"),
                            "a tombstone with its own tombstone version and kept values");
                }
            }
            other.setAutoCommit(false);
            other.createStatement().execute("SET LOCAL lock_timeout = '100ms'");
            try (PreparedStatement select = other.prepareStatement(apply.selectVersions(line, 1))) {
                select.setInt(1, 1);
                select.setString(2, "a");
                SQLException locked = assertThrows(SQLException.class, select::executeQuery);
                assertTrue(apply.isTransient(locked), locked.getSQLState());
            }
            other.rollback();
            locker.rollback();
        }
        assertEquals(2, db.count("SELECT count(*) FROM " + PostgresSql.versionTable(line)
                + " WHERE prev_origin = 'B' OR version_num = 100 OR version_num = 300"));
    }

    @Test
    void insertHistoryWritesAForwardedChange() throws SQLException {
        try (Connection connection = db.connect(); PreparedStatement insert = connection.prepareStatement(apply.insertHistory())) {
            Object[] values = {"customer", "UPDATE", "{\"id\": 1}", "{\"id\": 1}", "{\"id\": 1}", 10L, "B", 5L, "A",
                    null, "B", "[[5, \"A\"], [7, \"C\"]]", "tx", 99L, 8L, "C"};
            for (int i = 0; i < values.length; i++) {
                insert.setObject(i + 1, values[i]);
            }
            insert.executeUpdate();
        }
        PgFixture.History forwarded = db.history().stream().filter(h -> "tx".equals(h.txId())).findFirst().orElseThrow();
        assertEquals(10L, forwarded.version());
        assertEquals(5L, forwarded.prev());
        assertEquals("B", forwarded.origin());
        assertEquals(99L, forwarded.capturedAt());
        try (Connection connection = db.connect(); java.sql.Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT tombstone_num, tombstone_origin FROM bisync_history WHERE tx_id = 'tx'")) {
            assertTrue(rs.next());
            assertEquals(List.of(8L, "C"), List.of(rs.getLong(1), rs.getString(2)), "a forwarded tombstone keeps its own version");
        }
    }

    @Test
    void identityKeysAreWrittenExplicitlyAndTheSequenceMovesPastThem() throws SQLException {
        db.exec("CREATE TABLE ticket (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text)",
                "CREATE TABLE note (id serial PRIMARY KEY, body text)");
        for (String name : List.of("ticket", "note")) {
            SyncedTable table = db.resolve(TableSettings.twoWay(name));
            assertTrue(table.keyColumns().get(0).column().autoIncrement(), name);
            try (Connection connection = db.connect()) {
                upsert(connection, table, new Object[][]{{500, "synced"}, {20, "synced too"}});
                apply.advanceKeySequence(connection, table, List.of(500L, 20L));
                apply.advanceKeySequence(connection, table, List.of(500L, 20L));
                connection.createStatement().execute("INSERT INTO " + name + " (" + table.columns().get(1).local() + ") VALUES ('local')");
            }
            assertEquals(501, db.count("SELECT max(id) FROM " + name), name);
        }
    }

    @Test
    void generatedColumnsAreReadOnly() throws SQLException {
        db.exec("CREATE TABLE priced (id int PRIMARY KEY, net numeric(10,2), gross numeric(10,2) GENERATED ALWAYS AS (net * 1.2) STORED)");
        SyncedTable priced = db.resolve(TableSettings.twoWay("priced"));
        assertTrue(priced.byLocal("gross").orElseThrow().readOnly());
        assertEquals(List.of("id", "net"), priced.writableColumns().stream().map(SyncedColumn::local).toList());
    }

    @Test
    void foreignKeyViolationsAndOtherErrorsAreToldApart() throws SQLException {
        db.exec("CREATE TABLE parent (id int PRIMARY KEY)", "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)");
        SQLException fk = assertThrows(SQLException.class, () -> db.exec("INSERT INTO child VALUES (1, 42)"));
        assertTrue(apply.isForeignKeyViolation(fk));
        assertFalse(apply.isTransient(fk));
        SQLException duplicate = assertThrows(SQLException.class, () -> db.exec("INSERT INTO parent VALUES (1), (1)"));
        assertFalse(apply.isForeignKeyViolation(duplicate));
        assertFalse(apply.isTransient(duplicate));
        SQLException timeout = assertThrows(SQLException.class, () -> db.exec("SET statement_timeout = '10ms'; SELECT pg_sleep(1)"));
        assertTrue(apply.isTransient(timeout));
    }

    @Test
    void markOriginRefusesAutoCommitAndClearWorksAfterAFailedStatement() throws SQLException {
        try (Connection connection = db.connect()) {
            assertThrows(IllegalStateException.class, () -> apply.markOrigin(connection, "B"));
            connection.setAutoCommit(false);
            apply.markOrigin(connection, "B");
            assertThrows(SQLException.class, () -> connection.createStatement().execute("SELECT 1/0"));
            apply.clearOrigin(connection);
            connection.rollback();
            try (ResultSet rs = connection.createStatement().executeQuery("SELECT coalesce(current_setting('bisync.origin', true), '')")) {
                rs.next();
                assertEquals("", rs.getString(1));
            }
        }
    }

    @Test
    void hostileIdentifiersAndValuesAreQuotedAndBound() throws SQLException {
        String table = "we\"ird; täble 🚀 " + "ä".repeat(18); // 56 bytes: our derived names must be shortened
        String column = "co\"l; ü";
        db.exec("CREATE TABLE " + PostgresSql.q(table) + " (" + PostgresSql.q("k'ey; x") + " text PRIMARY KEY, " + PostgresSql.q(column) + " text)");
        SyncedTable hostile = db.install(TableSettings.twoWay(table));
        String value = "it's \"quoted\"; DROP TABLE x; --";
        db.exec("INSERT INTO " + PostgresSql.q(table) + " VALUES ('a''; b', 'x')");
        try (Connection connection = db.connect(); PreparedStatement update = connection.prepareStatement(
                "UPDATE " + PostgresSql.q(table) + " SET " + PostgresSql.q(column) + " = ?")) {
            update.setString(1, value);
            update.executeUpdate();
        }
        List<PgFixture.History> history = db.history().stream().filter(h -> h.table().equals(table)).toList();
        assertEquals(2, history.size());
        assertEquals("a'; b", history.get(1).key().get("k'ey; x").asText());
        assertEquals(value, history.get(1).after().get(column).asText());
        assertEquals(1, db.versions(hostile).size());
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            apply.markOrigin(connection, "B");
            upsert(connection, hostile, new Object[][]{{"b;'", value}});
            try (PreparedStatement delete = connection.prepareStatement(apply.deleteRow(hostile))) {
                delete.setString(1, "a'; b");
                assertEquals(1, delete.executeUpdate());
            }
            connection.commit();
        }
        assertEquals(1, db.count("SELECT count(*) FROM " + PostgresSql.q(table)
                + " WHERE " + PostgresSql.q(column) + " = 'it''s \"quoted\"; DROP TABLE x; --'"));
        try (Connection connection = db.connect()) {
            PgFixture.run(connection, db.dialect.capture().uninstallTable(table));
        }
        assertEquals(0, db.count("SELECT count(*) FROM pg_trigger WHERE tgrelid = " + PostgresIdentifiers.literal(PostgresSql.q(table))
                + "::regclass AND NOT tgisinternal"));
    }

    private static void upsert(Connection connection, SyncedTable table, Object[][] rows) throws SQLException {
        List<SyncedColumn> columns = table.writableColumns();
        try (PreparedStatement statement = connection.prepareStatement(apply.upsertRows(table, columns, rows.length))) {
            int index = 1;
            for (Object[] row : rows) {
                for (int i = 0; i < columns.size(); i++) {
                    db.dialect.types().bind(statement, index++, row[i], columns.get(i).column());
                }
            }
            statement.executeUpdate();
        }
    }

    private static void upsertVersion(PreparedStatement upsert, int orderId, String lineNo, long number, String origin, Long prev,
                                      String prevOrigin, boolean deleted, String fieldVersions) throws SQLException {
        upsert.setInt(1, orderId);
        upsert.setString(2, lineNo);
        upsert.setLong(3, number);
        upsert.setString(4, origin);
        upsert.setObject(5, prev);
        upsert.setString(6, prevOrigin);
        upsert.setBoolean(7, deleted);
        upsert.setString(8, fieldVersions);
        upsert.setObject(9, deleted ? 190L : null);
        upsert.setString(10, deleted ? "C" : null);
        upsert.setString(11, deleted ? "{\"qty\": 4}" : null);
        upsert.executeUpdate();
    }
}
