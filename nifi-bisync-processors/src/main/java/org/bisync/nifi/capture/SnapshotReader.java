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
 * The initial load: every existing row of a table as a SNAPSHOT change, streamed row by row (memory does not grow
 * with the table). Rows without a version row get one first, in the same transaction that reads them, so value and
 * version belong together; existing versions are kept.
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

    /** Streams the table into the sink; returns the number of rows. */
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
