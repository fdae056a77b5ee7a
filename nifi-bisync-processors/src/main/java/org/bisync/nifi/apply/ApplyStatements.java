/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/** The statements of one apply transaction: version and row reads, the writes, and the read-back check. */
final class ApplyStatements {

    private final Dialect dialect;
    private final ApplyDialect sql;
    private final TypeMapping types;
    private final String target;
    private final int maxRows;

    ApplyStatements(Dialect dialect, String target, int maxRows) {
        this.dialect = dialect;
        this.sql = dialect.apply();
        this.types = dialect.types();
        this.target = target;
        this.maxRows = maxRows;
    }

    /** {@link #writeRows} then {@link #writeVersions}. */
    void execute(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes) throws SQLException {
        writeRows(connection, table, images, writes);
        writeVersions(connection, table, images, writes);
    }

    /**
     * The data rows of the writes: upserts in the order given (apply gives them in key order), deletes; a delete of a key
     * that had no row when apply locked the keys' rows is not run: it could only wait on a local INSERT of that key in
     * progress, whose trigger waits on the version row apply holds, a deadlock (the local insert ranks above apply's
     * tombstone once it goes on).
     */
    void writeRows(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes) throws SQLException {
        try {
            Map<List<SyncedColumn>, List<PlannedWrite>> upserts = new LinkedHashMap<>();
            List<PlannedWrite> deletes = new ArrayList<>();
            for (PlannedWrite write : writes) {
                if (!write.writeData) {
                    continue;
                }
                if (write.row == null) {
                    if (!write.rowAbsent) {
                        deletes.add(write);
                    }
                } else {
                    upserts.computeIfAbsent(columnsOf(table, write), k -> new ArrayList<>()).add(write);
                }
            }
            for (Map.Entry<List<SyncedColumn>, List<PlannedWrite>> group : upserts.entrySet()) {
                upsert(connection, table, group.getKey(), group.getValue());
            }
            if (!deletes.isEmpty()) {
                try (PreparedStatement delete = connection.prepareStatement(sql.deleteRow(table))) {
                    for (PlannedWrite write : deletes) {
                        bindKey(delete, 1, table, write.key);
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "22000", e);
        }
    }

    /**
     * The version rows of the writes (but those {@link #insertNewVersions} wrote), and the history rows of those apply
     * forwards itself.
     */
    void writeVersions(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes) throws SQLException {
        try {
            List<PlannedWrite> versions = writes.stream().filter(w -> !w.versionWritten).toList();
            for (int from = 0; from < versions.size(); from += maxRows) {
                List<PlannedWrite> chunk = versions.subList(from, Math.min(versions.size(), from + maxRows));
                try (PreparedStatement version = connection.prepareStatement(sql.upsertVersions(table, chunk.size()))) {
                    int index = 1;
                    for (PlannedWrite write : chunk) {
                        index = bindVersion(version, index, table, images, write);
                    }
                    version.executeUpdate();
                }
            }
            List<PlannedWrite> forwarded = writes.stream().filter(w -> w.history).toList();
            if (!forwarded.isEmpty()) {
                try (PreparedStatement history = connection.prepareStatement(sql.insertHistory())) {
                    for (PlannedWrite write : forwarded) {
                        bindHistory(history, table, images, write);
                        history.addBatch();
                    }
                    history.executeBatch();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "22000", e); // value-free: DatabaseErrors describes it by its cause
        }
    }

    /**
     * The version rows of writes whose key has none yet, with plain INSERTs: so they claim their keys as
     * {@link NewKeyClaims#claim} does (one fails on a version row another writer created meanwhile, with
     * {@link NewKeyClaims.ConcurrentNewKeyException}), and {@link #writeVersions} leaves them out.
     */
    void insertNewVersions(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes) throws SQLException {
        try {
            for (int from = 0; from < writes.size(); from += maxRows) {
                List<PlannedWrite> chunk = writes.subList(from, Math.min(writes.size(), from + maxRows));
                try (PreparedStatement version = connection.prepareStatement(KeyQueries.insertVersions(dialect, table, chunk.size()))) {
                    int index = 1;
                    for (PlannedWrite write : chunk) {
                        index = bindVersion(version, index, table, images, write);
                    }
                    version.executeUpdate();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "22000", e);
        } catch (SQLException e) {
            if (sql.isTransient(e)) {
                throw e;
            }
            // as for a claim: on a table of our own whose values apply made, a refused insert is a key created meanwhile
            throw new NewKeyClaims.ConcurrentNewKeyException(table.localName(), dialect.errors().describe(e), e);
        }
        writes.forEach(w -> w.versionWritten = true);
    }

    /** Binds a version row's parameters (see {@link org.bisync.nifi.dialect.ApplyDialect#upsertVersions}); returns the next index. */
    private int bindVersion(PreparedStatement version, int first, SyncedTable table, RowImages images, PlannedWrite write) throws SQLException {
        int index = bindKey(version, first, table, write.key);
        version.setLong(index++, write.version.number());
        version.setString(index++, write.version.origin());
        Version prev = write.original == null ? null : write.original.version();
        setLong(version, index++, prev == null ? null : prev.number());
        version.setString(index++, prev == null ? null : prev.origin());
        version.setBoolean(index++, write.row == null);
        version.setString(index++, write.storedFieldVersions(images));
        Version tombstone = write.recordedTombstone();
        setLong(version, index++, tombstone == null ? null : tombstone.number());
        version.setString(index++, tombstone == null ? null : tombstone.origin());
        version.setString(index++, write.row == null && table.keepsDeletedValues()
                ? images.image(write.keptRow, table.columns()) : null);
        return index;
    }

    private void upsert(Connection connection, SyncedTable table, List<SyncedColumn> columns, List<PlannedWrite> writes) throws SQLException {
        for (int from = 0; from < writes.size(); from += maxRows) {
            List<PlannedWrite> chunk = writes.subList(from, Math.min(writes.size(), from + maxRows));
            try (PreparedStatement upsert = connection.prepareStatement(sql.upsertRows(table, columns, chunk.size()))) {
                int index = 1;
                for (PlannedWrite write : chunk) {
                    for (SyncedColumn column : columns) {
                        Object value = column.key() ? write.key.get(column.canonical()) : write.row.get(column.canonical());
                        types.bind(upsert, index++, value, column.column());
                    }
                }
                upsert.executeUpdate();
            }
        }
    }

    /** Key columns and the writable columns the row carries (a column absent from the record is left as it is). */
    private static List<SyncedColumn> columnsOf(SyncedTable table, PlannedWrite write) {
        return table.writableColumns().stream().filter(c -> c.key() || write.row.containsKey(c.canonical())).toList();
    }

    private void bindHistory(PreparedStatement history, SyncedTable table, RowImages images, PlannedWrite write) throws SQLException {
        boolean live = write.original != null && !write.original.deleted();
        // a hub that only took a version (the row was alike) forwards it as an update that changes no field, so the
        // other spokes, where ResolveConflicts finds the row alike too, take the version without writing the row
        boolean versionOnly = !write.writeData && write.row != null && !write.resolution;
        String operation = write.row == null ? "DELETE" : live || versionOnly ? "UPDATE" : "INSERT";
        history.setString(1, table.localName());
        history.setString(2, operation);
        history.setString(3, images.image(write.key, table.keyColumns()));
        // a forwarded delete always carries its before: where tombstones keep values, those are what it keeps
        history.setString(4, versionOnly ? images.image(write.row, table.columns())
                : live || write.row == null ? images.image(write.historyBefore, table.columns()) : null);
        history.setString(5, images.image(write.row, table.columns()));
        history.setLong(6, write.version.number());
        history.setString(7, write.version.origin());
        setLong(history, 8, write.historyPrev == null ? null : write.historyPrev.number());
        history.setString(9, write.historyPrev == null ? null : write.historyPrev.origin());
        history.setString(10, write.storedFieldVersions(images));
        history.setString(11, write.historyOrigin);
        history.setString(12, RowImages.versions(write.supersedes));
        history.setString(13, write.transactionId);
        history.setLong(14, write.capturedAt);
        Version tombstone = write.recordedTombstone();
        setLong(history, 15, tombstone == null ? null : tombstone.number());
        history.setString(16, tombstone == null ? null : tombstone.origin());
    }

    int bindKey(PreparedStatement statement, int index, SyncedTable table, Map<String, Object> key) throws SQLException {
        for (SyncedColumn column : table.keyColumns()) {
            types.bind(statement, index++, key.get(column.canonical()), column.column());
        }
        return index;
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    /**
     * Reads back, in the same transaction, the version rows and data rows just written: a version row that is not the
     * one written, a row missing after an upsert or present after a delete fails the batch; a value that differs from
     * the one written (the target's own trigger or default rewrote it) is a warning.
     */
    void verify(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes, ApplyAttempt attempt) throws SQLException {
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        writes.forEach(w -> keys.put(w.keyId, w.key));
        Map<String, TargetVersion> versions = new HashMap<>();
        Map<String, Map<String, Object>> rows = new HashMap<>();
        readVersionsWithRows(connection, table, images, keys, versions, rows);
        for (PlannedWrite write : writes) {
            TargetVersion read = versions.get(write.keyId);
            if (read == null || !read.version().equals(write.version) || read.deleted() != (write.row == null)) {
                throw new VerificationFailedException("After writing, the version row of " + table.canonicalName() + ChangeRecord.keyColumns(write.key)
                        + " in system '" + target + "' reads " + (read == null ? "nothing" : read.version() + (read.deleted() ? " (deleted)" : ""))
                        + " instead of " + write.version + (write.row == null ? " (deleted)" : "") + ": nothing was applied");
            }
        }
        for (PlannedWrite write : writes) {
            if (!write.writeData) {
                continue;
            }
            Map<String, Object> row = rows.get(write.keyId);
            if (row == null && write.row != null) {
                String duplicate = duplicateUniqueValue(connection, table, write.row);
                if (duplicate != null) {
                    throw new VerificationFailedException("The row " + table.canonicalName() + ChangeRecord.keyColumns(write.key) + " cannot be "
                            + "written in system '" + target + "': " + duplicate + ": nothing was applied");
                }
            }
            if ((row == null) != (write.row == null)) {
                throw new VerificationFailedException("After writing, the row " + table.canonicalName() + ChangeRecord.keyColumns(write.key) + " in system '"
                        + target + "' is " + (row == null ? "missing" : "still there after its delete") + ": nothing was applied");
            }
            if (row == null) {
                continue;
            }
            for (SyncedColumn column : columnsOf(table, write)) {
                if (!column.key() && !images.same(write.row.get(column.canonical()), row.get(column.canonical()), column)) {
                    attempt.warnings.add("Table '" + table.canonicalName() + "' (key " + ChangeRecord.keyColumns(write.key) + ") in system '"
                            + target + "': column '" + column.local() + "' reads another value than the one written: the "
                            + "target's own trigger or default changed it. Exclude such a column from the sync or make it "
                            + "one-way, or the systems will differ");
                }
            }
        }
    }

    /**
     * Why an upserted row is not there, where the engine's upsert met another row holding the same value of a unique
     * index (see {@link ApplyDialect#uniqueIndexesTheUpsertMeets}): that index and its columns, never the value; null when
     * no such row is found.
     */
    private String duplicateUniqueValue(Connection connection, SyncedTable table, Map<String, Object> written) throws SQLException {
        for (Map.Entry<String, List<String>> index : sql.uniqueIndexesTheUpsertMeets(connection, table).entrySet()) {
            List<SyncedColumn> columns = new ArrayList<>();
            for (String local : index.getValue()) {
                table.columns().stream().filter(c -> c.local().equals(local)).findFirst().ifPresent(columns::add);
            }
            if (columns.size() != index.getValue().size() || columns.stream().anyMatch(c -> written.get(c.canonical()) == null)) {
                continue; // a column that is not synced, or a NULL, which no unique index compares equal
            }
            String select = KeyQueries.selectByKeys(dialect.identifiers(), table.localName(), index.getValue(), index.getValue(), 1);
            try (PreparedStatement statement = connection.prepareStatement(select)) {
                int parameter = 1;
                for (SyncedColumn column : columns) {
                    types.bind(statement, parameter++, written.get(column.canonical()), column.column());
                }
                try (ResultSet rs = statement.executeQuery()) {
                    if (rs.next()) {
                        return "a duplicate value of the unique index '" + index.getKey() + "' (" + String.join(", ", index.getValue())
                                + "): another row holds it (the database's upsert met that row instead of inserting this one)";
                    }
                }
            }
        }
        return null;
    }

    /**
     * The version rows of these keys and their data rows, by key id, in one read per chunk of keys (the transaction holds
     * their locks already).
     */
    private void readVersionsWithRows(Connection connection, SyncedTable table, RowImages images, Map<String, Map<String, Object>> keys,
                                      Map<String, TargetVersion> versions, Map<String, Map<String, Object>> rows) throws SQLException {
        int k = table.keyColumns().size();
        List<SyncedColumn> columns = table.columns();
        String firstKey = table.keyColumns().get(0).canonical();
        selectByKeys(connection, table, keys, size -> KeyQueries.selectVersionsWithRows(dialect, table, size), (key, rs) -> {
            String keyId = images.keyId(key);
            versions.put(keyId, new TargetVersion(new Version(rs.getLong(k + 1), rs.getString(k + 2)), rs.getBoolean(k + 3), null));
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i).canonical(), types.read(rs, k + 4 + i, columns.get(i).column()));
            }
            if (row.get(firstKey) != null) {
                rows.put(keyId, row);
            }
        });
    }

    /** The version rows of these keys by key id, locked in key order. */
    Map<String, TargetVersion> readVersions(Connection connection, SyncedTable table, RowImages images,
                                                    Map<String, Map<String, Object>> keys) throws SQLException {
        return readVersions(connection, table, images, keys, true);
    }

    /** The version rows of these keys by key id; with {@code lock}, locked in key order, else a plain read. */
    Map<String, TargetVersion> readVersions(Connection connection, SyncedTable table, RowImages images,
                                                    Map<String, Map<String, Object>> keys, boolean lock) throws SQLException {
        Map<String, TargetVersion> versions = new HashMap<>();
        int k = table.keyColumns().size();
        selectByKeys(connection, table, keys, size -> lock ? sql.selectVersions(table, size) : sql.readVersions(table, size),
                (key, rs) -> versions.put(images.keyId(key), new TargetVersion(new Version(rs.getLong(k + 1), rs.getString(k + 2)),
                        rs.getBoolean(k + 3), rs.getString(k + 4))));
        return versions;
    }

    /**
     * Locks the existing user rows of these keys, in key order (the order of {@code keys}, which apply sorts, and of each
     * statement's ORDER BY), and returns the key ids of those that exist.
     */
    Set<String> lockRows(Connection connection, SyncedTable table, RowImages images, Map<String, Map<String, Object>> keys)
            throws SQLException {
        Set<String> present = new HashSet<>();
        selectByKeys(connection, table, keys, size -> sql.lockRows(table, size), (key, rs) -> present.add(images.keyId(key)));
        return present;
    }

    /** What a statement over a chunk of keys hands back per row: the row's key (its leading columns) and the row. */
    private interface KeyedRow {
        void accept(Map<String, Object> key, ResultSet rs) throws SQLException;
    }

    /**
     * Runs the statement {@code statementForChunk} gives for each chunk of at most maxRows keys, in the order of
     * {@code keys}, binding the chunk's keys; hands every result row, with the key read from its leading columns, to
     * {@code rows}.
     */
    private void selectByKeys(Connection connection, SyncedTable table, Map<String, Map<String, Object>> keys,
                              IntFunction<String> statementForChunk, KeyedRow rows) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        List<Map<String, Object>> all = new ArrayList<>(keys.values());
        for (int from = 0; from < all.size(); from += maxRows) {
            List<Map<String, Object>> chunk = all.subList(from, Math.min(all.size(), from + maxRows));
            try (PreparedStatement select = connection.prepareStatement(statementForChunk.apply(chunk.size()))) {
                int index = 1;
                for (Map<String, Object> key : chunk) {
                    index = bindKey(select, index, table, key);
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> key = new LinkedHashMap<>();
                        for (int i = 0; i < keyColumns.size(); i++) {
                            key.put(keyColumns.get(i).canonical(), types.read(rs, i + 1, keyColumns.get(i).column()));
                        }
                        rows.accept(key, rs);
                    }
                }
            }
        }
    }

