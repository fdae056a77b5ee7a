/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.List;
import java.util.stream.Collectors;

/** Portable SQL that selects rows by a list of keys, shared by every dialect and by the engines. */
public final class KeyQueries {

    private KeyQueries() {
    }

    /**
     * {@code SELECT columns FROM table WHERE (k1 = ? AND k2 = ?) OR (...)} for {@code keyCount} keys; parameters are
     * the key columns of each key, key after key.
     */
    public static String selectByKeys(SqlIdentifiers ids, String table, List<String> columns, List<String> keyColumns, int keyCount) {
        String select = columns.stream().map(ids::quote).collect(Collectors.joining(", "));
        return "SELECT " + select + " FROM " + ids.quote(table) + " WHERE " + keyPredicate(ids, keyColumns, keyCount);
    }

    /**
     * The synced columns of {@code keyCount} rows of a table, each selected so the dialect's {@code read} gets its
     * exact value, in {@link SyncedTable#columns()} order. Parameters: the key columns of each key, key after key.
     */
    public static String selectRowsByKeys(Dialect dialect, SyncedTable table, int keyCount) {
        SqlIdentifiers ids = dialect.identifiers();
        String select = table.columns().stream()
                .map(c -> dialect.types().selectExpression(ids.quote(c.local()), c.column()))
                .collect(Collectors.joining(", "));
        return "SELECT " + select + " FROM " + ids.quote(table.localName()) + " WHERE "
                + keyPredicate(ids, table.keyColumns().stream().map(SyncedColumn::local).toList(), keyCount);
    }

    /**
     * {@code k IN (?, ?, ...)} for a single-column key (planned as one index scan; hundreds of OR terms cost PostgreSQL
     * far more to plan than to run), else {@code (k1 = ? AND k2 = ?) OR (...)} for {@code keyCount} keys.
     */
    public static String keyPredicate(SqlIdentifiers ids, List<String> keyColumns, int keyCount) {
        if (keyColumns.size() == 1) {
            return ids.quote(keyColumns.get(0)) + " IN (" + String.join(", ", java.util.Collections.nCopies(keyCount, "?")) + ")";
        }
        String one = keyColumns.stream().map(c -> ids.quote(c) + " = ?").collect(Collectors.joining(" AND ", "(", ")"));
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < keyCount; i++) {
            if (i > 0) {
                sql.append(" OR ");
            }
            sql.append(one);
        }
        return sql.toString();
    }

    /**
     * Inserts placeholder version rows (number 0, empty origin) for {@code rowCount} keys in one statement: a plain
     * INSERT, so it fails on a key someone else holds. Parameters per key: the key columns, then {@code deleted} (false).
     */
    public static String insertPlaceholderVersions(Dialect dialect, SyncedTable table, int rowCount) {
        SqlIdentifiers ids = dialect.identifiers();
        List<String> keys = table.keyColumns().stream().map(c -> ids.quote(c.local())).toList();
        String row = "(" + String.join(", ", java.util.Collections.nCopies(keys.size(), "?")) + ", 0, '', ?)";
        return "INSERT INTO " + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " ("
                + String.join(", ", keys) + ", version_num, version_origin, deleted) VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row));
    }

    /** Deletes the placeholder version rows left among {@code keyCount} keys. Parameters: the key columns of each key. */
    public static String deletePlaceholderVersions(Dialect dialect, SyncedTable table, int keyCount) {
        SqlIdentifiers ids = dialect.identifiers();
        return "DELETE FROM " + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName()))
                + " WHERE version_origin = '' AND (" + keyPredicate(ids, table.keyColumns().stream().map(SyncedColumn::local).toList(), keyCount) + ")";
    }
    /**
     * The tombstones of a table's version table: the key columns, version_num, version_origin, at most {@code limit}
     * of them. Parameter: {@code deleted} (true).
     */
    public static String selectTombstones(Dialect dialect, SyncedTable table, int limit) {
        SqlIdentifiers ids = dialect.identifiers();
        String keys = table.keyColumns().stream().map(c -> ids.quote(c.local())).collect(Collectors.joining(", "));
        return "SELECT " + keys + ", version_num, version_origin FROM "
                + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " WHERE deleted = ? LIMIT " + limit;
    }

    /**
     * Deletes one tombstone if it is still the same tombstone. Parameters: the key columns, {@code deleted} (true),
     * version_num, version_origin.
     */
    public static String deleteTombstone(Dialect dialect, SyncedTable table) {
        SqlIdentifiers ids = dialect.identifiers();
        return "DELETE FROM " + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " WHERE "
                + keyPredicate(ids, table.keyColumns().stream().map(SyncedColumn::local).toList(), 1)
                + " AND deleted = ? AND version_num = ? AND version_origin = ?";
    }
}
