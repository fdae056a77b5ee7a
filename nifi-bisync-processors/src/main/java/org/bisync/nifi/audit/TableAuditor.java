/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Audits one table of the topology across every system that holds it: opens a connection per system, resolves the
 * table in each (the same checks as the flow: the table exists, is installed, its sync key fits), runs the
 * {@link ConsistencyAudit} and collects the report and, when asked, the repair changes per target system.
 */
public final class TableAuditor {

    /** Opens a connection to a system (the processor: through the topology's pool of that system). */
    @FunctionalInterface
    public interface Connections {
        Connection open(String systemId) throws SQLException;
    }

    /** What the audit of a table found. */
    public record Result(String table, String referenceSystem, ConsistencyAudit.Statistics statistics, List<Difference> differences,
                         Map<String, List<ChangeRecord>> repairs, Map<String, SyncedTable> tables, Map<String, Dialect> dialects) {

        public long count(Difference.Kind kind) {
            return differences.stream().filter(d -> d.kind() == kind).count();
        }
    }

    private final SyncTopology topology;
    private final Connections connections;
    private final ConsistencyAudit audit;
    private final LongSupplier nowMicros;

    public TableAuditor(SyncTopology topology, Connections connections, ConsistencyAudit audit, LongSupplier nowMicros) {
        this.topology = topology;
        this.connections = connections;
        this.audit = audit;
        this.nowMicros = nowMicros;
    }

    /**
     * The system the others are compared with: the configured one, else the source of a one-way table, else the hub,
     * else the first system.
     */
    public String referenceSystem(TableSettings settings, String configured) {
        if (configured != null && !configured.isBlank()) {
            return topology.system(configured.trim()).id();
        }
        if (settings.direction() == Direction.ONE_WAY) {
            return settings.source();
        }
        return topology.hub() != null ? topology.hub() : topology.systems().get(0).id();
    }

    public Result audit(String tableName, String configuredReference, boolean withRepairs) throws SQLException {
        TableSettings settings = topology.table(tableName).orElseThrow(() -> new IllegalArgumentException(
                "Table '" + tableName + "' is not part of the sync topology"));
        String reference = referenceSystem(settings, configuredReference);
        List<Connection> open = new ArrayList<>();
        try {
            List<AuditedSide> sides = new ArrayList<>();
            Map<String, SyncedTable> tables = new LinkedHashMap<>();
            Map<String, Dialect> dialects = new LinkedHashMap<>();
            for (SyncSystem system : systemsReferenceFirst(reference)) {
                Connection connection = connections.open(system.id());
                open.add(connection);
                Dialect dialect = Dialects.forConnection(connection);
                SyncedTable table = new SyncedTableCache(topology, system.id(), dialect).installedTable(connection, tableName);
                tables.put(system.id(), table);
                dialects.put(system.id(), dialect);
                sides.add(new AuditedSide(system.id(), connection, dialect, table));
            }
            List<Difference> differences = new ArrayList<>();
            Map<String, List<ChangeRecord>> repairs = new LinkedHashMap<>();
            RepairPlanner planner = new RepairPlanner(new VersionOrder(topology::rank), reference, nowMicros);
            List<String> valueFields = tables.get(reference).valueColumns().stream().map(SyncedColumn::canonical).toList();
            ConsistencyAudit.Statistics statistics = audit.compare(sides, comparison -> {
                differences.addAll(Difference.of(comparison, reference));
                if (withRepairs) {
                    planner.repairs(comparison, valueFields).forEach((target, change) -> {
                        if (settings.flowsTo(target)) {
                            repairs.computeIfAbsent(target, t -> new ArrayList<>()).add(change);
                        }
                    });
                }
            });
            return new Result(tableName, reference, statistics, differences, repairs, tables, dialects);
        } finally {
            for (Connection connection : open) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // closing a pooled connection after reads: nothing to undo
                }
            }
        }
    }

    private List<SyncSystem> systemsReferenceFirst(String reference) {
        List<SyncSystem> ordered = new ArrayList<>();
        ordered.add(topology.system(reference));
        topology.systems().stream().filter(s -> !s.id().equals(reference)).forEach(ordered::add);
        return ordered;
    }
}
