/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A one-way table whose initial load deletes the target's extra rows: for one page of the source's load (every source
 * row with a key in a range when it was read), the rows the target holds in that range that the page lacks and that
 * no sync wrote (no version row, or one the target's own writes gave it), as DELETE changes from the source, each
 * ranked above what the target holds. A row the source inserted after the page was read reaches the target with the
 * source's version and is not touched.
 */
public final class ExtraTargetRows {

    private final Dialect dialect;

    public ExtraTargetRows(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * @param target    the table as resolved in the target system
     * @param sourceId  the one-way table's source system
     * @param after     the key the page starts after, or null for the table's start
     * @param last      the key of the page's last row, or null when the page reaches the table's end
     * @param pageKeys  the keys of the page's rows
     */
    public List<ChangeRecord> deletes(Connection connection, SyncedTable target, String sourceId, List<Object> after, List<Object> last,
                                      Set<KeyValues> pageKeys, long nowMicros) throws SQLException {
        List<SyncedColumn> keys = target.keyColumns();
        List<String> keyFields = keys.stream().map(SyncedColumn::canonical).collect(Collectors.toList());
        List<ChangeRecord> deletes = new ArrayList<>();
        String sql = KeyQueries.selectKeysInRange(dialect, target, after != null, last != null);
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int index = 1;
            if (after != null) {
                index = KeyQueries.bindKeyAfter(dialect, select, index, keys, after);
            }
            if (last != null) {
                KeyQueries.bindKeyAfter(dialect, select, index, keys, last);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> key = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        key.put(keys.get(i).canonical(), dialect.types().read(rs, i + 1, keys.get(i).column()));
                    }
                    String origin = rs.getString(keys.size() + 2);
                    Version held = origin == null ? null : new Version(rs.getLong(keys.size() + 1), origin);
                    if (pageKeys.contains(KeyValues.of(key, keyFields)) || held != null && !held.origin().equals(target.systemId())) {
                        continue;
                    }
                    deletes.add(delete(target, sourceId, key, held, nowMicros));
                }
            }
        }
        return deletes;
    }

    private static ChangeRecord delete(SyncedTable target, String sourceId, Map<String, Object> key, Version held, long nowMicros) {
        ChangeRecord change = new ChangeRecord();
        change.table = target.canonicalName();
        change.operation = Operation.DELETE;
        change.key = key;
        change.version = new Version(held == null ? 1 : held.number() + 1, sourceId);
        change.prevVersion = held;
        change.origin = sourceId;
        change.sourceSystem = sourceId;
        change.capturedAt = nowMicros;
        change.decision = Decision.APPLY;
        change.expectedVersion = held;
        return change;
    }
}
