/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.dialect.BisyncTables;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fresh PostgreSQL database with the bisync tables, and helpers the dialect tests share. */
final class PgFixture implements EngineFixture {

    @Override
    public String engine() {
        return "PostgreSQL";
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }


    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    final PostgresDialect dialect = new PostgresDialect();
    final DataSource dataSource;

    PgFixture(String databaseName) {
        dataSource = EmbeddedDatabases.postgres(databaseName);
        try (Connection connection = dataSource.getConnection()) {
            run(connection, dialect.capture().createBisyncTables());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    static void run(Connection connection, List<String> statements) throws SQLException {
        Jdbc.exec(connection, statements);
    }

    @Override
    public void exec(String... statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }

    SyncedTable resolve(TableSettings settings) throws SQLException {
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
        try (Connection connection = connect()) {
            return new SyncedTableResolver(dialect, topology).resolve(connection, settings, "A");
        }
    }

    SyncedTable install(TableSettings settings) throws SQLException {
        SyncedTable table = resolve(settings);
        try (Connection connection = connect()) {
            run(connection, dialect.capture().installTable(table));
        }
        return table;
    }

    List<History> history() throws SQLException {
        List<History> rows = new ArrayList<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT " + BisyncTables.HISTORY_COLUMNS + " FROM bisync_history ORDER BY id")) {
            while (rs.next()) {
                rows.add(new History(rs.getLong(1), rs.getString(2), rs.getString(3), json(rs.getString(4)), json(rs.getString(5)),
                        json(rs.getString(6)), rs.getLong(7), rs.getString(8), (Long) rs.getObject(9), rs.getString(10),
                        json(rs.getString(11)), rs.getString(12), rs.getString(14), rs.getLong(15)));
            }
        }
        return rows;
    }

    /** The version rows of a table by the text of their key columns joined with '|'. */
    Map<String, VersionRow> versions(SyncedTable table) throws SQLException {
        Map<String, VersionRow> rows = new LinkedHashMap<>();
        String keys = PostgresSql.keyList(table, c -> c + "::text");
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT concat_ws('|', " + keys + "), version_num, version_origin, prev_num, "
                     + "prev_origin, deleted, field_versions FROM " + PostgresSql.versionTable(table))) {
            while (rs.next()) {
                rows.put(rs.getString(1), new VersionRow(rs.getLong(2), rs.getString(3), (Long) rs.getObject(4), rs.getString(5),
                        rs.getBoolean(6), json(rs.getString(7))));
            }
        }
        return rows;
    }

    @Override
    public long count(String sql) throws SQLException {
        return Jdbc.count(dataSource, sql);
    }

    static JsonNode json(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(text, e);
        }
    }

    record History(long id, String table, String operation, JsonNode key, JsonNode before, JsonNode after, long version,
                   String versionOrigin, Long prev, String prevOrigin, JsonNode fieldVersions, String origin, String txId,
                   long capturedAt) {
    }

    record VersionRow(long number, String origin, Long prev, String prevOrigin, boolean deleted, JsonNode fieldVersions) {
    }
}
