/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.bisync.nifi.topology.TableSettings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One synced table as seen in one system: its settings, its database columns matched to canonical fields, and the
 * version bias its triggers add. Built by {@link SyncedTableResolver}; dialects generate SQL from it.
 *
 * @param settings  the table's topology settings
 * @param systemId  the system this view belongs to
 * @param metadata  the database's description of the table
 * @param columns   synced columns (key columns first, in key order, then the others in ordinal order)
 * @param bias      the version bias of this system's local writes to this table
 * @param fieldBiases local column name to the bias of its field version, for columns that carry a field version of
 *                  their own (every synced value column under field-level strategies, one-way fields otherwise);
 *                  empty when the table keeps row versions only
 * @param timestampColumn the date/time column whose value, in UTC epoch microseconds, is the number of a local INSERT's
 *                  or UPDATE's row version instead of the clock (still never below the previous number + 1; the clock
 *                  when the value is NULL and for DELETE): the table's {@code timestampField} under last-write-wins;
 *                  null to use the clock
 */
public record SyncedTable(TableSettings settings, String systemId, TableMetadata metadata, List<SyncedColumn> columns,
                          long bias, Map<String, Long> fieldBiases, ColumnInfo timestampColumn) {

    public SyncedTable {
        columns = List.copyOf(columns);
        fieldBiases = Collections.unmodifiableMap(new LinkedHashMap<>(fieldBiases));
    }

    public boolean hasFieldVersions() {
        return !fieldBiases.isEmpty();
    }

    /**
     * Whether tombstones keep the row's last values (field-level strategies): a field edit newer than the delete
     * brings the whole row back, with those values for the fields older than the delete.
     */
    public boolean keepsDeletedValues() {
        return settings.strategy().isFieldLevel();
    }

    public String localName() {
        return metadata.name();
    }

    public String canonicalName() {
        return settings.name();
    }

    public List<SyncedColumn> keyColumns() {
        return columns.stream().filter(SyncedColumn::key).toList();
    }

    public List<SyncedColumn> valueColumns() {
        return columns.stream().filter(c -> !c.key()).toList();
    }

    /** Columns apply writes: key columns and every column that is not read-only in this system. */
    public List<SyncedColumn> writableColumns() {
        return columns.stream().filter(c -> c.key() || !c.readOnly()).toList();
    }

    // plain loops: called per field of every record applied or captured
    public Optional<SyncedColumn> byCanonical(String canonical) {
        for (SyncedColumn column : columns) {
            if (column.canonical().equals(canonical)) {
                return Optional.of(column);
            }
        }
        return Optional.empty();
    }

    public Optional<SyncedColumn> byLocal(String local) {
        for (SyncedColumn column : columns) {
            if (column.local().equals(local)) {
                return Optional.of(column);
            }
        }
        return Optional.empty();
    }
}
