/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.ViewStateSql;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Capture of a view, which carries no triggers: each poll reads the view's rows, compares each key's row hash with
 * what the previous poll remembered in {@code bisync_view_state}, and turns the differences into changes: new keys are
 * INSERTs, changed hashes UPDATEs, keys gone DELETEs, emitted in the order of the view's change column. A full
 * comparison per poll means a late-committed row is never skipped, whatever its change column says.
 * Versions follow the per-row rule {@code max(NiFi clock, previous + 1)} with this system as origin.
 * The remembered state is written only by {@link #remember}, once the emitted changes are safely committed in NiFi:
 * until then the next poll finds the same differences again (at-least-once).
 */
public final class ViewPoller {

    /** What a poll found, and the state to remember once it is emitted. */
    public record Poll(List<ChangeRecord> changes, List<StateChange> stateChanges) {
    }

    /** A row of bisync_view_state to insert, update or delete. */
    public record StateChange(String keyHash, String keyData, String rowHash, long version, Operation operation) {
    }

    private record Remembered(String keyData, String rowHash, long version) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dialect dialect;
    private final String systemId;
    private final LongSupplier clockMicros;

    public ViewPoller(Dialect dialect, String systemId, LongSupplier clockMicros) {
        this.dialect = dialect;
        this.systemId = systemId;
        this.clockMicros = clockMicros;
    }

    public Poll poll(Connection connection, SyncedTable view) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(ViewStateSql.CREATE);
        }
        Map<String, Remembered> remembered = remembered(connection, view.localName());
        List<ChangeRecord> changes = new ArrayList<>();
        List<StateChange> state = new ArrayList<>();
        List<SyncedColumn> columns = view.columns();
        String select = dialect.capture().selectViewRows(view, view.settings().localFieldName(view.settings().viewChangeColumn(), systemId));
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(select)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                ObjectNode keyImage = JSON.createObjectNode();
                ObjectNode rowImage = JSON.createObjectNode();
                for (int i = 0; i < columns.size(); i++) {
                    SyncedColumn column = columns.get(i);
                    Object value = dialect.types().read(rs, i + 1, column.column());
                    row.put(column.canonical(), value);
                    JsonNode image = dialect.types().toImage(value, column.column());
                    rowImage.set(column.local(), image);
                    if (column.key()) {
                        keyImage.set(column.local(), image);
                    }
                }
                String keyData = keyImage.toString();
                String keyHash = TriggerInstaller.hash(keyData);
                String rowHash = TriggerInstaller.hash(rowImage.toString());
                Remembered before = remembered.remove(keyHash);
                if (before != null && before.rowHash().equals(rowHash)) {
                    continue;
                }
                Version prev = before == null ? null : new Version(before.version(), systemId);
                Version version = new Version(Math.max(clockMicros.getAsLong(), before == null ? 0 : before.version() + 1), systemId);
                changes.add(change(view, before == null ? Operation.INSERT : Operation.UPDATE, row, version, prev));
                state.add(new StateChange(keyHash, keyData, rowHash, version.number(), before == null ? Operation.INSERT : Operation.UPDATE));
            }
        }
        for (Map.Entry<String, Remembered> gone : remembered.entrySet()) {
            Remembered before = gone.getValue();
            Map<String, Object> key = keyFromImage(view, before.keyData());
            Version version = new Version(Math.max(clockMicros.getAsLong(), before.version() + 1), systemId);
            ChangeRecord delete = change(view, Operation.DELETE, key, version, new Version(before.version(), systemId));
            changes.add(delete);
            state.add(new StateChange(gone.getKey(), before.keyData(), before.rowHash(), version.number(), Operation.DELETE));
        }
        return new Poll(changes, state);
    }

    /** Stores what a poll found, after its changes were committed in NiFi. */
    public void remember(Connection connection, String viewName, List<StateChange> stateChanges) throws SQLException {
        Transactions.inTransaction(connection, () -> {
            try (PreparedStatement insert = connection.prepareStatement(ViewStateSql.INSERT);
                 PreparedStatement update = connection.prepareStatement(ViewStateSql.UPDATE);
                 PreparedStatement delete = connection.prepareStatement(ViewStateSql.DELETE)) {
                for (StateChange change : stateChanges) {
                    switch (change.operation()) {
                        case INSERT -> {
                            insert.setString(1, viewName);
                            insert.setString(2, change.keyHash());
                            insert.setString(3, change.keyData());
                            insert.setString(4, change.rowHash());
                            insert.setLong(5, change.version());
                            insert.addBatch();
                        }
                        case UPDATE -> {
                            update.setString(1, change.rowHash());
                            update.setLong(2, change.version());
                            update.setString(3, viewName);
                            update.setString(4, change.keyHash());
                            update.addBatch();
                        }
                        default -> {
                            delete.setString(1, viewName);
                            delete.setString(2, change.keyHash());
                            delete.addBatch();
                        }
                    }
                }
                insert.executeBatch();
                update.executeBatch();
                delete.executeBatch();
            }
            return null;
        });
    }

    private ChangeRecord change(SyncedTable view, Operation operation, Map<String, Object> row, Version version, Version prev) {
        ChangeRecord change = new ChangeRecord();
        change.table = view.canonicalName();
        change.operation = operation;
        for (SyncedColumn column : view.keyColumns()) {
            change.key.put(column.canonical(), row.get(column.canonical()));
        }
        change.after = operation == Operation.DELETE ? null : row;
        change.version = version;
        change.prevVersion = prev;
        change.origin = systemId;
        change.sourceSystem = systemId;
        change.capturedAt = clockMicros.getAsLong();
        change.changedFields.addAll(ChangeDecoder.changedFields(change, view));
        return change;
    }

    private Map<String, Object> keyFromImage(SyncedTable view, String keyData) {
        try {
            JsonNode node = JSON.readTree(keyData);
            Map<String, Object> key = new LinkedHashMap<>();
            for (SyncedColumn column : view.keyColumns()) {
                key.put(column.canonical(), dialect.types().fromImage(node.get(column.local()), column.column()));
            }
            return key;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("bisync_view_state holds an unreadable key for " + view.localName() + ": " + keyData, e);
        }
    }

    private static Map<String, Remembered> remembered(Connection connection, String viewName) throws SQLException {
        Map<String, Remembered> result = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(ViewStateSql.SELECT)) {
            statement.setString(1, viewName);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    result.put(rs.getString(1), new Remembered(rs.getString(2), rs.getString(3), rs.getLong(4)));
                }
            }
        }
        return result;
    }
}
