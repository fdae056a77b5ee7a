/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * History rows that could not be decoded, as a JSON array: per row the reason and every column of bisync_history as
 * stored (JSON columns as their raw text), so the row can be inspected, repaired and replayed (for example written
 * back into bisync_history) instead of being lost.
 */
public final class UndecodableRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UndecodableRows() {
    }

    public static String toJson(List<HistoryFormatException> failures) {
        List<Map<String, Object>> rows = new ArrayList<>(failures.size());
        for (HistoryFormatException failure : failures) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("reason", failure.getMessage());
            row.putAll(columns(failure.row()));
            rows.add(row);
        }
        try {
            return JSON.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write history rows as JSON", e);
        }
    }

    /** The columns of bisync_history by name, in {@code BisyncTables.HISTORY_COLUMNS} order. */
    static Map<String, Object> columns(HistoryRow row) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("id", row.id());
        columns.put("table_name", row.tableName());
        columns.put("operation", row.operation());
        columns.put("key_data", row.keyData());
        columns.put("before_data", row.beforeData());
        columns.put("after_data", row.afterData());
        columns.put("version_num", row.versionNum());
        columns.put("version_origin", row.versionOrigin());
        columns.put("prev_num", row.prevNum());
        columns.put("prev_origin", row.prevOrigin());
        columns.put("field_versions", row.fieldVersions());
        columns.put("origin", row.origin());
        columns.put("supersedes", row.supersedes());
        columns.put("tx_id", row.txId());
        columns.put("captured_at", row.capturedAt());
        columns.put("tombstone_num", row.tombstoneNum());
        columns.put("tombstone_origin", row.tombstoneOrigin());
        return columns;
    }
}
