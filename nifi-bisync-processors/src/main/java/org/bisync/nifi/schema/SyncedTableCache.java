/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The synced tables of one system, resolved against its database once and kept until {@link #invalidate()} (a
 * processor invalidates when it is rescheduled, sees a schema error, or meets a table or column that is gone or new).
 */
public final class SyncedTableCache {

    private final SyncTopology topology;
    private final String systemId;
    private final Dialect dialect;
    private final SyncedTableResolver resolver;
    private final Map<String, SyncedTable> tables = new ConcurrentHashMap<>();
    private final Map<String, SyncedTable> installed = new ConcurrentHashMap<>();

    public SyncedTableCache(SyncTopology topology, String systemId, Dialect dialect) {
        this.topology = topology;
        this.systemId = systemId;
        this.dialect = dialect;
        this.resolver = new SyncedTableResolver(dialect, topology);
    }

    /** The table of that canonical name, resolved on first use. */
    public SyncedTable table(Connection connection, String canonicalName) throws SQLException {
        SyncedTable cached = tables.get(canonicalName);
        if (cached != null) {
            return cached;
        }
        TableSettings settings = topology.table(canonicalName).orElseThrow(() -> new SchemaMismatchException(
                "Table '" + canonicalName + "' is not part of the sync topology; configured tables: "
                        + topology.tables().stream().map(TableSettings::name).toList()));
        SyncedTable resolved = resolver.resolve(connection, settings, systemId);
        tables.put(canonicalName, resolved);
        return resolved;
    }

    /**
     * The table of that canonical name, like {@link #table}, once its system is known to hold its version table and
     * the bisync tables (checked on first use; a missing installation is checked again on the next call).
     *
     * @throws NotInstalledException when the system lacks them, saying what to install where
     */
    public SyncedTable installedTable(Connection connection, String canonicalName) throws SQLException {
        SyncedTable checked = installed.get(canonicalName);
        if (checked != null) {
            return checked;
        }
        SyncedTable table = table(connection, canonicalName);
        resolver.requireInstalled(connection, table);
        installed.put(canonicalName, table);
        return table;
    }

    /** Forgets one table: it is resolved against the database again at its next use. */
    public void invalidate(String canonicalName) {
        tables.remove(canonicalName);
        installed.remove(canonicalName);
    }

    public void invalidate() {
        tables.clear();
        installed.clear();
    }

    public SyncTopology topology() {
        return topology;
    }

    public String systemId() {
        return systemId;
    }

    public Dialect dialect() {
        return dialect;
    }
}
