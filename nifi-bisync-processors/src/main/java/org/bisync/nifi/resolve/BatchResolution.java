/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides the changes of a batch, table by table, against one target system: reads the target's versions (and rows
 * where a rule needs them) for all keys of a table without locking, then lets the {@link Resolver} decide each change.
 * A change that cannot be decided on (its table does not match the target's, a key field is missing, a key the target's
 * key columns cannot take, an invalid record) is returned as a failure naming the record, never decided.
 */
public final class BatchResolution {

    /** A change to decide and its position in its FlowFile (for messages). */
    public record Pending(int index, ChangeRecord change) {
    }

    /** A change of {@code table} (canonical name) decided: the decision is written into {@code change}, the verdict says how. */
    public record Decided(String table, int index, ChangeRecord change, Verdict verdict) {
    }

    /** A change that cannot be decided on, and why (a value-free sentence naming the record and the field). */
    public record Failed(int index, String error) {
    }

    /** What a batch came to, each list in the order of the tables given and of their changes. */
    public record Result(List<Decided> decided, List<Failed> failed) {
    }

    private final VersionOrder order;
    private final String targetSystem;
    private final long nearTieMicros;

    /** @param order the version order all systems share (the topology's ranks) */
    public BatchResolution(VersionOrder order, String targetSystem, long nearTieMicros) {
        this.order = order;
        this.targetSystem = targetSystem;
        this.nearTieMicros = nearTieMicros;
    }

    /**
     * Decides every change of {@code byTable} (canonical table name to its changes) on a connection of the target,
     * reading only: the connection runs in autoCommit for the time of it, so no transaction and no lock is held.
     *
     * @throws SQLException when the target cannot be read; nothing is decided then
     */
    public Result resolve(Connection connection, SyncedTableCache cache, Map<String, List<Pending>> byTable) throws SQLException {
        List<Decided> decided = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            connection.setAutoCommit(true);
        }
        try {
            for (Map.Entry<String, List<Pending>> entry : byTable.entrySet()) {
                resolveTable(connection, cache, entry.getKey(), entry.getValue(), decided, failed);
            }
        } finally {
            if (!autoCommit) {
                connection.setAutoCommit(false);
            }
        }
        return new Result(decided, failed);
    }

    private void resolveTable(Connection connection, SyncedTableCache cache, String canonical, List<Pending> changes,
                              List<Decided> decided, List<Failed> failed) throws SQLException {
        SyncedTable table;
        try {
            table = cache.installedTable(connection, canonical);
        } catch (SchemaMismatchException e) {
            cache.invalidate();
            changes.forEach(p -> failed.add(new Failed(p.index(), "Record " + p.index() + ": " + e.getMessage())));
            return;
        }
        List<String> keyFields = table.keyColumns().stream().map(SyncedColumn::canonical).toList();
        List<Pending> decidable = new ArrayList<>();
        for (Pending pending : changes) {
            List<String> missing = keyFields.stream().filter(f -> pending.change().key.get(f) == null).toList();
            if (missing.isEmpty()) {
                decidable.add(pending);
            } else {
                failed.add(new Failed(pending.index(), "Record " + pending.index() + ": field 'key' lacks "
                        + missing + " of table '" + canonical + "' (sync key " + keyFields + ")"));
            }
        }
        if (decidable.isEmpty()) {
            return;
        }
        Resolver resolver = new Resolver(table.settings().strategy(), order, nearTieMicros);
        TargetStateReader.Reading reading = new TargetStateReader(cache.dialect()).readRefusingUnfitKeys(connection, table,
                decidable.stream().map(p -> p.change().key).toList(), needsRows(table, decidable));
        for (Pending pending : decidable) {
            ChangeRecord change = pending.change();
            KeyValues key = KeyValues.of(change.key, keyFields);
            String refused = reading.refused().get(key);
            if (refused != null) {
                failed.add(new Failed(pending.index(), "Record " + pending.index() + ": " + refused + " (system '" + targetSystem + "')"));
                continue;
            }
            try {
                decided.add(new Decided(canonical, pending.index(), change, resolver.decide(change, stateFor(table, change, reading, key))));
            } catch (InvalidChangeException e) {
                failed.add(new Failed(pending.index(), "Record " + pending.index() + ": " + e.getMessage()));
            }
        }
    }

    /** Whether a rule needs the target's rows, not only its versions. */
    private static boolean needsRows(SyncedTable table, List<Pending> changes) {
        return table.settings().strategy() == Strategy.MANUAL
                || table.settings().strategy().isFieldLevel()
                || changes.stream().anyMatch(p -> p.change().resolution != null
                        || p.change().operation == Operation.SNAPSHOT
                        || p.change().changedFields.isEmpty() && !p.change().operation.removesRow());
    }

    private static TargetState stateFor(SyncedTable table, ChangeRecord change, TargetStateReader.Reading reading, KeyValues key) {
        TargetState state = reading.states().getOrDefault(key, TargetState.none());
        if (change.operation == Operation.SNAPSHOT && state.version() == null && state.row() != null
                && table.settings().flowsFrom(table.systemId())) {
            // the target holds the row but has not stamped it yet (its own initial load has not run): measure
            // against the version that load will stamp, never a silent overwrite. A one-way target sends
            // nothing back and loads nothing: the source's row replaces its own
            return new TargetState(InitialVersion.of(table, state.row()), false, Map.of(), state.row());
        }
        return state;
    }
}
