/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDatabasesTest {

    private static final String UNICODE = "Grüße, 東京, emoji \uD83D\uDE00";

    @Test
    void postgresFreshDatabaseWithTrigger() throws SQLException {
        final DataSource ds = EmbeddedDatabases.postgres("pg_basic");
        execute(ds,
                "CREATE TABLE item (id INT PRIMARY KEY, name TEXT NOT NULL)",
                "CREATE TABLE audit (item_id INT, op TEXT)",
                "CREATE FUNCTION log_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "INSERT INTO audit VALUES (NEW.id, TG_OP); RETURN NEW; END $$",
                "CREATE TRIGGER item_ai AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item()");
        insertAndCheck(ds);
        assertTrue(queryStrings(ds, "SELECT version()").getFirst().startsWith("PostgreSQL 17"));

        // a second call gives an empty database of the same name, even while a connection to the old one is open
        try (Connection open = ds.getConnection()) {
            final DataSource again = EmbeddedDatabases.postgres("pg_basic");
            assertEquals(List.of(), queryStrings(again,
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"));
            assertTrue(open.isClosed() || !open.isValid(1));
        }
        assertTrue(EmbeddedDatabases.postgresJdbcUrl("pg_basic").startsWith("jdbc:postgresql://127.0.0.1:"));
    }

    @Test
    void mariadbFreshDatabaseWithTriggerAndStrictMode() throws SQLException {
        final DataSource ds = EmbeddedDatabases.mariadb("maria_basic");
        mariadbTableAndTrigger(ds);
        insertAndCheck(ds);
        assertTrue(queryStrings(ds, "SELECT VERSION()").getFirst().startsWith("11.4.5"), "server version");
        assertTrue(queryStrings(ds, "SELECT @@sql_mode").getFirst().contains("STRICT_TRANS_TABLES"));
        assertEquals(List.of("utf8mb4_bin"), queryStrings(ds,
                "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'maria_basic'"));
        execute(ds, "CREATE TABLE short_text (v VARCHAR(3))");
        assertThrows(SQLException.class, () -> execute(ds, "INSERT INTO short_text VALUES ('too long')"),
                "strict mode rejects truncation");

        final DataSource again = EmbeddedDatabases.mariadb("maria_basic");
        assertEquals(List.of(), queryStrings(again, "SHOW TABLES"));
        assertTrue(EmbeddedDatabases.mariadbJdbcUrl("maria_basic").startsWith("jdbc:mariadb://127.0.0.1:"));
    }

    @Test
    void mariadb1011FreshDatabaseWithTrigger() throws SQLException {
        final DataSource ds = EmbeddedDatabases.mariadb1011("maria_legacy");
        mariadbTableAndTrigger(ds);
        insertAndCheck(ds);
        assertTrue(queryStrings(ds, "SELECT VERSION()").getFirst().startsWith("10.11.5"), "server version");
        assertTrue(queryStrings(ds, "SELECT @@sql_mode").getFirst().contains("STRICT_TRANS_TABLES"));
        final String url11 = EmbeddedDatabases.mariadbJdbcUrl("x");
        assertFalse(url11.equals(EmbeddedDatabases.mariadb1011JdbcUrl("x")), "two servers, two ports");
    }

    @Test
    void sqliteFreshFileWithTriggerForeignKeysAndWal() throws SQLException {
        final DataSource ds = EmbeddedDatabases.sqlite("lite_basic");
        execute(ds,
                "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                "CREATE TABLE audit (item_id INTEGER REFERENCES item(id), op TEXT)",
                "CREATE TRIGGER item_ai AFTER INSERT ON item BEGIN INSERT INTO audit VALUES (NEW.id, 'INSERT'); END");
        insertAndCheck(ds);
        assertEquals(List.of("wal"), queryStrings(ds, "PRAGMA journal_mode"));
        assertEquals(List.of("1"), queryStrings(ds, "PRAGMA foreign_keys"));
        assertEquals(List.of("10000"), queryStrings(ds, "PRAGMA busy_timeout"));
        assertThrows(SQLException.class, () -> execute(ds, "INSERT INTO audit VALUES (99, 'orphan')"));

        final DataSource again = EmbeddedDatabases.sqlite("lite_basic");
        assertEquals(List.of(), queryStrings(again, "SELECT name FROM sqlite_master"));
        assertTrue(EmbeddedDatabases.sqliteUrl("lite_basic").startsWith("jdbc:sqlite:/"));
    }

    @Test
    void rejectsUnsafeNames() {
        assertThrows(IllegalArgumentException.class, () -> EmbeddedDatabases.sqlite("../escape"));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedDatabases.sqliteUrl("a b"));
    }

    private static void mariadbTableAndTrigger(final DataSource ds) throws SQLException {
        execute(ds,
                "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)",
                "CREATE TABLE audit (item_id INT, op VARCHAR(10))",
                "CREATE TRIGGER item_ai AFTER INSERT ON item FOR EACH ROW INSERT INTO audit VALUES (NEW.id, 'INSERT')");
    }

    private static void insertAndCheck(final DataSource ds) throws SQLException {
        try (Connection connection = ds.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, UNICODE);
            insert.executeUpdate();
            insert.setInt(1, 2);
            insert.setString(2, "");
            insert.executeUpdate();
        }
        assertEquals(List.of(UNICODE, ""), queryStrings(ds, "SELECT name FROM item ORDER BY id"));
        assertEquals(List.of("1:INSERT", "2:INSERT"), auditRows(ds), "rows written by the trigger");
    }

    private static List<String> auditRows(final DataSource ds) throws SQLException {
        final List<String> rows = new ArrayList<>();
        try (Connection connection = ds.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT item_id, op FROM audit ORDER BY item_id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + ":" + rs.getString(2));
            }
        }
        return rows;
    }

    static void execute(final DataSource ds, final String... statements) throws SQLException {
        try (Connection connection = ds.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    static List<String> queryStrings(final DataSource ds, final String sql) throws SQLException {
        final List<String> values = new ArrayList<>();
        try (Connection connection = ds.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
