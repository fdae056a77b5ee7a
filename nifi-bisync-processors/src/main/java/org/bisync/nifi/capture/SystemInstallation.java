/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What nifi-bisync installs in one system for a topology: every configured table except the views this system is the
 * source of (they carry no triggers and no version table). Installs, removes, or writes the script a DBA reviews.
 */
public final class SystemInstallation {

    /** What to do with the system's database. */
    public enum Action {
        /** Write the installation DDL and the grants, touching nothing. */
        GENERATE_INSTALL,
        /** Write the statements that would remove everything nifi-bisync created. */
        GENERATE_UNINSTALL,
        /** Create what is missing and rebuild what is outdated or broken; the script of what is installed. */
        INSTALL,
        /** Remove the triggers, version tables and shared bisync tables; the script of what was removed. */
        UNINSTALL
    }

    private final Dialect dialect;
    private final SyncTopology topology;
    private final String systemId;
    private final LongSupplier nowMicros;

    /** @throws IllegalArgumentException when the system is not part of the topology (the message lists those that are) */
    public SystemInstallation(Dialect dialect, SyncTopology topology, String systemId, LongSupplier nowMicros) {
        topology.system(systemId);
        this.dialect = dialect;
        this.topology = topology;
        this.systemId = systemId;
        this.nowMicros = nowMicros;
    }

    /**
     * Whether the table is, in this system, a view polled as a one-way source (no triggers, no version table). In the
     * systems it flows to, a view's rows land in an ordinary table, which needs its version table like any other.
     */
    public static boolean isViewSource(TableSettings settings, String systemId) {
        return settings.isView() && settings.flowsFrom(systemId);
    }

    /**
     * Performs {@code action} on the system's database.
     *
     * @param user the database user NiFi connects as, named in the generated grants
     * @return the SQL script that was generated or run
     */
    public String perform(Connection connection, Action action, String user) throws SQLException {
        TriggerInstaller installer = new TriggerInstaller(dialect);
        List<String> localNames = topology.tables().stream().filter(t -> !isViewSource(t, systemId)).map(t -> t.localName(systemId)).toList();
        switch (action) {
            case GENERATE_UNINSTALL -> {
                return installer.generateUninstallScript(localNames);
            }
            case UNINSTALL -> {
                installer.uninstall(connection, localNames, true);
                return installer.generateUninstallScript(localNames);
            }
            case INSTALL -> {
                List<SyncedTable> tables = resolve(connection);
                installer.install(connection, tables, nowMicros.getAsLong());
                return installer.generateInstallScript(tables, user);
            }
            default -> {
                return installer.generateInstallScript(resolve(connection), user);
            }
        }
    }

    private List<SyncedTable> resolve(Connection connection) throws SQLException {
        SyncedTableResolver resolver = new SyncedTableResolver(dialect, topology);
        List<SyncedTable> tables = new ArrayList<>();
        for (TableSettings settings : topology.tables()) {
            if (!isViewSource(settings, systemId)) {
                tables.add(resolver.resolve(connection, settings, systemId));
            }
        }
        return tables;
    }
}
