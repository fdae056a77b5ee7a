/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.JdbcCatalogReader;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.TableMetadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * pgjdbc's metadata, corrected from pg_catalog: the type name is the base {@code pg_type.typname} (pgjdbc says
 * {@code serial} for an int4 with a sequence default), sizes come from the type modifier (0 = unconstrained: varchar
 * without length, numeric without precision), the scale of time types is their fractional digits, identity and serial
 * columns are auto-increment, and generated columns are flagged.
 */
final class PostgresCatalogReader extends JdbcCatalogReader {

    private static final String COLUMNS = """
            SELECT a.attname, t.typname, t.typtype, a.atttypmod, a.attidentity <> '' AS identity,
                   a.attgenerated <> '' AS generated,
                   pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL AS serial
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_type t ON t.oid = a.atttypid
            WHERE n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped""";

    @Override
    public Optional<TableMetadata> readTable(Connection connection, String tableName) throws SQLException {
        Optional<TableMetadata> read = super.readTable(connection, tableName);
        if (read.isEmpty()) {
            return read;
        }
        TableMetadata table = read.get();
        List<ColumnInfo> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setString(1, tableName);
            Map<String, Attribute> attributes = new HashMap<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    attributes.put(rs.getString(1), new Attribute(rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getBoolean(5) || rs.getBoolean(7), rs.getBoolean(6)));
                }
            }
            for (ColumnInfo column : table.columns()) {
                Attribute attribute = attributes.get(column.name());
                columns.add(attribute == null ? column : attribute.correct(column));
            }
        }
        return Optional.of(new TableMetadata(table.name(), columns, table.primaryKey(), table.view()));
    }

    @Override
    protected String schema(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_schema()")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private record Attribute(String typeName, String typeType, int typmod, boolean autoIncrement, boolean generated) {

        ColumnInfo correct(ColumnInfo column) {
            int size = column.size();
            int scale = column.scale();
            int jdbcType = column.jdbcType();
            switch (typeName) {
                case "varchar", "bpchar" -> {
                    size = typmod < 0 ? 0 : typmod - 4;
                    scale = 0;
                }
                case "numeric" -> {
                    size = typmod < 0 ? 0 : ((typmod - 4) >> 16) & 0xffff;
                    scale = typmod < 0 ? 0 : (short) ((typmod - 4) & 0xffff);
                }
                case "time", "timetz", "timestamp", "timestamptz" -> scale = typmod < 0 ? 6 : typmod;
                default -> {
                    if ("e".equals(typeType)) {
                        jdbcType = Types.OTHER;
                    }
                }
            }
            return new ColumnInfo(column.name(), jdbcType, typeName, size, scale, column.nullable(), autoIncrement, generated);
        }
    }
}
