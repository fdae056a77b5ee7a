/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.JdbcCatalogReader;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.TableMetadata;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Table metadata from {@code sqlite_schema} and {@code PRAGMA table_xinfo}, which (unlike the driver's
 * DatabaseMetaData) give the declared type with its size and scale ("DECIMAL(10,2)": the driver reports a column size
 * of 12), name generated columns, and need no LIKE-escaping of table names.
 * <ul>
 * <li>typeName is the declared type without its "(size, scale)" part, as declared (for example {@code VARCHAR});</li>
 * <li>size/scale come from the declared "(p, s)" (0 when none);</li>
 * <li>an {@code INTEGER PRIMARY KEY} (the rowid, which SQLite fills when NULL is inserted) is reported as
 *     autoIncrement, with or without the AUTOINCREMENT keyword;</li>
 * <li>generated (virtual or stored) columns are reported as generated.</li>
 * </ul>
 */
final class SqliteCatalogReader extends JdbcCatalogReader {

    private static final Pattern TYPE = Pattern.compile("^([^(]*)(?:\\(\\s*([+-]?\\d+)\\s*(?:,\\s*([+-]?\\d+)\\s*)?\\))?(.*)$", Pattern.DOTALL);

    @Override
    public Optional<TableMetadata> readTable(Connection connection, String tableName) throws SQLException {
        String type;
        String sql;
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT type, sql FROM sqlite_schema WHERE name = ? AND type IN ('table', 'view')")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                type = rs.getString(1);
                sql = rs.getString(2);
            }
        }
        boolean view = "view".equals(type);
        boolean withoutRowid = sql != null && sql.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ").contains("WITHOUT ROWID");
        List<Raw> raws = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int hidden = rs.getInt(5);
                    if (hidden == 1) {
                        continue; // hidden column of a virtual table
                    }
                    raws.add(new Raw(rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getInt(4), hidden >= 2));
                }
            }
        }
        TreeMap<Integer, String> key = new TreeMap<>();
        if (!view) {
            raws.stream().filter(r -> r.pk > 0).forEach(r -> key.put(r.pk, r.name));
        }
        List<ColumnInfo> columns = new ArrayList<>();
        for (Raw raw : raws) {
            boolean rowid = !view && !withoutRowid && key.size() == 1 && raw.pk == 1
                    && "INTEGER".equalsIgnoreCase(raw.declared == null ? "" : raw.declared.trim());
            columns.add(column(raw, rowid));
        }
        return Optional.of(new TableMetadata(tableName, columns, new ArrayList<>(key.values()), view));
    }

    /** From {@code pragma_index_list}/{@code pragma_index_info}, plus the primary key (a rowid key has no index). */
    @Override
    public List<List<String>> uniqueKeys(Connection connection, String tableName) throws SQLException {
        List<List<String>> keys = new ArrayList<>();
        Optional<TableMetadata> table = readTable(connection, tableName);
        if (table.isEmpty() || table.get().view()) {
            return keys;
        }
        if (!table.get().primaryKey().isEmpty()) {
            keys.add(table.get().primaryKey());
        }
        List<String> indexes = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND partial = 0 AND origin <> 'pk'")) {
            ps.setString(1, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
        }
        for (String index : indexes) {
            List<String> columns = new ArrayList<>();
            boolean expression = false;
            try (PreparedStatement ps = connection.prepareStatement("SELECT name FROM pragma_index_info(?) ORDER BY seqno")) {
                ps.setString(1, index);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String column = rs.getString(1);
                        expression |= column == null;
                        columns.add(column);
                    }
                }
            }
            if (!expression && !columns.isEmpty()) {
                keys.add(List.copyOf(columns));
            }
        }
        return keys;
    }

    private static ColumnInfo column(Raw raw, boolean rowid) {
        String declared = raw.declared == null ? "" : raw.declared.trim();
        Matcher m = TYPE.matcher(declared);
        String name = declared;
        int size = 0;
        int scale = 0;
        if (m.matches()) {
            name = (m.group(1).trim() + " " + m.group(4).trim()).trim();
            size = m.group(2) == null ? 0 : Math.max(0, Integer.parseInt(m.group(2)));
            scale = m.group(3) == null ? 0 : Math.max(0, Integer.parseInt(m.group(3)));
        }
        SqliteType kind = SqliteType.of(name);
        boolean nullable = !raw.notNull && !rowid;
        return new ColumnInfo(raw.name, kind.jdbcType, name, size, scale, nullable, rowid, raw.generated);
    }

    private record Raw(String name, String declared, boolean notNull, int pk, boolean generated) {
    }
}
