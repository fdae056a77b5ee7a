/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a table's topology settings to a system's database metadata and says clearly what does not fit: a missing
 * table, a missing column, a table without a key, a timestamp field that is no date/time column.
 */
public final class SyncedTableResolver {

    /** Column types a timestampField may have (SQLite's catalog reader maps declared TIMESTAMP/DATETIME/DATE to these too). */
    private static final Set<Integer> TEMPORAL_TYPES = Set.of(Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE);

    private final Dialect dialect;
    private final SyncTopology topology;

    public SyncedTableResolver(Dialect dialect, SyncTopology topology) {
        this.dialect = dialect;
        this.topology = topology;
    }

    public SyncedTable resolve(Connection connection, TableSettings settings, String systemId) throws SQLException {
        String local = settings.localName(systemId);
        String where = "Table '" + settings.name() + "'" + (local.equals(settings.name()) ? "" : " ('" + local + "')")
                + " in system '" + systemId + "'";
        TableMetadata metadata = dialect.catalog().readTable(connection, local)
                .orElseThrow(() -> new SchemaMismatchException(where + " does not exist"));
        SyncedTable table = resolve(metadata, settings, systemId, where);
        if (!settings.syncKey().isEmpty() && !metadata.view()) {
            requireIdentifyingSyncKey(table, dialect.catalog().uniqueKeys(connection, local), where);
        }
        return table;
    }

    /**
     * A declared sync key must identify a row in every system: its columns NOT NULL, and a primary key, unique
     * constraint or unique index on exactly its columns in the database (otherwise two rows could match one key and a
     * change would reach the wrong row; and apply's upsert names the key as its conflict target, which PostgreSQL and
     * SQLite accept only on a unique index of exactly those columns).
     */
    static void requireIdentifyingSyncKey(SyncedTable table, List<List<String>> uniqueKeys, String where) {
        List<String> key = table.keyColumns().stream().map(SyncedColumn::local).toList();
        for (SyncedColumn column : table.keyColumns()) {
            if (column.column().nullable()) {
                throw new SchemaMismatchException(where + ": sync key column '" + column.local() + "' allows NULL; the sync key "
                        + "must be NOT NULL on every system (add a NOT NULL constraint to '" + column.local() + "')");
            }
        }
        boolean unique = uniqueKeys.stream().anyMatch(columns -> columns.size() == key.size() && key.containsAll(columns));
        if (!unique) {
            throw new SchemaMismatchException(where + ": sync key " + key + " has no UNIQUE constraint, unique index or primary "
                    + "key; the sync key must be unique on every system (add UNIQUE (" + String.join(", ", key) + ")); unique "
                    + "column sets found: " + uniqueKeys);
        }
    }