    /** The synced columns of the rows of these keys, by key id. */
    Map<String, Map<String, Object>> readRows(Connection connection, SyncedTable table, RowImages images,
                                                      Map<String, Map<String, Object>> keys) throws SQLException {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        List<SyncedColumn> columns = table.columns();
        List<Map<String, Object>> all = new ArrayList<>(keys.values());
        for (int from = 0; from < all.size(); from += maxRows) {
            List<Map<String, Object>> chunk = all.subList(from, Math.min(all.size(), from + maxRows));
            String select = KeyQueries.selectRowsByKeys(dialect, table, chunk.size());
            try (PreparedStatement statement = connection.prepareStatement(select)) {
                int index = 1;
                for (Map<String, Object> key : chunk) {
                    index = bindKey(statement, index, table, key);
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 0; i < columns.size(); i++) {
                            row.put(columns.get(i).canonical(), types.read(rs, i + 1, columns.get(i).column()));
                        }
                        rows.put(images.keyId(row), row);
                    }
                }
            }
        }
        return rows;
    }

    /** Resolutions image the target's current row as their before (and KEEP_TARGET as their row). */
    void completeResolutions(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes) throws SQLException {
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        writes.stream().filter(w -> w.resolution).forEach(w -> keys.put(w.keyId, w.key));
        if (keys.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> rows = readRows(connection, table, images, keys);
        for (PlannedWrite write : writes) {
            if (write.resolution) {
                Map<String, Object> targetRow = rows.get(write.keyId);
                write.historyBefore = targetRow;
                if (write.keepTarget) {
                    write.row = targetRow;
                }
            }
        }
    }
}
