/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.dialect.KeyGenerator;
import org.bisync.nifi.schema.NotInstalledException;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncKeyAgreement;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.topology.SyncTopology;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a batch of changes, table by table, into one target system with a {@link ChangeApplier}: resolves each table
 * against the target (again when the records carry fields it has no column for, or a statement met a column that is
 * gone), keeps the table cache and the two-way key checks across batches, and sends what is left to retry when the
 * target cannot be reached. A table that cannot be synced as it is fails its records; a target not installed yet
 * makes them wait.
 */
public final class TargetApplier {

    /** Opens a connection to a system of the topology. */
    @FunctionalInterface
    public interface Systems {
        Connection open(String systemId) throws SQLException;
    }

    /**
     * @param table   the table as applied
     * @param unknown the fields its records carry that the table has no column for (their values were dropped)
     */
    public record UnknownFieldsOf(SyncedTable table, UnknownFields unknown) {
    }

    /** The outcomes of a batch (index: the position of the change in its table's list) and the unknown fields met. */
    public record Result(List<ApplyOutcome> outcomes, List<UnknownFieldsOf> unknownFields) {
    }

    private final SyncTopology topology;
    private final String target;
    private final Systems systems;
    private final Consumer<String> warnings;
    private final Consumer<String> errors;
    /** Kept across batches and shared by concurrent tasks; replaced whole when the target's dialect changes. */
    private volatile Tables tables;

    private record Tables(SyncedTableCache cache, GeneratedKeyRanges keyRanges, SyncKeyAgreement keyAgreement) {
        void invalidate() {
            cache.invalidate();
            keyRanges.invalidate();
            keyAgreement.invalidate();
        }
    }

    /**
     * @param warnings receives value-free warnings (a failed record, a value the target's triggers changed)
     * @param errors   receives value-free errors (a table that changed while running, a target not installed)
     */
    public TargetApplier(SyncTopology topology, String targetSystem, Systems systems, Consumer<String> warnings, Consumer<String> errors) {
        this.topology = topology;
        this.target = targetSystem;
        this.systems = systems;
        this.warnings = warnings;
        this.errors = errors;
    }

    public String target() {
        return target;
    }

    public SyncTopology topology() {
        return topology;
    }

    /**
     * Applies {@code byTable} (table name as the records give it, to its changes) in the target.
     *
     * @param settle whether foreign-key violations past the retry limit are settled by the greater version
     */
    public Result apply(Map<String, List<ChangeRecord>> byTable, int maxRowsPerStatement, TransactionLimits limits,
                                     boolean settle) {
        List<ApplyOutcome> outcomes = new ArrayList<>();
        List<UnknownFieldsOf> unknownFields = new ArrayList<>();
        if (byTable.isEmpty()) {
            return new Result(outcomes, unknownFields);
        }
        try (Connection connection = systems.open(target)) {
            Dialect dialect = Dialects.forConnection(connection);
            Tables current = tables(dialect);
            SyncedTableCache cache = current.cache();
            ChangeApplier applier = new ChangeApplier(dialect, topology, target, maxRowsPerStatement, warnings, current.keyRanges(),
                    current.keyAgreement()).limitTransactions(limits);
            for (Map.Entry<String, List<ChangeRecord>> entry : byTable.entrySet()) {
                SyncedTable table;
                try {
                    table = knowingFields(connection, cache, cache.installedTable(connection, entry.getKey()), entry.getValue());
                } catch (SchemaMismatchException e) {
                    current.invalidate();
                    outcomes.addAll(all(entry.getValue(), ApplyStatus.FAILED, e.getMessage()));
                    continue;
                } catch (NotInstalledException e) {
                    // nothing of the records is wrong: they wait (penalized, retried) until the target is installed
                    errors.accept(entry.getValue().size() + " changes of table '" + entry.getKey() + "' wait: " + e.getMessage());
                    outcomes.addAll(all(entry.getValue(), ApplyStatus.RETRY, e.getMessage()));
                    continue;
                }
                ApplyResult result = applier.apply(connection, table, entry.getValue(), settle);
                SyncedTable fresh = applier.sawMissingObject() ? reread(connection, cache, table) : null;
                if (fresh != null) {
                    result = applyAgain(connection, applier, fresh, entry.getValue(), result, settle);
                    table = fresh;
                }
                UnknownFields unknown = UnknownFields.of(table, entry.getValue());
                if (!unknown.isEmpty()) {
                    unknownFields.add(new UnknownFieldsOf(table, unknown));
                }
                outcomes.addAll(result.outcomes());
                if (result.count(ApplyStatus.FAILED) > 0) {
                    warnings.accept(result.count(ApplyStatus.FAILED) + " of " + entry.getValue().size() + " changes of table '" + entry.getKey()
                            + "' failed in system '" + target + "'; first: " + result.with(ApplyStatus.FAILED).get(0).reason());
                }
            }
        } catch (SQLException e) {
            String reason = "Cannot reach system '" + target + "': " + e.getMessage();
            warnings.accept(reason);
            List<ChangeRecord> undecided = new ArrayList<>();
            byTable.values().forEach(undecided::addAll);
            undecided.removeIf(c -> outcomes.stream().anyMatch(o -> o.change() == c));
            outcomes.addAll(all(undecided, ApplyStatus.RETRY, reason));
        }
        return new Result(outcomes, unknownFields);
    }

