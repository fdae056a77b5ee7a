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
     * The version rows of {@code keyCount} keys with their data rows, in one read (no lock: apply holds them already):
     * the key columns, version_num, version_origin, deleted, then the table's synced columns as
     * {@link #selectRowsByKeys} selects them, all null when the key has no data row. Parameters: the key columns of each
     * key, key after key.
     */
    public static String selectVersionsWithRows(Dialect dialect, SyncedTable table, int keyCount) {
        SqlIdentifiers ids = dialect.identifiers();
        List<SyncedColumn> keys = table.keyColumns();
        String keyColumns = keys.stream().map(c -> "v." + ids.quote(c.local())).collect(Collectors.joining(", "));
        String rowColumns = table.columns().stream()
                .map(c -> dialect.types().selectExpression("t." + ids.quote(c.local()), c.column()))
                .collect(Collectors.joining(", "));
        String join = keys.stream().map(c -> "t." + ids.quote(c.local()) + " = v." + ids.quote(c.local())).collect(Collectors.joining(" AND "));
        String where;
        if (keys.size() == 1) {
            where = "v." + ids.quote(keys.get(0).local()) + " IN (" + String.join(", ", java.util.Collections.nCopies(keyCount, "?")) + ")";
        } else {
            String one = keys.stream().map(c -> "v." + ids.quote(c.local()) + " = ?").collect(Collectors.joining(" AND ", "(", ")"));
            where = String.join(" OR ", java.util.Collections.nCopies(keyCount, one));
        }
        return "SELECT " + keyColumns + ", v.version_num, v.version_origin, v.deleted, " + rowColumns + " FROM "
                + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " v LEFT JOIN "
                + ids.quote(table.localName()) + " t ON " + join + " WHERE " + where;
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
     * The rows whose key comes after a given key in key order (keyset paging):
     * {@code (a.k1 > ?) OR (a.k1 = ? AND a.k2 > ?) OR ...}, with {@code alias.} before each column when an alias is
     * given. Parameters: {@link #keyAfterParameters} of the key.
     */
    public static String keyAfter(SqlIdentifiers ids, String alias, List<SyncedColumn> keyColumns) {
        String prefix = alias == null ? "" : alias + ".";
        List<String> terms = new java.util.ArrayList<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            StringBuilder term = new StringBuilder("(");
            for (int j = 0; j < i; j++) {
                term.append(prefix).append(ids.quote(keyColumns.get(j).local())).append(" = ? AND ");
            }
            term.append(prefix).append(ids.quote(keyColumns.get(i).local())).append(" > ?)");
            terms.add(term.toString());
        }
        return terms.size() == 1 ? terms.get(0) : "(" + String.join(" OR ", terms) + ")";
    }

    /** The positions in the key (0-based) of the parameters of {@link #keyAfter}, in binding order. */
    public static List<Integer> keyAfterParameters(int keySize) {
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < keySize; i++) {
            for (int j = 0; j <= i; j++) {
                order.add(j);
            }
        }
        return order;
    }

    /** Binds {@code key} (record values in key order) for {@link #keyAfter} from parameter {@code first} on; returns the next index. */
    public static int bindKeyAfter(Dialect dialect, java.sql.PreparedStatement statement, int first, List<SyncedColumn> keyColumns,
                                   List<Object> key) throws java.sql.SQLException {
        int index = first;
        for (int position : keyAfterParameters(keyColumns.size())) {
            dialect.types().bind(statement, index++, key.get(position), keyColumns.get(position).column());
        }
        return index;
    }

    /**
     * The keys of a table in a key range, each with its version row's version_num and version_origin (null when it has
     * none): key columns (read with the type mapping's select expressions) in key order, version_num, version_origin.
     * The range is after a key when {@code afterKey}, and up to a key (included) when {@code upToKey}. Parameters: those
     * of {@link #keyAfter} for the lower bound, then for the upper one.
     */
    public static String selectKeysInRange(Dialect dialect, SyncedTable table, boolean afterKey, boolean upToKey) {
        SqlIdentifiers ids = dialect.identifiers();
        List<SyncedColumn> keys = table.keyColumns();
        String select = keys.stream().map(c -> dialect.types().selectExpression("t." + ids.quote(c.local()), c.column()))
                .collect(Collectors.joining(", "));
        String join = keys.stream().map(c -> "v." + ids.quote(c.local()) + " = t." + ids.quote(c.local())).collect(Collectors.joining(" AND "));
        List<String> where = new java.util.ArrayList<>();
        if (afterKey) {
            where.add(keyAfter(ids, "t", keys));
        }
        if (upToKey) {
            where.add("NOT " + keyAfter(ids, "t", keys));
        }
        return "SELECT " + select + ", v.version_num, v.version_origin FROM " + ids.quote(table.localName()) + " t LEFT JOIN "
                + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " v ON " + join
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));
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

    /**
     * Inserts {@code rowCount} version rows in one statement: a plain INSERT, so it fails on a key someone else holds.
     * Parameters per row: those of {@link ApplyDialect#upsertVersions}.
     */
    public static String insertVersions(Dialect dialect, SyncedTable table, int rowCount) {
        SqlIdentifiers ids = dialect.identifiers();
        List<String> keys = table.keyColumns().stream().map(c -> ids.quote(c.local())).toList();
        String row = "(" + String.join(", ", java.util.Collections.nCopies(keys.size() + 9, "?")) + ")";
        return "INSERT INTO " + ids.quote(ids.derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName())) + " ("
                + String.join(", ", keys) + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions, "
                + "tombstone_num, tombstone_origin, kept_data) VALUES " + String.join(", ", java.util.Collections.nCopies(rowCount, row));
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
