/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedColumn;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The portable {@link KeyList}: a parameter per key column of each key, key after key, in a condition such as
 * {@link KeyQueries#keyPredicate} builds (or the one given).
 */
public final class KeyParameters implements KeyList {

    /** Builds the condition for an alias (or null) and a count of keys. */
    public interface Condition {
        String of(String alias, int keyCount);
    }

    private final TypeMapping types;
    private final List<SyncedColumn> keyColumns;
    private final Condition condition;

    /** With {@link KeyQueries#keyPredicate}'s condition. */
    public KeyParameters(SqlIdentifiers ids, TypeMapping types, List<SyncedColumn> keyColumns) {
        this(types, keyColumns, (alias, keyCount) -> KeyQueries.keyPredicate(ids, alias, keyColumns.stream().map(SyncedColumn::local).toList(),
                keyCount));
    }

    public KeyParameters(TypeMapping types, List<SyncedColumn> keyColumns, Condition condition) {
        this.types = types;
        this.keyColumns = List.copyOf(keyColumns);
        this.condition = condition;
    }

    @Override
    public String condition(String alias, int keyCount) {
        return condition.of(alias, keyCount);
    }

    @Override
    public int bind(PreparedStatement statement, int first, List<Map<String, Object>> keys, Refusal refusal) throws SQLException {
        int index = first;
        for (Map<String, Object> key : keys) {
            bindKey(statement, index, key, refusal);
            index += keyColumns.size();
        }
        return index;
    }

    private void bindKey(PreparedStatement statement, int first, Map<String, Object> key, Refusal refusal) throws SQLException {
        for (int i = 0; i < keyColumns.size(); i++) {
            SyncedColumn column = keyColumns.get(i);
            try {
                types.bind(statement, first + i, key.get(column.canonical()), column.column());
            } catch (IllegalArgumentException e) {
                if (refusal == null) {
                    throw e;
                }
                refusal.refuse(key, column, e);
                for (int j = 0; j < keyColumns.size(); j++) {
                    types.bind(statement, first + j, null, keyColumns.get(j).column()); // NULLs match nothing
                }
                return;
            }
        }
    }
}
