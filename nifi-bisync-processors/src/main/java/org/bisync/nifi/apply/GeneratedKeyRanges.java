/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.KeyGenerator;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, once per table, whether two-way sync may write a generated key (DESIGN.md section 7): only when the key
 * generators of every system of the topology are disjoint ({@link DisjointKeyRanges}), read from the databases
 * themselves. Verdicts are kept until {@link #invalidate()} (the processor invalidates with its table cache: when it is
 * rescheduled or sees a schema error), so the systems are read once, not per FlowFile.
 */
public final class GeneratedKeyRanges {

    private final SyncTopology topology;
    private final KeyGeneratorReader reader;
    private final Map<String, Optional<String>> refusals = new ConcurrentHashMap<>();

    public GeneratedKeyRanges(SyncTopology topology, KeyGeneratorReader reader) {
        this.topology = topology;
        this.reader = reader;
    }

    /**
     * Why two-way sync must not write the generated key of {@code table} (as seen in the target system), or empty when
     * every system's generator of it is disjoint from the others'.
     *
     * @throws SQLException when a system cannot be read (nothing is cached then)
     */
    public Optional<String> refusal(SyncedTable table) throws SQLException {
        Optional<String> known = refusals.get(table.canonicalName());
        if (known != null) {
            return known;
        }
        Optional<String> decided = decide(table);
        refusals.put(table.canonicalName(), decided);
        return decided;
    }

    public void invalidate() {
        refusals.clear();
    }

    private Optional<String> decide(SyncedTable table) throws SQLException {
        TableSettings settings = table.settings();
        for (SyncedColumn key : table.keyColumns()) {
            if (!key.column().autoIncrement()) {
                continue;
            }
            Map<String, KeyGenerator> generators = new LinkedHashMap<>();
            for (SyncSystem system : topology.systems()) {
                String localTable = system.id().equals(table.systemId()) ? table.localName() : settings.localName(system.id());
                String localColumn = system.id().equals(table.systemId()) ? key.local()
                        : settings.localFieldName(key.canonical(), system.id());
                try {
                    generators.put(system.id(), reader.read(system.id(), localTable, localColumn));
                } catch (SQLException e) {
                    throw new SQLException("Cannot read the key generator of table '" + localTable + "' column '" + localColumn
                            + "' in system '" + system.id() + "' (needed to check that two-way sync on a generated key is safe): "
                            + e.getMessage(), e.getSQLState(), e);
                }
            }
            List<String> overlaps = DisjointKeyRanges.overlaps(generators);
            if (!overlaps.isEmpty()) {
                return Optional.of("Table '" + table.canonicalName() + "' is two-way and its key column '" + key.local()
                        + "' is generated (identity/serial/auto-increment) in system '" + table.systemId() + "', but the systems' "
                        + "key ranges are not disjoint, so two systems can hand out the same key for different rows (overlapping: "
                        + String.join(", ", overlaps) + "). Found " + DisjointKeyRanges.describe(generators) + ". "
                        + ChangeApplier.GENERATED_KEY_ADVICE);
            }
        }
        return Optional.empty();
    }
}