    /** Each outcome of {@code changes} with the same status and reason. */
    public static List<ApplyOutcome> all(List<ChangeRecord> changes, ApplyStatus status, String reason) {
        List<ApplyOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            outcomes.add(new ApplyOutcome(i, changes.get(i), status, reason, null));
        }
        return outcomes;
    }

    private Tables tables(Dialect dialect) {
        Tables current = tables;
        if (current == null || current.cache().dialect() != dialect) {
            current = new Tables(new SyncedTableCache(topology, target, dialect), new GeneratedKeyRanges(topology, this::readKeyGenerator),
                    new SyncKeyAgreement(topology, this::readKeyTypes));
            tables = current;
        }
        return current;
    }

    /**
     * The table, read again when the records carry fields it has no column for (a column added in the target while
     * running). That costs a catalog read per such batch for as long as the fields stay unknown: the warning says to
     * add the column or exclude the field.
     */
    private static SyncedTable knowingFields(Connection connection, SyncedTableCache cache, SyncedTable table,
                                             List<ChangeRecord> changes) throws SQLException {
        if (UnknownFields.of(table, changes).isEmpty()) {
            return table;
        }
        cache.invalidate(table.canonicalName());
        return cache.installedTable(connection, table.canonicalName());
    }

    /**
     * A statement met a table or column that is gone: reads the table again and returns it when its columns changed (a
     * column dropped in the target while running), saying so; null when nothing changed, or when the table as it is now
     * cannot be synced (a key column dropped: said, with what is missing), and the outcomes stand.
     */
    private SyncedTable reread(Connection connection, SyncedTableCache cache, SyncedTable stale) throws SQLException {
        cache.invalidate(stale.canonicalName());
        SyncedTable fresh;
        try {
            fresh = cache.installedTable(connection, stale.canonicalName());
        } catch (SchemaMismatchException | NotInstalledException e) {
            cache.invalidate(stale.canonicalName());
            errors.accept("Table '" + stale.canonicalName() + "' in system '" + target + "' changed while running and can no longer be "
                    + "synced: " + e.getMessage());
            return null;
        }
        List<String> gone = stale.columns().stream().map(SyncedColumn::local).filter(c -> fresh.byLocal(c).isEmpty()).toList();
        if (gone.isEmpty() && fresh.columns().size() == stale.columns().size()) {
            return null;
        }
        errors.accept("Table '" + stale.canonicalName() + "' in system '" + target + "' changed while running: column(s) " + gone
                + " are gone; its columns were read again and its changes are applied without them (their values are dropped and "
                + "counted as unknown field values) until the column is back or excluded from the sync");
        return fresh;
    }

    /** Applies again, with the table's fresh columns, the records that did not go through. */
    private static ApplyResult applyAgain(Connection connection, ChangeApplier applier, SyncedTable fresh, List<ChangeRecord> changes,
                                          ApplyResult result, boolean settle) {
        List<Integer> again = new ArrayList<>();
        for (ApplyOutcome outcome : result.outcomes()) {
            if (outcome.status() == ApplyStatus.FAILED || outcome.status() == ApplyStatus.RETRY) {
                again.add(outcome.index());
            }
        }
        ApplyResult retried = applier.apply(connection, fresh, again.stream().map(changes::get).toList(), settle);
        List<ApplyOutcome> merged = new ArrayList<>(result.outcomes());
        for (ApplyOutcome outcome : retried.outcomes()) {
            int index = again.get(outcome.index());
            merged.set(index, new ApplyOutcome(index, outcome.change(), outcome.status(), outcome.reason(), outcome.field()));
        }
        return new ApplyResult(merged);
    }

    /** A system's key generator, read on a connection of its own (MariaDB's auto_increment settings are per session). */
    private KeyGenerator readKeyGenerator(String system, String table, String column) throws SQLException {
        try (Connection connection = open(system)) {
            return Dialects.forConnection(connection).apply().keyGenerator(connection, table, column);
        }
    }

    /** A system's key types of a table, resolved on a connection of its own with its own dialect. */
    private Map<String, SyncKeyAgreement.KeyType> readKeyTypes(String system, String table) throws SQLException {
        try (Connection connection = open(system)) {
            Dialect dialect = Dialects.forConnection(connection);
            SyncedTable resolved = new SyncedTableResolver(dialect, topology).resolve(connection, topology.table(table).orElseThrow(), system);
            return SyncKeyAgreement.keyTypes(resolved, dialect.types());
        }
    }

    private Connection open(String system) throws SQLException {
        try {
            return systems.open(system);
        } catch (SQLException | RuntimeException e) {
            throw new SQLException("Cannot reach system '" + system + "': " + e.getMessage(), e);
        }
    }
}
