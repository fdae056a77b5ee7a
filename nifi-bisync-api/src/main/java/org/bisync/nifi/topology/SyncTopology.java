/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The systems of a sync and the tables they share.
 *
 * @param systems the systems, each with its priority
 * @param tables  the synced tables
 * @param hub     the hub system of a hub-and-spoke topology, or null
 */
public record SyncTopology(List<SyncSystem> systems, List<TableSettings> tables, String hub) {

    public SyncTopology {
        systems = List.copyOf(systems);
        tables = List.copyOf(tables);
        Map<String, SyncSystem> seen = new LinkedHashMap<>();
        for (SyncSystem system : systems) {
            if (seen.put(system.id(), system) != null) {
                throw new IllegalArgumentException("System '" + system.id() + "' is defined twice");
            }
        }
        if (hub != null && !seen.containsKey(hub)) {
            throw new IllegalArgumentException("Hub '" + hub + "' is not one of the systems " + seen.keySet());
        }
        Map<String, TableSettings> names = new LinkedHashMap<>();
        for (TableSettings table : tables) {
            if (names.put(table.name(), table) != null) {
                throw new IllegalArgumentException("Table '" + table.name() + "' is defined twice");
            }
            checkSystemNamed(seen.keySet(), table, table.source(), "source");
            table.localNames().keySet().forEach(id -> checkSystemNamed(seen.keySet(), table, id, "table name mapping"));
            table.fields().forEach((field, settings) -> {
                checkSystemNamed(seen.keySet(), table, settings.owner(), "owner of field '" + field + "'");
                settings.names().keySet().forEach(id -> checkSystemNamed(seen.keySet(), table, id, "name mapping of field '" + field + "'"));
            });
        }
    }

    private static void checkSystemNamed(java.util.Set<String> systemIds, TableSettings table, String systemId, String what) {
        if (systemId != null && !systemIds.contains(systemId)) {
            throw new IllegalArgumentException("Table '" + table.name() + "': " + what + " names unknown system '" + systemId + "'");
        }
    }

    public Optional<SyncSystem> findSystem(String id) {
        return systems.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public SyncSystem system(String id) {
        return findSystem(id).orElseThrow(() -> new IllegalArgumentException("Unknown system '" + id + "'; known: "
                + systems.stream().map(SyncSystem::id).toList()));
    }

    /** Priority rank of a system; an unknown origin ranks lowest. */
    public int rank(String systemId) {
        return findSystem(systemId).map(SyncSystem::priority).orElse(-1);
    }

    public Optional<TableSettings> table(String canonicalName) {
        return tables.stream().filter(t -> t.name().equals(canonicalName)).findFirst();
    }

    /** The table whose name in {@code systemId} is {@code localName}. */
    public Optional<TableSettings> tableByLocalName(String localName, String systemId) {
        return tables.stream().filter(t -> t.localName(systemId).equals(localName)).findFirst();
    }

    /**
     * The version bias a system's triggers add for a table (and, with field-level rules, for a field).
     * Last-write-wins and newest-per-field add nothing; system priority adds the system's bias; field owner adds the
     * owner's bias on its own fields only.
     */
    public long bias(TableSettings table, String systemId, String fieldOrNull) {
        SyncSystem system = system(systemId);
        return switch (table.strategy()) {
            case SYSTEM_PRIORITY -> system.priorityBias();
            case FIELD_OWNER -> fieldOrNull != null && system.id().equals(table.field(fieldOrNull).owner()) ? SyncSystem.PRIORITY_STEP_MICROS : 0L;
            default -> 0L;
        };
    }
}
