/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;

import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks, once per table, that every system of the topology holds the table's sync key in columns of the same kind
 * (integer, decimal, text, timestamp, ...): a key that is a number in one system and text in another cannot match rows
 * across them. Each system's table is read through {@link KeyTypeReader}, on a connection of that system. Verdicts are
 * kept until {@link #invalidate()}.
 */
public final class SyncKeyAgreement {

    /** A key column's kind, compared across systems, and its type as the database names it, for the message. */
    public record KeyType(String kind, String typeName) {
        @Override
        public String toString() {
            return kind + " (" + typeName + ")";
        }
    }

    /** Reads the key types of a table in one system: canonical key field to its type there. */
    @FunctionalInterface
    public interface KeyTypeReader {
        Map<String, KeyType> keyTypes(String systemId, String canonicalTable) throws SQLException;
    }

    private final SyncTopology topology;
    private final KeyTypeReader reader;
    private final Map<String, Optional<String>> refusals = new ConcurrentHashMap<>();

    public SyncKeyAgreement(SyncTopology topology, KeyTypeReader reader) {
        this.topology = topology;
        this.reader = reader;
    }

    /** Opens a connection to a system (the caller closes it). */
    @FunctionalInterface
    public interface SystemConnections {
        java.sql.Connection open(String systemId) throws SQLException;
    }

    /** An agreement that resolves each system's table on a connection of that system, with that system's dialect. */
    public static SyncKeyAgreement resolvingIn(SyncTopology topology, SystemConnections systems) {
        return new SyncKeyAgreement(topology, (system, table) -> {
            try (java.sql.Connection connection = systems.open(system)) {
                org.bisync.nifi.dialect.Dialect dialect = org.bisync.nifi.dialect.Dialects.forConnection(connection);
                SyncedTable resolved = new SyncedTableResolver(dialect, topology).resolve(connection, topology.table(table).orElseThrow(), system);
                return keyTypes(resolved, dialect.types());
            }
        });
    }

    /** The key types of a table resolved in one system. */
    public static Map<String, KeyType> keyTypes(SyncedTable table, TypeMapping types) {
        Map<String, KeyType> keyTypes = new LinkedHashMap<>();
        for (SyncedColumn key : table.keyColumns()) {
            keyTypes.put(key.canonical(), new KeyType(kind(types.recordType(key.column())), key.column().typeName()));
        }
        return keyTypes;
    }

    /**
     * Why the table cannot be synced on its key (the systems hold it in columns of different kinds), or empty.
     *
     * @throws SQLException when a system cannot be read (nothing is cached then)
     */
    public Optional<String> refusal(String canonicalTable) throws SQLException {
        Optional<String> known = refusals.get(canonicalTable);
        if (known != null) {
            return known;
        }
        Map<String, Map<String, KeyType>> bySystem = new LinkedHashMap<>();
        Optional<String> decided;
        try {
            for (SyncSystem system : topology.systems()) {
                bySystem.put(system.id(), reader.keyTypes(system.id(), canonicalTable));
            }
            decided = mismatch(canonicalTable, bySystem);
        } catch (SchemaMismatchException e) {
            decided = Optional.of(e.getMessage()); // the table does not fit in another system: nothing can be matched there
        }
        refusals.put(canonicalTable, decided);
        return decided;
    }

    /**
     * The refusals of several tables, in their order.
     *
     * @param refused   tables whose key cannot be matched across the systems, with why
     * @param unchecked tables some system could not be read for (the check is left to a later batch), with the error
     */
    public record Check(Map<String, String> refused, Map<String, String> unchecked) {
    }

    /** {@link #refusal} of each table; a system that cannot be reached leaves its table unchecked instead of failing all. */
    public Check check(Collection<String> canonicalTables) {
        Map<String, String> refused = new LinkedHashMap<>();
        Map<String, String> unchecked = new LinkedHashMap<>();
        for (String table : canonicalTables) {
            try {
                refusal(table).ifPresent(why -> refused.put(table, why));
            } catch (SQLException e) {
                unchecked.put(table, e.getMessage());
            }
        }
        return new Check(refused, unchecked);
    }

    public void invalidate() {
        refusals.clear();
    }

    /** The first key field whose kind differs between systems, described with every system's type; empty when they agree. */
    public static Optional<String> mismatch(String canonicalTable, Map<String, Map<String, KeyType>> bySystem) {
        Map<String, KeyType> first = null;
        String firstSystem = null;
        for (Map.Entry<String, Map<String, KeyType>> system : bySystem.entrySet()) {
            if (first == null) {
                first = system.getValue();
                firstSystem = system.getKey();
                continue;
            }
            if (!first.keySet().equals(system.getValue().keySet())) {
                return Optional.of("Table '" + canonicalTable + "' has sync key " + first.keySet() + " in system '" + firstSystem
                        + "' but " + system.getValue().keySet() + " in system '" + system.getKey() + "'");
            }
            for (Map.Entry<String, KeyType> field : first.entrySet()) {
                KeyType other = system.getValue().get(field.getKey());
                if (!field.getValue().kind().equals(other.kind())) {
                    Map<String, String> all = new LinkedHashMap<>();
                    bySystem.forEach((id, types) -> all.put(id, String.valueOf(types.get(field.getKey()))));
                    return Optional.of("Table '" + canonicalTable + "': sync key field '" + field.getKey() + "' has different "
                            + "types in the systems (" + all + "); a key must have the same kind of type on every system so that "
                            + "rows match across them: change the column type on one side, or configure another sync key");
                }
            }
        }
        return Optional.empty();
    }

    private static String kind(DataType type) {
        RecordFieldType field = type.getFieldType();
        return switch (field) {
            case BYTE, SHORT, INT, LONG, BIGINT -> "integer";
            case FLOAT, DOUBLE -> "floating point";
            case DECIMAL -> "decimal";
            case STRING, CHAR, UUID, ENUM -> "text";
            case ARRAY -> "binary";
            default -> field.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
