/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** The synced tables of the target that a foreign key names by local name (a parent or a child of the applied table). */
final class RelatedTables {

    /** A synced table with the row images of its values. */
    record Related(SyncedTable table, RowImages images) {
    }

    private final Dialect dialect;
    private final SyncTopology topology;
    private final String target;

    RelatedTables(Dialect dialect, SyncTopology topology, String target) {
        this.dialect = dialect;
        this.topology = topology;
        this.target = target;
    }

    /**
     * The table of that local name in the target, or empty when the topology does not sync it.
     *
     * @throws org.bisync.nifi.schema.SchemaMismatchException when it is synced but does not match its settings
     */
    Optional<Related> find(Connection connection, String localName) throws SQLException {
        Optional<TableSettings> settings = topology.tableByLocalName(localName, target);
        if (settings.isEmpty()) {
            return Optional.empty();
        }
        SyncedTable table = new SyncedTableResolver(dialect, topology).resolve(connection, settings.get(), target);
        return Optional.of(new Related(table, new RowImages(table, dialect.types())));
    }
}
