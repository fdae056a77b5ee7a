/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** A fresh MariaDB database per test class, with helpers to install a table and read what the triggers wrote. */
final class MariaDbFixture implements EngineFixture {

    @Override
    public String engine() {
        return "MariaDB";
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }


    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    final MariaDbDialect dialect = new MariaDbDialect();
    final DataSource dataSource;

    MariaDbFixture(String database) {
        this.dataSource = EmbeddedDatabases.mariadb(database);
    }

    @Override
    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public void exec(String... statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }

    static void exec(Connection c, String... statements) throws SQLException {
        Jdbc.exec(c, statements);
    }

    static void exec(Connection c, List<String> statements) throws SQLException {
        Jdbc.exec(c, statements);
    }

    List<Map<String, Object>> query(String sql) throws SQLException {
        return Jdbc.rows(dataSource, sql);
    }

    static List<Map<String, Object>> query(Connection c, String sql) throws SQLException {
        return Jdbc.rows(c, sql);
    }

    static SyncTopology topology(TableSettings settings) {
        return new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
    }

    SyncedTable resolve(TableSettings settings, String system) throws SQLException {
        try (Connection c = connect()) {
            return new SyncedTableResolver(dialect, topology(settings)).resolve(c, settings, system);
        }
    }

    /** Creates the bisync tables and installs the table's triggers as system A. */
    SyncedTable install(TableSettings settings) throws SQLException {
        SyncedTable table = resolve(settings, "A");
        try (Connection c = connect()) {
            exec(c, dialect.capture().createBisyncTables());
            exec(c, dialect.capture().installTable(table));
        }
        return table;
    }

    List<Map<String, Object>> history() throws SQLException {
        return query("SELECT * FROM bisync_history ORDER BY id");
    }

    List<Map<String, Object>> history(String table) throws SQLException {
        return history().stream().filter(r -> table.equals(r.get("table_name"))).toList();
    }

    static JsonNode json(Object text) {
        try {
            return text == null ? null : JSON.readTree(text.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long num(Object value) {
        return ((Number) value).longValue();
    }
}
