/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a target holds for the keys of a batch: version rows (and rows, when a rule needs them) for all keys in
 * one query per chunk of keys, with plain reads that take no lock (ResolveConflicts only decides; apply re-checks
 * versions under lock in its own transaction), so a decision never makes a writer wait nor waits on one.
 */
public final class TargetStateReader {

    /** Keys per query: far below every engine's limit on bind parameters even for wide composite keys. */
    public static final int DEFAULT_CHUNK_SIZE = 500;

    /** Decimals in kept row images stay exact. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private final Dialect dialect;
    private final int chunkSize;
    private int queries;

    public TargetStateReader(Dialect dialect) {
        this(dialect, DEFAULT_CHUNK_SIZE);
    }

    public TargetStateReader(Dialect dialect, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("Chunk size must be positive, was " + chunkSize);
        }
        this.dialect = dialect;
        this.chunkSize = chunkSize;
    }

    /** What the target holds for the keys it could read, and why it refused the others. */
    public record Reading(Map<KeyValues, TargetState> states, Map<KeyValues, String> refused) {
    }

    /**
     * @param keys     keys by canonical field name (duplicates allowed)
     * @param withRows also read the current rows
     * @return the state of every given key; keys the target has never seen map to {@link TargetState#none()}
     * @throws IllegalArgumentException when a key does not fit the target's key columns
     */
    public Map<KeyValues, TargetState> read(Connection connection, SyncedTable table, Collection<Map<String, Object>> keys,
                                            boolean withRows) throws SQLException {
        Reading reading = read(connection, table, keys, withRows, false);
        if (!reading.refused().isEmpty()) {
            throw new IllegalArgumentException(reading.refused().values().iterator().next());
        }
        return reading.states();
    }

    /**
     * Like {@link #read}, but a key the target cannot take is refused alone instead of failing the whole batch: a key
     * the dialect cannot bind to its column (text for an integer key, a value longer than a VARCHAR key) is read as
     * NULL, which matches nothing, while the other keys are read; when a read still fails with a data exception
     * (SQLState class 22: a value the database itself refuses, such as an unknown enum label), the keys are read again
     * in halves until the refused ones are found alone. Any other error fails the whole read, as before.
     *
     * @return the states of the keys read, and the refused keys with a reason that names the key field and column,
     *         never the value
     */
    public Reading readRefusingUnfitKeys(Connection connection, SyncedTable table, Collection<Map<String, Object>> keys,
                                         boolean withRows) throws SQLException {
        return read(connection, table, keys, withRows, true);
    }

    private Reading read(Connection connection, SyncedTable table, Collection<Map<String, Object>> keys, boolean withRows,
                         boolean isolateRefused) throws SQLException {
        List<String> keyFields = table.keyColumns().stream().map(SyncedColumn::canonical).toList();
        Map<KeyValues, Map<String, Object>> distinct = new LinkedHashMap<>();
        for (Map<String, Object> key : keys) {
            distinct.putIfAbsent(KeyValues.of(key, keyFields), key);
        }
        Map<KeyValues, TargetState> states = new LinkedHashMap<>();
        distinct.keySet().forEach(k -> states.put(k, TargetState.none()));
        Map<KeyValues, String> refused = new LinkedHashMap<>();
        List<Map<String, Object>> all = new ArrayList<>(distinct.values());
        for (int from = 0; from < all.size(); from += chunkSize) {
            List<Map<String, Object>> chunk = all.subList(from, Math.min(all.size(), from + chunkSize));
            readChunk(connection, table, chunk, keyFields, withRows, states, refused, isolateRefused);
        }
        refused.keySet().forEach(states::remove);
        return new Reading(states, refused);
    }

    private void readChunk(Connection connection, SyncedTable table, List<Map<String, Object>> chunk, List<String> keyFields,
                           boolean withRows, Map<KeyValues, TargetState> states, Map<KeyValues, String> refused,
                           boolean isolateRefused) throws SQLException {
        try {
            readVersions(connection, table, chunk, keyFields, states, refused);
            if (withRows) {
                readRows(connection, table, chunk, keyFields, states, refused);
            }
        } catch (SQLException e) {
            boolean dataException = e.getSQLState() != null && e.getSQLState().startsWith("22");
            if (!isolateRefused || !dataException) {
                throw e;
            }
            if (chunk.size() == 1) {
                refused.put(KeyValues.of(chunk.get(0), keyFields), "the target refused key " + keyFields + " of table '"
                        + table.canonicalName() + "' when reading its version (SQLState " + e.getSQLState() + "); the value is not shown");
                return;
            }
            int half = chunk.size() / 2;
            readChunk(connection, table, chunk.subList(0, half), keyFields, withRows, states, refused, true);
            readChunk(connection, table, chunk.subList(half, chunk.size()), keyFields, withRows, states, refused, true);
        }
    }

    /** How many queries this reader ran so far (for tests and statistics). */
    public int queries() {
        return queries;
    }

