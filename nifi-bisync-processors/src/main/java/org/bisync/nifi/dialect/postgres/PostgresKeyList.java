/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.KeyList;
import org.bisync.nifi.dialect.KeyParameters;
import org.bisync.nifi.schema.SyncedColumn;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.bisync.nifi.dialect.postgres.PostgresSql.q;

/**
 * Keys of a single-column key go as one array, {@code k = ANY(?)}: one statement text whatever the count of keys, so
 * the server plans it once per connection instead of parsing and planning hundreds of parameters each time (a read-back
 * of 500 keys joined to the user's table took 10 ms with an IN list, 2.7 ms with the array, see README). The array is
 * bound as an untyped text literal, so the server gives it the column's own array type (enums, domains, char(n), ...)
 * and parses each element with the column type's input function; the elements are the texts
 * {@link PostgresTypeMapping#keyText} makes, with the same checks as {@link PostgresTypeMapping#bind}.
 *
 * <p>A single key keeps {@code k = ?} (a plain parameter, as statements over one key are bound everywhere), and
 * composite keys keep a parameter per key column, {@code (k1, k2) IN ((?, ?), ...)}.
 */
final class PostgresKeyList implements KeyList {

    private final PostgresTypeMapping types;
    private final List<SyncedColumn> keyColumns;
    private final KeyParameters perKey;

    PostgresKeyList(PostgresTypeMapping types, List<SyncedColumn> keyColumns) {
        this.types = types;
        this.keyColumns = List.copyOf(keyColumns);
        this.perKey = new KeyParameters(types, keyColumns, this::perKeyCondition);
    }

    private boolean asArray(int keyCount) {
        return keyColumns.size() == 1 && keyCount > 1;
    }

    @Override
    public String condition(String alias, int keyCount) {
        if (!asArray(keyCount)) {
            return perKey.condition(alias, keyCount);
        }
        return (alias == null ? "" : alias + ".") + q(keyColumns.get(0).local()) + " = ANY(?)";
    }

    private String perKeyCondition(String alias, int keyCount) {
        String prefix = alias == null ? "" : alias + ".";
        if (keyColumns.size() == 1) {
            return prefix + q(keyColumns.get(0).local()) + (keyCount == 1 ? " = ?"
                    : " IN (" + String.join(", ", Collections.nCopies(keyCount, "?")) + ")");
        }
        String tuple = keyColumns.stream().map(c -> "?").collect(Collectors.joining(", ", "(", ")"));
        String columns = keyColumns.stream().map(c -> prefix + q(c.local())).collect(Collectors.joining(", ", "(", ")"));
        return columns + " IN (" + String.join(", ", Collections.nCopies(keyCount, tuple)) + ")";
    }

    @Override
    public int bind(PreparedStatement statement, int first, List<Map<String, Object>> keys, Refusal refusal) throws SQLException {
        if (!asArray(keys.size())) {
            return perKey.bind(statement, first, keys, refusal);
        }
        SyncedColumn column = keyColumns.get(0);
        StringBuilder literal = new StringBuilder("{");
        for (Map<String, Object> key : keys) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            Object value = key.get(column.canonical());
            String text;
            try {
                text = value == null ? null : types.keyText(value, column.column());
            } catch (IllegalArgumentException e) {
                if (refusal == null) {
                    throw e;
                }
                refusal.refuse(key, column, e);
                text = null;
            }
            appendElement(literal, text);
        }
        statement.setObject(first, literal.append('}').toString(), Types.OTHER);
        return first + 1;
    }

    /** An array element: NULL (matches nothing), else the text quoted, with {@code "} and {@code \} escaped. */
    private static void appendElement(StringBuilder literal, String text) {
        if (text == null) {
            literal.append("NULL");
            return;
        }
        literal.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                literal.append('\\');
            }
            literal.append(c);
        }
        literal.append('"');
    }
}
