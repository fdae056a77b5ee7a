/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Record values as a trigger would image them ({@link TypeMapping#toImage}): to identify keys whatever Java type a
 * reader gave them, to compare what was written with what the database holds, and to write history rows.
 */
final class RowImages {

    static final ObjectMapper JSON = new ObjectMapper();

    private final SyncedTable table;
    private final TypeMapping types;

    RowImages(SyncedTable table, TypeMapping types) {
        this.table = table;
        this.types = types;
    }

    /** A stable identity of a key (canonical field to value), equal for equal keys of any Java type. */
    String keyId(Map<String, Object> key) {
        StringBuilder id = new StringBuilder();
        for (SyncedColumn column : table.keyColumns()) {
            id.append(canonicalText(types.toImage(key.get(column.canonical()), column.column()))).append('\u0001');
        }
        return id.toString();
    }

    /** Whether two values of a column are the same once imaged (numbers compared by value). */
    boolean same(Object a, Object b, SyncedColumn column) {
        JsonNode x = types.toImage(a, column.column());
        JsonNode y = types.toImage(b, column.column());
        return canonicalText(x).equals(canonicalText(y));
    }

    private static String canonicalText(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue().stripTrailingZeros().toPlainString();
        }
        return node.isTextual() ? "s" + node.asText() : node.toString();
    }

    /** A JSON object of the given columns' values present in {@code row}, keyed by local column name. */
    String image(Map<String, Object> row, Collection<SyncedColumn> columns) {
        if (row == null) {
            return null;
        }
        ObjectNode image = JSON.createObjectNode();
        for (SyncedColumn column : columns) {
            if (row.containsKey(column.canonical())) {
                image.set(column.local(), types.toImage(row.get(column.canonical()), column.column()));
            }
        }
        return image.toString();
    }

    /** {@code {"local column": [number, "origin"]}} from canonical field versions; null when there are none. */
    String fieldVersions(Map<String, Version> fieldVersions) {
        if (fieldVersions == null || fieldVersions.isEmpty()) {
            return null;
        }
        ObjectNode json = JSON.createObjectNode();
        fieldVersions.forEach((field, v) -> json.set(table.byCanonical(field).map(SyncedColumn::local).orElse(field), pair(v)));
        return json.toString();
    }

    /** {@code [[number, "origin"], ...]}; null when empty. */
    static String versions(List<Version> versions) {
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        ArrayNode array = JSON.createArrayNode();
        versions.forEach(v -> array.add(pair(v)));
        return array.toString();
    }

    private static ArrayNode pair(Version v) {
        return JSON.createArrayNode().add(v.number()).add(v.origin());
    }
}
