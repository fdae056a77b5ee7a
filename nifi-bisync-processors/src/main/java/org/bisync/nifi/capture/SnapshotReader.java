/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The initial load: every existing row of a table as a SNAPSHOT change, read in pages in key order (keyset paging: a
 * page is the rows after the last key of the previous one), so memory does not grow with the table, no lock is held
 * for longer than a page, and a load stopped between pages goes on from the last page's key. Rows of a page without a
 * version row get one first, in the same transaction that reads them, so value and version belong together; existing
 * versions are kept.
 */
public final class SnapshotReader {

    /** Receives the rows one at a time. */
    public interface Sink {
        void accept(ChangeRecord change) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FETCH_SIZE = 1000;

    private final Dialect dialect;
    private final String systemId;

    public SnapshotReader(Dialect dialect, String systemId) {
        this.dialect = dialect;
        this.systemId = systemId;
    }

    /**
     * What one page read: its rows, the key of its last row (record values in key order), and whether the table ended
     * within the page (no row after that key was there when it was read).
     */
    public record Page(long rows, List<Object> lastKey, boolean complete) {
    }

    /**
     * Reads, in one transaction, at most {@code limit} rows after {@code afterKey} (from the first row when null), in
     * key order, into the sink. A row found without a version (one that moved into the page after the stamp, as when
     * rows before it were deleted meanwhile) ends the page before it: the next page stamps it.
     */
    public Page readPage(Connection connection, SyncedTable table, List<Object> afterKey, int limit, long nowMicros, Sink sink)
            throws SQLException, IOException {
        List<SyncedColumn> keys = table.keyColumns();
        return Transactions.<Page, IOException>inTransaction(connection, () -> {
            try (PreparedStatement stamp = connection.prepareStatement(dialect.capture().stampMissingVersions(table, afterKey != null, limit))) {
                if (afterKey != null) {
                    KeyQueries.bindKeyAfter(dialect, stamp, 1, keys, afterKey);
                }
                stamp.executeUpdate();
            }
            long count = 0;
            List<Object> last = afterKey;
            try (PreparedStatement select = connection.prepareStatement(dialect.capture().selectSnapshot(table, afterKey != null, limit))) {
                if (afterKey != null) {
                    KeyQueries.bindKeyAfter(dialect, select, 1, keys, afterKey);
                }
                select.setFetchSize(Math.min(FETCH_SIZE, limit));
                try (ResultSet rs = select.executeQuery()) {
                    List<SyncedColumn> columns = table.columns();
                    while (rs.next()) {
                        if (rs.getString(columns.size() + 2) == null) {
                            return new Page(count, last, false);
                        }
                        ChangeRecord change = change(rs, table, columns, nowMicros);
                        last = keys.stream().map(k -> change.key.get(k.canonical())).toList();
                        sink.accept(change);
                        count++;
                    }
                }
            }
            return new Page(count, last, count < limit);
        });
    }

    /** Streams the whole table into the sink in one transaction; returns the number of rows. */
    public long read(Connection connection, SyncedTable table, long nowMicros, Sink sink) throws SQLException, IOException {
        return Transactions.<Long, IOException>inTransaction(connection, () -> {
            try (Statement stamp = connection.createStatement()) {
                stamp.executeUpdate(dialect.capture().stampMissingVersions(table));
            }
            long count = 0;
            try (PreparedStatement select = connection.prepareStatement(dialect.capture().selectSnapshot(table))) {
                select.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = select.executeQuery()) {
                    List<SyncedColumn> columns = table.columns();
                    while (rs.next()) {
                        sink.accept(change(rs, table, columns, nowMicros));
                        count++;
                    }
                }
            }
            return count;
        });
    }

    private ChangeRecord change(ResultSet rs, SyncedTable table, List<SyncedColumn> columns, long nowMicros) throws SQLException {
        ChangeRecord change = new ChangeRecord();
        change.table = table.canonicalName();
        change.operation = Operation.SNAPSHOT;
        change.after = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            SyncedColumn column = columns.get(i);
            Object value = dialect.types().read(rs, i + 1, column.column());
            change.after.put(column.canonical(), value);
            if (column.key()) {
                change.key.put(column.canonical(), value);
            }
        }
        int next = columns.size() + 1;
        change.version = new Version(rs.getLong(next), rs.getString(next + 1));
        String fieldVersions = rs.getString(next + 2);
        if (fieldVersions != null && !fieldVersions.isBlank()) {
            try {
                JsonNode node = JSON.readTree(fieldVersions);
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    table.byLocal(e.getKey()).ifPresent(c -> change.fieldVersions.put(c.canonical(),
                            new Version(e.getValue().get(0).longValue(), e.getValue().get(1).asText())));
                }
            } catch (IOException e) {
                throw new SQLException("field_versions of a row of '" + table.localName() + "' is not valid JSON", e);
            }
        }
        change.changedFields.addAll(ChangeDecoder.changedFields(change, table));
        change.origin = change.version.origin();
        change.sourceSystem = systemId;
        change.capturedAt = nowMicros;
        return change;
    }
}
