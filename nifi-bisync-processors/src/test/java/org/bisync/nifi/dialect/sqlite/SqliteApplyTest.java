/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.sqlite.SqliteFixture.count;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.rows;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteApplyTest {

    private SqliteFixture db;
    private ApplyDialect apply;
    private CaptureDialect capture;
    private TypeMapping types;

    @BeforeEach
    void setUp(TestInfo info) throws SQLException {
        String name = "apply_" + info.getTestMethod().orElseThrow().getName();
        db = new SqliteFixture(name.length() > 60 ? name.substring(0, 60) : name);
        apply = db.dialect.apply();
        capture = db.dialect.capture();
        types = db.dialect.types();
    }

    private SyncedTable customer(Connection c) throws SQLException {
        run(c, "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100), revenue DECIMAL(18,2))");
        return db.install(c, TableSettings.twoWay("customer"));
    }

    /** Binds rows of record values (in column order) into a statement, row after row. */
    private void bindRows(PreparedStatement ps, List<SyncedColumn> columns, List<List<Object>> rows) throws SQLException {
        int index = 1;
        for (List<Object> row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                types.bind(ps, index++, row.get(i), columns.get(i).column());
            }
        }
    }

    @Test
    void upsertRowsInsertsAndUpdatesSeveralRowsInOneStatementWithoutCapture() throws SQLException {
        try (Connection c = db.connect()) {
            SyncedTable table = customer(c);
            run(c, "INSERT INTO customer VALUES (1, 'old', 1)");
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            List<SyncedColumn> columns = table.writableColumns();
            try (PreparedStatement ps = c.prepareStatement(apply.upsertRows(table, columns, 3))) {
                bindRows(ps, columns, List.of(List.of(1L, "new", new BigDecimal("10.50")), List.of(2L, "two", new BigDecimal("2.00")),
                        java.util.Arrays.asList(3L, null, null)));
                assertEquals(3, ps.executeUpdate());
            }
            apply.clearOrigin(c);
            c.commit();
            c.setAutoCommit(true);
            assertEquals("[{id=1, name=new, revenue=10.5}, {id=2, name=two, revenue=2}, {id=3, name=null, revenue=null}]",
                    rows(c, "SELECT * FROM customer ORDER BY id").toString());
            assertEquals(1, count(c, "SELECT count(*) FROM bisync_history"), "only the user's insert before apply");
        }
    }

    @Test
    void upsertRowsTakesAThousandRowsPerStatementWithinTheVariableLimit() throws SQLException {
        try (Connection c = db.connect()) {
            SyncedTable table = customer(c);
            List<SyncedColumn> columns = table.writableColumns();
            int rowsPerStatement = SqliteApplyDialect.maxRowsPerStatement(columns.size());
            assertEquals(SqliteApplyDialect.MAX_VARIABLES / 3, rowsPerStatement);
            List<List<Object>> batch = new ArrayList<>();
            for (long i = 0; i < rowsPerStatement; i++) {
                batch.add(List.of(i, "n" + i, BigDecimal.valueOf(i, 2)));
            }
            try (PreparedStatement ps = c.prepareStatement(apply.upsertRows(table, columns, batch.size()))) {
                bindRows(ps, columns, batch);
                assertEquals(rowsPerStatement, ps.executeUpdate());
            }
            assertEquals(rowsPerStatement, count(c, "SELECT count(*) FROM customer"));
            assertEquals(rowsPerStatement, count(c, "SELECT count(*) FROM bisync_history"), "every row fired the trigger");
        }
    }

    @Test
    void deleteRowUpsertVersionAndSelectVersionsWork() throws SQLException {
        try (Connection c = db.connect()) {
            SyncedTable table = customer(c);
            run(c, "INSERT INTO customer VALUES (1, 'a', 1), (2, 'b', 2)");
            c.setAutoCommit(false);
            apply.markOrigin(c, "B");
            try (PreparedStatement ps = c.prepareStatement(apply.deleteRow(table))) {
                types.bind(ps, 1, 1L, table.keyColumns().get(0).column());
                assertEquals(1, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(apply.upsertVersion(table))) {
                for (long key : new long[]{1, 5}) {
                    types.bind(ps, 1, key, table.keyColumns().get(0).column());
                    ps.setLong(2, 9_000 + key);
                    ps.setString(3, "B");
                    ps.setLong(4, 100);
                    ps.setString(5, "A");
                    ps.setBoolean(6, key == 1);
                    ps.setString(7, key == 5 ? "{\"name\":[9005,\"B\"]}" : null);
                    ps.setObject(8, key == 1 ? 8_000L : null);
                    ps.setString(9, key == 1 ? "C" : null);
                    ps.setString(10, key == 1 ? "{\"id\":1}" : null);
                    ps.executeUpdate();
                }
            }
            List<Map<String, Object>> versions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(apply.selectVersions(table, 3))) {
                ps.setLong(1, 1);
                ps.setLong(2, 2);
                ps.setLong(3, 5);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        versions.add(Map.of("key", rs.getLong(1), "num", rs.getLong(2), "origin", rs.getString(3),
                                "deleted", rs.getBoolean(4), "fv", String.valueOf(rs.getString(5)),
                                "tombstone", rs.getLong(6) + "@" + rs.getString(7), "kept", String.valueOf(rs.getString(8))));
                    }
                }
            }
            apply.clearOrigin(c);
            c.commit();
            versions.sort(java.util.Comparator.comparing(m -> (Long) m.get("key")));
            assertEquals(3, versions.size());
            assertEquals(Map.of("key", 1L, "num", 9_001L, "origin", "B", "deleted", true, "fv", "null", "tombstone", "8000@C",
                    "kept", "{\"id\":1}"), versions.get(0));
            assertEquals("A", versions.get(1).get("origin"));
            assertFalse((Boolean) versions.get(1).get("deleted"));
            assertEquals("{\"name\":[9005,\"B\"]}", versions.get(2).get("fv"));
            assertEquals(100L, count(c, "SELECT prev_num FROM bisync_v_customer WHERE id = 1"));
            assertEquals(2, count(c, "SELECT count(*) FROM bisync_history"), "apply's delete was not captured");
        }
    }

    @Test
    void compositeKeysWorkInUpsertDeleteAndSelectVersions() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE line (order_no TEXT, line_no INT, qty INT, PRIMARY KEY (order_no, line_no))");
            SyncedTable table = db.install(c, TableSettings.twoWay("line"));
            List<SyncedColumn> columns = table.writableColumns();
            try (PreparedStatement ps = c.prepareStatement(apply.upsertRows(table, columns, 2))) {
                bindRows(ps, columns, List.of(List.of("o1", 1, 5), List.of("o1", 2, 6)));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(apply.upsertRows(table, columns, 1))) {
                bindRows(ps, columns, List.of(List.of("o1", 2, 7)));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(apply.deleteRow(table))) {
                ps.setString(1, "o1");
                ps.setInt(2, 1);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(List.of(Map.of("order_no", "o1", "line_no", 2, "qty", 7)), rows(c, "SELECT * FROM line"));
            try (PreparedStatement ps = c.prepareStatement(apply.selectVersions(table, 2))) {
                ps.setString(1, "o1");
                ps.setInt(2, 1);
                ps.setString(3, "o1");
                ps.setInt(4, 2);
                List<String> seen = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seen.add(rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getBoolean(5));
                    }
                }
                assertEquals(List.of("o1/1/true", "o1/2/false"), seen.stream().sorted().toList());
            }
        }
    }

    @Test
    void historyStatementsInsertReadReleaseAndPurge() throws SQLException {
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement(apply.insertHistory())) {
                for (int i = 0; i < 3; i++) {
                    Object[] values = {"customer", "UPDATE", "{\"id\":1}", "{}", "{}", 10L + i, "B", 9L, "A", null, "B",
                            "[[9,\"A\"],[8,\"B\"]]", null, 1_000L + i, 7L, "C"};
                    for (int p = 0; p < values.length; p++) {
                        ps.setObject(p + 1, values[p]);
                    }
                    ps.executeUpdate();
                }
            }
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(capture.selectUnreleasedHistoryAfter())) {
                ps.setLong(1, Long.MIN_VALUE);
                ps.setInt(2, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong("id"));
                        assertEquals("[[9,\"A\"],[8,\"B\"]]", rs.getString("supersedes"));
                        assertEquals(7L, rs.getLong("tombstone_num"));
                        assertEquals("C", rs.getString("tombstone_origin"));
                    }
                }
            }
            assertEquals(2, ids.size());
            new org.bisync.nifi.capture.HistoryReader(capture).release(c, ids, 5_000, true);
            assertEquals(2, count(c, "SELECT count(*) FROM bisync_released WHERE released_at = 5000"), "moved with their release time");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(capture.selectBacklog())) {
                rs.next();
                assertEquals(1_002L, rs.getLong(1));
                assertEquals(1, rs.getLong(2));
            }
            try (PreparedStatement ps = c.prepareStatement(capture.purgeReleasedHistory())) {
                ps.setLong(1, 5_000);
                assertEquals(0, ps.executeUpdate(), "released at 5000, not before");
                ps.setLong(1, 5_001);
                assertEquals(2, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement(capture.deleteHistoryRows(1))) {
                ps.setLong(1, ids.get(1) + 1);
                assertEquals(1, ps.executeUpdate());
            }
            assertEquals(0, count(c, "SELECT count(*) FROM bisync_history"));
        }
    }

    @Test
    void configAndInstalledStatementsUpsertAndRead() throws SQLException {
        try (Connection c = db.connect()) {
            for (long value : new long[]{5, -7}) {
                try (PreparedStatement ps = c.prepareStatement(capture.upsertConfigNumber())) {
                    ps.setString(1, "clock_correction_micros");
                    ps.setLong(2, value);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(capture.selectConfigNumber())) {
                ps.setString(1, "clock_correction_micros");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(-7, rs.getLong(1));
                }
            }
            for (String hash : new String[]{"h1", "h2"}) {
                try (PreparedStatement ps = c.prepareStatement(capture.upsertInstalled())) {
                    ps.setString(1, "customer");
                    ps.setString(2, hash);
                    ps.setString(3, "c" + hash);
                    ps.setLong(4, 1);
                    ps.executeUpdate();
                }
            }
            assertEquals(List.of(Map.of("table_name", "customer", "ddl_hash", "h2", "column_hash", "ch2")), rows(c, capture.selectInstalled()));
            try (PreparedStatement ps = c.prepareStatement(capture.deleteInstalled())) {
                ps.setString(1, "customer");
                assertEquals(1, ps.executeUpdate());
            }
        }
    }

    @Test
    void advanceKeySequenceKeepsTheNextGeneratedKeyAboveTheGreatestWritten() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)", "CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT)");
            SyncedTable auto = db.install(c, TableSettings.twoWay("auto"));
            SyncedTable plain = db.install(c, TableSettings.twoWay("plain"));
            assertTrue(auto.keyColumns().get(0).column().autoIncrement());
            run(c, "INSERT INTO auto VALUES (100, 'synced')", "UPDATE sqlite_sequence SET seq = 5 WHERE name = 'auto'");
            apply.advanceKeySequence(c, auto, List.of(100L));
            run(c, "INSERT INTO auto (v) VALUES ('local')");
            assertEquals(101, count(c, "SELECT max(id) FROM auto"));

            run(c, "INSERT INTO plain VALUES (50, 'synced')");
            apply.advanceKeySequence(c, plain, List.of(50L)); // no sequence: SQLite takes max(rowid) + 1
            run(c, "INSERT INTO plain (v) VALUES ('local')");
            assertEquals(51, count(c, "SELECT max(id) FROM plain"));

            run(c, "DELETE FROM sqlite_sequence");
            apply.advanceKeySequence(c, auto, List.of(100L));
            assertEquals(101, count(c, "SELECT seq FROM sqlite_sequence WHERE name = 'auto'"));
        }
    }

    @Test
    void busyOrReadOnlyDatabaseAndClosedConnectionAreTransientAndForeignKeyViolationIsRecognised() throws SQLException {
        try (Connection holder = db.connect(); Connection other = db.connect()) {
            run(holder, "CREATE TABLE parent (id INTEGER PRIMARY KEY)", "CREATE TABLE child (id INTEGER PRIMARY KEY, p INT REFERENCES parent(id))",
                    "INSERT INTO parent VALUES (1)");
            SQLException fk = assertThrows(SQLException.class, () -> run(other, "INSERT INTO child VALUES (1, 99)"));
            assertTrue(apply.isForeignKeyViolation(fk), fk.getMessage());
            assertFalse(apply.isTransient(fk));
            SQLException unique = assertThrows(SQLException.class, () -> run(other, "INSERT INTO parent VALUES (1)"));
            assertFalse(apply.isForeignKeyViolation(unique));
            assertFalse(apply.isTransient(unique));

            holder.setAutoCommit(false);
            run(holder, "INSERT INTO parent VALUES (2)");
            run(other, "PRAGMA busy_timeout = 50");
            SQLException busy = assertThrows(SQLException.class, () -> run(other, "INSERT INTO parent VALUES (3)"));
            assertTrue(apply.isTransient(busy), busy.getMessage());
            assertFalse(apply.isForeignKeyViolation(busy));
            holder.rollback();

            run(other, "PRAGMA query_only = 1");
            SQLException readOnly = assertThrows(SQLException.class, () -> run(other, "INSERT INTO parent VALUES (4)"));
            assertTrue(apply.isTransient(readOnly), readOnly.getMessage());
            run(other, "PRAGMA query_only = 0");
        }
        Connection closed = db.connect();
        Statement statement = closed.createStatement();
        closed.close();
        SQLException gone = assertThrows(SQLException.class, () -> statement.executeQuery("SELECT 1"));
        assertTrue(apply.isTransient(gone), gone.getMessage());
        SQLException gone2 = assertThrows(SQLException.class, closed::createStatement);
        assertTrue(apply.isTransient(gone2), gone2.getMessage());
    }
}
