/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.JdbcCatalogReader;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.TableMetadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads tables from information_schema of the current database instead of the driver's metadata, which cannot tell
 * tinyint(1) from tinyint, a JSON column (longtext with a json_valid check) from longtext, or report unsigned types.
 * {@link ColumnInfo#typeName()} is one of the names of {@link MariaDbType}; {@code size} is the precision of numbers,
 * the length in characters of char/varchar, in bytes of binary/varbinary and of text and blob types, the width of
 * bit; {@code scale} is the scale of decimals and the fractional digits of time, datetime and timestamp.
 */
final class MariaDbCatalogReader extends JdbcCatalogReader {

    @Override
    public Optional<TableMetadata> readTable(Connection connection, String tableName) throws SQLException {
        Boolean view = null;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (tableName.equals(rs.getString(1))) {
                        view = "VIEW".equalsIgnoreCase(rs.getString(2));
                    }
                }
            }
        }
        if (view == null) {
            return Optional.empty();
        }
        Set<String> jsonColumns = jsonColumns(connection, tableName);
        List<ColumnInfo> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
                + "CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, "
                + "IS_NULLABLE, EXTRA, IS_GENERATED FROM information_schema.COLUMNS "
                + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (tableName.equals(rs.getString(1))) {
                        columns.add(column(rs, jsonColumns.contains(rs.getString(2))));
                    }
                }
            }
        }
        List<String> key = new ArrayList<>();
        if (!view) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                    + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX")) {
                ps.setString(1, tableName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (tableName.equals(rs.getString(1))) {
                            key.add(rs.getString(2));
                        }
                    }
                }
            }
        }
        return Optional.of(new TableMetadata(tableName, columns, key, view));
    }

    private static Set<String> jsonColumns(Connection connection, String tableName) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                + "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(2);
                    String clause = rs.getString(3);
                    if (tableName.equals(rs.getString(1)) && clause != null
                            && clause.replace(" ", "").equalsIgnoreCase("json_valid(`" + column.replace("`", "``").replace(" ", "") + "`)")) {
                        names.add(column);
                    }
                }
            }
        }
        return names;
    }

    private static ColumnInfo column(ResultSet rs, boolean json) throws SQLException {
        String name = rs.getString("COLUMN_NAME");
        String dataType = rs.getString("DATA_TYPE").toLowerCase(Locale.ROOT);
        String columnType = rs.getString("COLUMN_TYPE").toLowerCase(Locale.ROOT);
        boolean unsigned = columnType.contains("unsigned");
        long charLength = rs.getLong("CHARACTER_MAXIMUM_LENGTH");
        long octetLength = rs.getLong("CHARACTER_OCTET_LENGTH");
        int precision = rs.getInt("NUMERIC_PRECISION");
        int scale = rs.getInt("NUMERIC_SCALE");
        int fraction = rs.getInt("DATETIME_PRECISION");
        boolean nullable = "YES".equalsIgnoreCase(rs.getString("IS_NULLABLE"));
        String extra = String.valueOf(rs.getString("EXTRA")).toLowerCase(Locale.ROOT);
        boolean autoIncrement = extra.contains("auto_increment");
        boolean generated = "ALWAYS".equalsIgnoreCase(rs.getString("IS_GENERATED")) || extra.contains("generated");
        MariaDbType type = MariaDbType.of(dataType, columnType, unsigned, json);
        int size;
        int digits = 0;
        switch (type) {
            case DECIMAL -> {
                size = precision;
                digits = scale;
            }
            case CHAR, VARCHAR -> size = (int) Math.min(Integer.MAX_VALUE, charLength);
            case TEXT, JSON, BINARY, VARBINARY, BLOB -> size = (int) Math.min(Integer.MAX_VALUE, octetLength);
            case BIT -> size = precision;
            case TIME, DATETIME, TIMESTAMP -> {
                size = fraction;
                digits = fraction;
            }
            default -> size = precision;
        }
        return new ColumnInfo(name, type.jdbcType(), type.name(), size, digits, nullable, autoIncrement, generated);
    }
}