    private void readVersions(Connection connection, SyncedTable table, List<Map<String, Object>> chunk, List<String> keyFields,
                              Map<KeyValues, TargetState> states, Map<KeyValues, String> refused) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        try (PreparedStatement statement = connection.prepareStatement(dialect.apply().readVersions(table, chunk.size()))) {
            bindKeys(statement, table, chunk, keyFields, refused);
            queries++;
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> key = new LinkedHashMap<>();
                    int index = 1;
                    for (SyncedColumn column : keyColumns) {
                        key.put(column.canonical(), dialect.types().read(rs, index++, column.column()));
                    }
                    long number = rs.getLong(index++);
                    String origin = rs.getString(index++);
                    boolean deleted = rs.getBoolean(index++);
                    String fieldVersions = rs.getString(index++);
                    long tombstoneNumber = rs.getLong(index++);
                    Version tombstone = rs.wasNull() ? null : new Version(tombstoneNumber, rs.getString(index));
                    String kept = rs.getString(index + 1);
                    KeyValues id = KeyValues.of(key, keyFields);
                    TargetState previous = states.getOrDefault(id, TargetState.none());
                    Map<String, Object> row = deleted && kept != null ? keptRow(table, kept) : previous.row();
                    states.put(id, new TargetState(new Version(number, origin), deleted, fieldVersions(table, fieldVersions),
                            row, tombstone));
                }
            }
        }
    }

    private void readRows(Connection connection, SyncedTable table, List<Map<String, Object>> chunk, List<String> keyFields,
                          Map<KeyValues, TargetState> states, Map<KeyValues, String> refused) throws SQLException {
        List<SyncedColumn> columns = table.columns();
        String sql = KeyQueries.selectRowsByKeys(dialect, table, chunk.size());
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bindKeys(statement, table, chunk, keyFields, refused);
            queries++;
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    int index = 1;
                    for (SyncedColumn column : columns) {
                        row.put(column.canonical(), dialect.types().read(rs, index++, column.column()));
                    }
                    KeyValues id = KeyValues.of(row, keyFields);
                    states.put(id, states.getOrDefault(id, TargetState.none()).withRow(row));
                }
            }
        }
    }

    /** Binds each key; one the key columns cannot take is recorded as refused and bound as NULLs, which match nothing. */
    private void bindKeys(PreparedStatement statement, SyncedTable table, List<Map<String, Object>> chunk, List<String> keyFields,
                          Map<KeyValues, String> refused) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        int first = 1;
        for (Map<String, Object> key : chunk) {
            String unfit = bindKey(statement, first, table, key);
            if (unfit != null) {
                refused.put(KeyValues.of(key, keyFields), unfit);
                bindKey(statement, first, table, null);
            }
            first += keyColumns.size();
        }
    }

    /**
     * Binds one key ({@code null}: NULLs) from parameter {@code first} on; returns why a column does not take it, or
     * null. The dialect's value rejections never quote the value; other conversion errors might, so only their column
     * is named.
     */
    private String bindKey(PreparedStatement statement, int first, SyncedTable table, Map<String, Object> key) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        for (int i = 0; i < keyColumns.size(); i++) {
            SyncedColumn column = keyColumns.get(i);
            try {
                dialect.types().bind(statement, first + i, key == null ? null : key.get(column.canonical()), column.column());
            } catch (IllegalArgumentException e) {
                return "key field '" + column.canonical() + "' does not fit key column '" + column.local() + "' ("
                        + typeOf(column.column()) + ") of table '" + table.canonicalName() + "' in the target"
                        + (e instanceof ValueRejectedException ? ": " + e.getMessage() : "; the value is not shown");
            }
        }
        return null;
    }

    private static String typeOf(ColumnInfo column) {
        boolean sized = column.size() > 0 && switch (column.jdbcType()) {
            case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.BINARY, Types.VARBINARY -> true;
            default -> false;
        };
        return column.typeName() + (sized ? "(" + column.size() + ")" : "");
    }

    /** A tombstone's kept_data image (synced columns by local name) as a row by canonical field name. */
    private Map<String, Object> keptRow(SyncedTable table, String json) throws SQLException {
        JsonNode image;
        try {
            image = JSON.readTree(json);
        } catch (IOException e) {
            throw new SQLException("Version table of '" + table.localName() + "' holds kept_data that is not JSON: " + json, e);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (SyncedColumn column : table.columns()) {
            JsonNode value = image.get(column.local());
            if (value != null) {
                row.put(column.canonical(), dialect.types().fromImage(value, column.column()));
            }
        }
        return row;
    }

    /** The version table's {@code {"local column": [number, "origin"]}} by canonical field name. */
    private static Map<String, Version> fieldVersions(SyncedTable table, String json) throws SQLException {
        Map<String, Version> versions = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return versions;
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new SQLException("Version table of '" + table.localName() + "' holds field_versions that are not JSON: " + json, e);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode pair = entry.getValue();
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToLong() || !pair.get(1).isTextual()) {
                throw new SQLException("Version table of '" + table.localName() + "': field version of '" + entry.getKey()
                        + "' must be [number, \"origin\"], was " + pair);
            }
            String canonical = table.byLocal(entry.getKey()).map(SyncedColumn::canonical).orElse(entry.getKey());
            versions.put(canonical, new Version(pair.get(0).asLong(), pair.get(1).asText()));
        }
        return versions;
    }
}