    /**
     * Checks that what nifi-bisync installs for this table is in its system: the table's version table and the shared
     * bisync tables. Capture installs them in the systems it reads; a system that is only written to (the target of a
     * one-way sync) needs ManageSyncTriggers with Action Install.
     *
     * @throws NotInstalledException naming the missing table, the system, and what to do
     */
    public void requireInstalled(Connection connection, SyncedTable table) throws SQLException {
        String system = table.systemId();
        String local = table.localName();
        String name = table.settings().name();
        String where = "Table '" + name + "'" + (local.equals(name) ? "" : " ('" + local + "')") + " in system '" + system + "'";
        String versionTable = dialect.identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, local);
        if (dialect.catalog().readTable(connection, versionTable).isEmpty()) {
            throw new NotInstalledException(where + " has no version table " + versionTable + ": " + howToInstall(system));
        }
        for (String shared : List.of(BisyncTables.HISTORY, BisyncTables.CONFIG, BisyncTables.INSTALLED)) {
            if (dialect.catalog().readTable(connection, shared).isEmpty()) {
                throw new NotInstalledException("System '" + system + "' has no bisync table " + shared + ": " + howToInstall(system));
            }
        }
    }

    private static String howToInstall(String system) {
        return "install nifi-bisync in system '" + system + "' (ManageSyncTriggers with Action Install, or a CaptureTriggerHistory "
                + "of that system)";
    }

    SyncedTable resolve(TableMetadata metadata, TableSettings settings, String systemId, String where) {
        if (metadata.view() && !settings.isView()) {
            throw new SchemaMismatchException(where + " is a view: views can only be one-way sources; configure it with "
                    + "\"direction\": \"ONE_WAY\" and \"view\": {\"changeColumn\": ...}");
        }
        List<String> keyLocal = new ArrayList<>();
        if (settings.syncKey().isEmpty()) {
            if (metadata.primaryKey().isEmpty()) {
                throw new SchemaMismatchException(where + " has no primary key: configure a sync key (\"syncKey\": [...]) "
                        + "of columns that identify a row");
            }
            keyLocal.addAll(metadata.primaryKey());
        } else {
            for (String canonical : settings.syncKey()) {
                keyLocal.add(settings.localFieldName(canonical, systemId));
            }
        }
        for (String name : settings.includedFields()) {
            requireColumn(metadata, settings.localFieldName(name, systemId), where, "included field '" + name + "'");
        }
        List<SyncedColumn> columns = new ArrayList<>();
        for (String keyColumn : keyLocal) {
            ColumnInfo column = requireColumn(metadata, keyColumn, where, "sync key column '" + keyColumn + "'");
            requireNoVersionColumnName(keyColumn, where);
            columns.add(new SyncedColumn(settings.canonicalFieldName(keyColumn, systemId), column, true, false));
        }
        Map<String, Long> fieldBiases = new LinkedHashMap<>();
        for (ColumnInfo column : metadata.columns()) {
            if (keyLocal.contains(column.name()) || isOwnGeneratedKey(metadata, settings, column)) {
                continue;
            }
            String canonical = settings.canonicalFieldName(column.name(), systemId);
            if (!settings.isSynced(canonical)) {
                continue;
            }
            // a one-way field flows from its owner: apply never writes it back into the owner
            boolean ownedOneWay = settings.field(canonical).oneWay() && systemId.equals(settings.field(canonical).owner());
            boolean readOnly = column.generated() || column.autoIncrement() || ownedOneWay;
            columns.add(new SyncedColumn(canonical, column, false, readOnly));
            if (settings.strategy().isFieldLevel() || settings.field(canonical).oneWay()) {
                fieldBiases.put(column.name(), fieldBias(settings, systemId, canonical));
            }
        }
        return new SyncedTable(settings, systemId, metadata, columns, topology.bias(settings, systemId, null), fieldBiases,
                timestampColumn(metadata, settings, systemId, where));
    }

    /**
     * The version table holds the key columns beside its own; a key column of the same name would clash (MariaDB would
     * even merge the two into one column without a word).
     */
    private void requireNoVersionColumnName(String keyColumn, String where) {
        for (String own : BisyncTables.VERSION_COLUMNS) {
            if (dialect.identifiers().sameColumnName(keyColumn, own)) {
                throw new SchemaMismatchException(where + ": key column '" + keyColumn + "' has the name of a column of nifi-bisync's "
                        + "version table, which holds the key columns beside its own (" + String.join(", ", BisyncTables.VERSION_COLUMNS)
                        + "): rename the column, or configure a sync key (\"syncKey\") of other columns");
            }
        }
    }

    /**
     * A generated primary key column (identity, serial, auto-increment) of a table matched on another sync key: each
     * database hands out its own values, so it is never synced (inserts on both sides must not collide on it).
     */
    private static boolean isOwnGeneratedKey(TableMetadata metadata, TableSettings settings, ColumnInfo column) {
        return !settings.syncKey().isEmpty() && metadata.primaryKey().contains(column.name())
                && (column.autoIncrement() || column.generated());
    }

    /** The local column of the table's {@code timestampField}, checked: it exists, holds a date or time, and the table is last-write-wins. */
    private static ColumnInfo timestampColumn(TableMetadata metadata, TableSettings settings, String systemId, String where) {
        String field = settings.timestampField();
        if (field == null) {
            return null;
        }
        if (settings.strategy() != Strategy.LAST_WRITE_WINS) {
            throw new SchemaMismatchException(where + ": \"timestampField\": \"" + field + "\" only applies to the LAST_WRITE_WINS "
                    + "strategy, but the table's strategy is " + settings.strategy() + "; remove timestampField or use LAST_WRITE_WINS");
        }
        String local = settings.localFieldName(field, systemId);
        ColumnInfo column = requireColumn(metadata, local, where, "timestamp field '" + field + "'"
                + (local.equals(field) ? "" : " ('" + local + "')"));
        if (!TEMPORAL_TYPES.contains(column.jdbcType())) {
            throw new SchemaMismatchException(where + ": timestamp field '" + field + "' is column '" + local + "' of type "
                    + column.typeName() + ", which is not a date/time type; it must be a TIMESTAMP, DATETIME or DATE column");
        }
        return column;
    }

    private long fieldBias(TableSettings settings, String systemId, String canonical) {
        if (settings.field(canonical).oneWay()) {
            return 0L;
        }
        return topology.bias(settings, systemId, canonical);
    }

    private static ColumnInfo requireColumn(TableMetadata metadata, String column, String where, String what) {
        return metadata.column(column).orElseThrow(() -> new SchemaMismatchException(where + ": " + what
                + " does not exist; columns are " + metadata.columns().stream().map(ColumnInfo::name).toList()));
    }
}
