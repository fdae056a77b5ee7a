/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.KeyCodec;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a batch of changes comes to at one target system: each change decided ({@link BatchResolution}) and, for a page
 * of a one-way table's initial load whose table says the target's extra rows go, the DELETE changes of the rows the
 * target holds in the page's key range that the source lacks ({@link ExtraTargetRows}). Keeps the target's tables
 * resolved between batches until {@link #forgetTables()}.
 */
public final class TargetResolution {

    /**
     * The key range of a page of an initial load, as its FlowFile carries it (encoded keys, see {@link KeyCodec}).
     *
     * @param after the key the page starts after, or null for the table's start
     * @param last  the key of the page's last row, or null when the page reaches the table's end
     */
    public record PageRange(String after, String last) {
    }

    /** The decisions and failures of the batch, and the deletes of the target's extra rows (already decided APPLY). */
    public record Result(BatchResolution.Result resolved, List<ChangeRecord> extraRowDeletes) {
        /** What a batch with nothing left to decide comes to. */
        public static Result empty() {
            return new Result(new BatchResolution.Result(List.of(), List.of()), List.of());
        }
    }

    private final SyncTopology topology;
    private final String targetSystem;
    private final long nearTieMicros;
    private volatile SyncedTableCache tables;

    public TargetResolution(SyncTopology topology, String targetSystem, long nearTieMicros) {
        this.topology = topology;
        this.targetSystem = targetSystem;
        this.nearTieMicros = nearTieMicros;
    }

    /**
     * Decides {@code byTable} (canonical table name to its changes) on a connection of the target.
     *
     * @param range     the page's key range, for the deletes of the target's extra rows
     * @param nowMicros the capture time of those deletes
     * @throws SQLException when the target cannot be read (a {@link org.bisync.nifi.schema.NotInstalledException} when
     *                      it lacks its installation); nothing is decided then
     */
    public Result decide(Connection connection, Map<String, List<BatchResolution.Pending>> byTable, PageRange range, long nowMicros)
            throws SQLException {
        SyncedTableCache cache = cache(connection);
        BatchResolution.Result resolved = new BatchResolution(new VersionOrder(topology::rank), targetSystem, nearTieMicros)
                .resolve(connection, cache, byTable);
        List<ChangeRecord> deletes = new ArrayList<>();
        for (Map.Entry<String, List<BatchResolution.Pending>> entry : byTable.entrySet()) {
            deletes.addAll(extraRows(connection, cache, entry.getKey(), entry.getValue(), range, nowMicros));
        }
        return new Result(resolved, deletes);
    }

    /** Whether {@code e} is an error of the target that passes (a lost connection, a lock timeout): read again at once. */
    public boolean isTransient(Exception e) {
        SyncedTableCache cache = tables;
        return cache != null && e instanceof SQLException sql && cache.dialect().apply().isTransient(sql);
    }

    /** A value-free description of {@code e}, in the target's dialect where known. */
    public String describe(Exception e) {
        if (!(e instanceof SQLException sql)) {
            return e.getMessage();
        }
        SyncedTableCache cache = tables;
        return cache == null ? DatabaseErrors.generic(sql) : cache.dialect().errors().describe(sql);
    }

    /** The target's tables are resolved again at the next batch (a column may have been dropped or added). */
    public void forgetTables() {
        tables = null;
    }

    private SyncedTableCache cache(Connection connection) throws SQLException {
        SyncedTableCache cache = tables;
        if (cache == null) {
            cache = new SyncedTableCache(topology, targetSystem, Dialects.forConnection(connection));
            tables = cache;
        }
        return cache;
    }

    private List<ChangeRecord> extraRows(Connection connection, SyncedTableCache cache, String canonical,
                                         List<BatchResolution.Pending> changes, PageRange range, long nowMicros) throws SQLException {
        TableSettings settings = topology.table(canonical).orElse(null);
        if (settings == null || !settings.deleteTargetExtraRows() || settings.flowsFrom(targetSystem)) {
            return List.of();
        }
        List<ChangeRecord> page = changes.stream().map(BatchResolution.Pending::change).filter(c -> c.operation == Operation.SNAPSHOT).toList();
        if (page.isEmpty()) {
            return List.of();
        }
        SyncedTable table;
        try {
            table = cache.installedTable(connection, canonical);
        } catch (SchemaMismatchException e) {
            return List.of(); // its records failed with the reason already
        }
        List<String> keyFields = table.keyColumns().stream().map(SyncedColumn::canonical).toList();
        Set<KeyValues> pageKeys = new HashSet<>();
        changes.forEach(pending -> pageKeys.add(KeyValues.of(pending.change().key, keyFields)));
        List<ChangeRecord> deletes = new ExtraTargetRows(cache.dialect()).deletes(connection, table, settings.source(),
                range.after() == null ? null : KeyCodec.decode(range.after()), range.last() == null ? null : KeyCodec.decode(range.last()),
                pageKeys, nowMicros);
        deletes.forEach(delete -> delete.table = page.get(0).table); // as the page names it
        return deletes;
    }
}
