/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One poll of a system's history: reads unreleased rows, groups them per table in capture order, decodes them, and
 * sorts out what must not travel (tables that do not flow from this system, edits of one-way fields it does not own).
 * Every row read is accounted for in the result, so all of them can be released once the result is safely emitted.
 */
public final class CapturePoll {

    /** The changes of one table, in capture order. */
    public record TableBatch(SyncedTable table, List<ChangeRecord> changes) {
    }

    /**
     * @param batches    changes to emit, per table
     * @param failed     rows that could not be decoded, with why
     * @param notSentIds rows that must not travel (one-way): no target will ever acknowledge them
     * @param readIds    every history id read: emitted, failed or not sent
     */
    public record Result(List<TableBatch> batches, List<HistoryFormatException> failed, List<Long> notSentIds, List<Long> readIds) {
        public int notSent() {
            return notSentIds.size();
        }

        /** The ids read that travel (emitted, or failed and parked): kept until every target acknowledged them. */
        public List<Long> travellingIds() {
            if (notSentIds.isEmpty()) {
                return readIds;
            }
            java.util.Set<Long> notSent = new java.util.HashSet<>(notSentIds);
            return readIds.stream().filter(id -> !notSent.contains(id)).toList();
        }

        public int emitted() {
            return batches.stream().mapToInt(b -> b.changes().size()).sum();
        }
    }

    /** Resolves a history row's local table name into its synced table, or empty when the topology has no such table. */
    public interface TableLookup {
        Optional<SyncedTable> byLocalName(Connection connection, String localName) throws SQLException;
    }

    private final HistoryReader reader;
    private final ChangeDecoder decoder;
    private final String systemId;

    public CapturePoll(HistoryReader reader, ChangeDecoder decoder, String systemId) {
        this.reader = reader;
        this.decoder = decoder;
        this.systemId = systemId;
    }

    /** Reads up to {@code limit} rows and about {@code maxBytes} of row images (see {@link HistoryReader#readUnreleased}). */
    public Result poll(Connection connection, TableLookup tables, int limit, long maxBytes) throws SQLException {
        List<HistoryRow> rows = reader.readUnreleased(connection, limit, maxBytes);
        Map<String, TableBatch> batches = new LinkedHashMap<>();
        List<HistoryFormatException> failed = new ArrayList<>();
        List<Long> ids = new ArrayList<>(rows.size());
        List<Long> notSent = new ArrayList<>();
        Map<String, Lookup> lookups = new HashMap<>(); // per local table name, once per poll
        for (HistoryRow row : rows) {
            ids.add(row.id());
            Lookup lookup = lookups.get(row.tableName());
            if (lookup == null) {
                lookup = lookup(connection, tables, row.tableName());
                lookups.put(row.tableName(), lookup);
            }
            if (lookup.error() != null) {
                failed.add(new HistoryFormatException(row, lookup.error()));
                continue;
            }
            if (!lookup.flowsFrom() && row.origin().equals(systemId)) {
                notSent.add(row.id());
                continue;
            }
            ChangeRecord change;
            try {
                change = decoder.decode(row, lookup.table());
            } catch (HistoryFormatException e) {
                failed.add(e);
                continue;
            }
            if (!withoutForeignOneWayFields(change, lookup)) {
                notSent.add(row.id());
                continue;
            }
            SyncedTable table = lookup.table();
            batches.computeIfAbsent(row.tableName(), name -> new TableBatch(table, new ArrayList<>())).changes().add(change);
        }
        return new Result(new ArrayList<>(batches.values()), failed, notSent, ids);
    }

    /** A local table name resolved once per poll: the table, or why its rows fail. */
    private record Lookup(SyncedTable table, String error, boolean flowsFrom, boolean hasOneWayFields, List<String> foreignOneWayFields) {
    }

    private Lookup lookup(Connection connection, TableLookup tables, String localName) throws SQLException {
        Optional<SyncedTable> table;
        try {
            table = tables.byLocalName(connection, localName);
        } catch (SchemaMismatchException e) {
            return new Lookup(null, e.getMessage(), false, false, List.of());
        }
        if (table.isEmpty()) {
            return new Lookup(null, "the table is not part of the sync topology any more", false, false, List.of());
        }
        TableSettings settings = table.get().settings();
        Set<String> oneWay = settings.oneWayFields();
        List<String> foreign = new ArrayList<>();
        for (String field : oneWay) {
            if (!settings.fieldFlowsFrom(field, systemId)) {
                foreign.add(field);
            }
        }
        return new Lookup(table.get(), null, settings.flowsFrom(systemId), !oneWay.isEmpty(), foreign);
    }

    /**
     * Removes one-way fields this system does not own from a local edit (they flow only from their owner). Returns
     * false when nothing that may travel is left of an UPDATE.
     */
    private boolean withoutForeignOneWayFields(ChangeRecord change, Lookup lookup) {
        if (!change.origin.equals(systemId) || !lookup.hasOneWayFields()) {
            return true;
        }
        for (String field : lookup.foreignOneWayFields()) {
            if (change.before != null) {
                change.before.remove(field);
            }
            if (change.after != null) {
                change.after.remove(field);
            }
            change.changedFields.remove(field);
            change.fieldVersions.remove(field);
        }
        return change.operation != Operation.UPDATE || !change.changedFields.isEmpty();
    }
}
