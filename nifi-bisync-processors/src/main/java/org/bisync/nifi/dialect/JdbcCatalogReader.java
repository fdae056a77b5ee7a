/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.TableMetadata;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Table metadata through JDBC's {@link DatabaseMetaData}, in the connection's current catalog and schema. Engines
 * whose drivers report something oddly override the hooks.
 */
public class JdbcCatalogReader implements CatalogReader {

    @Override
    public Optional<TableMetadata> readTable(Connection connection, String tableName) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String catalog = catalog(connection);
        String schema = schema(connection);
        Boolean view = null;
        try (ResultSet tables = meta.getTables(catalog, schema, escape(meta, tableName), new String[]{"TABLE", "VIEW", "BASE TABLE"})) {
            while (tables.next()) {
                if (tableName.equals(tables.getString("TABLE_NAME"))) {
                    view = "VIEW".equalsIgnoreCase(tables.getString("TABLE_TYPE"));
                }
            }
        }
        if (view == null) {
            return Optional.empty();
        }
        List<ColumnInfo> columns = new ArrayList<>();
        try (ResultSet rs = meta.getColumns(catalog, schema, escape(meta, tableName), "%")) {
            while (rs.next()) {
                if (!tableName.equals(rs.getString("TABLE_NAME"))) {
                    continue;
                }
                columns.add(column(connection, tableName, rs));
            }
        }
        TreeMap<Integer, String> key = new TreeMap<>();
        if (!view) {
            try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, tableName)) {
                while (rs.next()) {
                    key.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                }
            }
        }
        return Optional.of(new TableMetadata(tableName, columns, new ArrayList<>(key.values()), view));
    }

    /** One column from a row of {@link DatabaseMetaData#getColumns}. */
    protected ColumnInfo column(Connection connection, String tableName, ResultSet rs) throws SQLException {
        return new ColumnInfo(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME"),
                rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS"),
                rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls,
                "YES".equalsIgnoreCase(rs.getString("IS_AUTOINCREMENT")),
                "YES".equalsIgnoreCase(generatedFlag(rs)));
    }

    private static String generatedFlag(ResultSet rs) {
        try {
            return rs.getString("IS_GENERATEDCOLUMN");
        } catch (SQLException e) {
            return "NO";
        }
    }

    @Override
    public List<String> listTables(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = connection.getMetaData().getTables(catalog(connection), schema(connection), "%", new String[]{"TABLE", "VIEW", "BASE TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                if (!name.toLowerCase(java.util.Locale.ROOT).startsWith(BisyncTables.PREFIX) && !name.startsWith("sqlite_")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Override
    public List<ForeignKey> foreignKeys(Connection connection, String tableName) throws SQLException {
        return JdbcForeignKeys.read(connection.getMetaData(), catalog(connection), schema(connection), tableName);
    }

    @Override
    public List<List<String>> uniqueKeys(Connection connection, String tableName) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        java.util.Map<String, TreeMap<Integer, String>> indexes = new java.util.LinkedHashMap<>();
        java.util.Set<String> unusable = new java.util.HashSet<>();
        try (ResultSet rs = meta.getIndexInfo(catalog(connection), schema(connection), tableName, true, false)) {
            while (rs.next()) {
                String index = rs.getString("INDEX_NAME");
                if (index == null || rs.getBoolean("NON_UNIQUE") || !tableName.equals(rs.getString("TABLE_NAME"))) {
                    continue;
                }
                String column = rs.getString("COLUMN_NAME");
                String filter = rs.getString("FILTER_CONDITION");
                if (column == null || (filter != null && !filter.isBlank())) {
                    unusable.add(index);
                    continue;
                }
                indexes.computeIfAbsent(index, i -> new TreeMap<>()).put((int) rs.getShort("ORDINAL_POSITION"), column);
            }
        }
        List<List<String>> keys = new ArrayList<>();
        indexes.forEach((index, columns) -> {
            if (!unusable.contains(index)) {
                keys.add(List.copyOf(columns.values()));
            }
        });
        return keys;
    }

    protected String catalog(Connection connection) throws SQLException {
        return connection.getCatalog();
    }

    protected String schema(Connection connection) throws SQLException {
        return connection.getSchema();
    }

    private static String escape(DatabaseMetaData meta, String name) throws SQLException {
        String escape = meta.getSearchStringEscape();
        if (escape == null || escape.isEmpty()) {
            return name;
        }
        return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
