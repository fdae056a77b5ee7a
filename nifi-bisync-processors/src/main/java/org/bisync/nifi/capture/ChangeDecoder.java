/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a history row into a {@link ChangeRecord}: decodes the JSON images with the dialect's type mapping, maps local
 * column names to canonical field names, and works out which synced fields changed.
 */
public final class ChangeDecoder {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    /** Built once: {@code ObjectMapper.readTree} resolves the JsonNode type on every call. */
    private static final ObjectReader TREE = JSON.readerFor(JsonNode.class);

    private final TypeMapping types;
    private final String systemId;
    /** The key columns of the table decoded last (SyncedTable derives them on every call). */
    private volatile KeyColumns lastKeys;

    private record KeyColumns(SyncedTable table, java.util.List<SyncedColumn> columns) {
    }

    public ChangeDecoder(TypeMapping types, String systemId) {
        this.types = types;
        this.systemId = systemId;
    }

    /** The key of a history row, from its key image alone. */
    public Map<String, Object> decodeKey(long id, String keyData, SyncedTable table) {
        HistoryRow row = new HistoryRow(id, table.localName(), null, keyData, null, null, 0L, null, null, null, null, null, null, null,
                0L, null, null);
        return image(keyData, table, true, "key_data", row);
    }

    public ChangeRecord decode(HistoryRow row, SyncedTable table) {
        ChangeRecord change = new ChangeRecord();
        change.table = table.canonicalName();
        change.operation = operation(row);
        change.before = row.beforeData() == null ? null : image(row.beforeData(), table, false, "before_data", row);
        change.after = row.afterData() == null ? null : image(row.afterData(), table, false, "after_data", row);
        change.key = keyOf(change.after != null ? change.after : change.before, table);
        if (change.key == null) {
            change.key = image(row.keyData(), table, true, "key_data", row);
        }
        change.version = new Version(row.versionNum(), row.versionOrigin());
        change.prevVersion = row.prevNum() == null ? null : new Version(row.prevNum(), row.prevOrigin());
        change.origin = row.origin();
        change.sourceSystem = systemId;
        change.transactionId = row.txId();
        change.sequence = row.id();
        change.capturedAt = row.capturedAt();
        change.tombstoneVersion = row.tombstoneNum() == null ? null : new Version(row.tombstoneNum(), row.tombstoneOrigin());
        decodeFieldVersions(row, table, change);
        decodeSupersedes(row, change);
        change.changedFields.addAll(changedFields(change, table));
        return change;
    }

    private static Operation operation(HistoryRow row) {
        try {
            return Operation.valueOf(row.operation());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new HistoryFormatException(row, "operation '" + row.operation() + "' is not INSERT, UPDATE or DELETE");
        }
    }

    private Map<String, Object> image(String json, SyncedTable table, boolean keyOnly, String column, HistoryRow row) {
        JsonNode node = parse(json, column, row);
        Map<String, Object> values = new LinkedHashMap<>();
        for (SyncedColumn synced : keyOnly ? keyColumns(table) : table.columns()) {
            JsonNode value = node.get(synced.local());
            if (value == null) {
                if (keyOnly) {
                    throw new HistoryFormatException(row, column + " lacks key column '" + synced.local() + "'");
                }
                continue; // a column added after the row was captured: not part of this change
            }
            try {
                values.put(synced.canonical(), types.fromImage(value, synced.column()));
            } catch (RuntimeException e) {
                // a rejection names the column only; other exceptions (NumberFormatException, ...) may quote the value
                throw new HistoryFormatException(row, column + "." + synced.local() + ": " + (e instanceof ValueRejectedException
                        ? e.getMessage() : "its image cannot be read as " + synced.column().typeName() + " (" + e.getClass().getSimpleName() + ")"));
            }
        }
        return values;
    }

    /**
     * The key taken from the row's image, which the triggers build from the same row with the same expressions as
     * key_data (an INSERT's or UPDATE's NEW row, a DELETE's OLD row): it saves parsing key_data. Null when the image
     * lacks a key column (then key_data is read).
     */
    private Map<String, Object> keyOf(Map<String, Object> image, SyncedTable table) {
        if (image == null) {
            return null;
        }
        Map<String, Object> key = new LinkedHashMap<>();
        for (SyncedColumn column : keyColumns(table)) {
            if (!image.containsKey(column.canonical())) {
                return null;
            }
            key.put(column.canonical(), image.get(column.canonical()));
        }
        return key;
    }

    private java.util.List<SyncedColumn> keyColumns(SyncedTable table) {
        KeyColumns keys = lastKeys;
        if (keys == null || keys.table() != table) {
            keys = new KeyColumns(table, table.keyColumns());
            lastKeys = keys;
        }
        return keys.columns();
    }

    private void decodeFieldVersions(HistoryRow row, SyncedTable table, ChangeRecord change) {
        if (row.fieldVersions() == null || row.fieldVersions().isBlank()) {
            return;
        }
        JsonNode node = parse(row.fieldVersions(), "field_versions", row);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            table.byLocal(entry.getKey()).ifPresent(column ->
                    change.fieldVersions.put(column.canonical(), versionOf(entry.getValue(), "field_versions." + entry.getKey(), row)));
        }
    }

    private void decodeSupersedes(HistoryRow row, ChangeRecord change) {
        if (row.supersedes() == null || row.supersedes().isBlank()) {
            return;
        }
        for (JsonNode item : parse(row.supersedes(), "supersedes", row)) {
            change.supersedes.add(versionOf(item, "supersedes", row));
        }
    }

    private static Version versionOf(JsonNode node, String where, HistoryRow row) {
        if (!node.isArray() || node.size() != 2 || !node.get(0).isNumber() || !node.get(1).isTextual()) {
            throw new HistoryFormatException(row, where + " must be [number, \"origin\"], was " + node);
        }
        return new Version(node.get(0).longValue(), node.get(1).asText());
    }

    private static JsonNode parse(String json, String column, HistoryRow row) {
        try {
            JsonNode node = TREE.readTree(json);
            if (node == null) {
                throw new HistoryFormatException(row, column + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            // the parser's message quotes the text around the error, which may be a row value
            throw new HistoryFormatException(row, column + " is not valid JSON" + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }

    /** INSERT and SNAPSHOT: every synced field present; UPDATE: fields whose value differs; DELETE: none. */
    static java.util.List<String> changedFields(ChangeRecord change, SyncedTable table) {
        java.util.List<String> changed = new java.util.ArrayList<>();
        if (change.after == null) {
            return changed;
        }
        for (SyncedColumn column : table.columns()) {
            String field = column.canonical();
            if (!change.after.containsKey(field)) {
                continue;
            }
            if (change.before == null || !sameValue(change.before.get(field), change.after.get(field))) {
                changed.add(field);
            }
        }
        return changed;
    }

    static boolean sameValue(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0 && x.scale() == y.scale();
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        return Objects.equals(a, b);
    }
}
