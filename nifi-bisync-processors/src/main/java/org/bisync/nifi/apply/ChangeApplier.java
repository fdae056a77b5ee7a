package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.resolve.TargetState;
import org.bisync.nifi.resolve.TargetStateReader;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncKeyAgreement;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.SyncTopology;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Writes the change records of one table into a target system in one transaction (DESIGN.md sections 4 to 6).
 *
 * <p>Under the lock of the keys' version rows it decides per record: automatic strategies write only a version
 * greater than the target's ("greater version wins", whatever the order or duplication of deliveries); MERGE decisions
 * and reviewers' resolutions compare-and-set on {@code expected_version} and go to {@link ApplyStatus#RE_RESOLVE} when
 * the target moved on. Data, version rows and the history rows apply must forward itself (at a hub, for review
 * resolutions and standardized values) are written in the same transaction, which carries the origin marker so the
 * target's triggers skip it; then the version rows and data rows are read back and checked before COMMIT.
 *
 * <p>A bad value fails its record alone; a database error on the batch re-runs it record by record with a savepoint
 * each, so the others commit; a foreign-key violation sends its record to retry, or, once the records have been retried
 * up to the limit, is settled by the greater version ({@link ForeignKeySettlement}); a transient error sends the whole
 * batch to retry with nothing applied.
 */
public final class ChangeApplier {

    private final Dialect dialect;
    private final ApplyDialect sql;
    private final TypeMapping types;
    private final DatabaseErrors errors;
    private final String target;
    private final int maxRows;
    private final Consumer<String> warnings;
    private final WritePlanner planner;
    private final ApplyStatements statements;
    private final ForeignKeySettlement settlement;
    private final GeneratedKeyRanges keyRanges;
    private boolean sawMissingObject;
    private final SyncKeyAgreement keyAgreement;

    /** What to configure for two-way sync on a generated key (DESIGN.md section 7). */
    static final String GENERATED_KEY_ADVICE = "Configure disjoint ranges: the same increment above 1 on every system and a "
            + "different start or offset each (PostgreSQL: ALTER TABLE ... ALTER COLUMN ... SET INCREMENT BY n SET START WITH k "
            + "RESTART WITH a value of that residue above the existing keys, or ALTER SEQUENCE for serial; MariaDB: "
            + "auto_increment_increment and auto_increment_offset of each server, for every session), or disjoint MINVALUE..MAXVALUE blocks of PostgreSQL sequences, then restart ApplyBidirectionalChanges; "
            + "or configure a sync key of other columns that identify a row (\"syncKey\": [...]); or make the table one-way";

    /**
     * @param maxRowsPerStatement rows per multi-row statement and keys per version read
     * @param warnings            receives warnings (a value the target's own triggers changed), after COMMIT
     */
    public ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                         Consumer<String> warnings) {
        this(dialect, topology, targetSystemId, maxRowsPerStatement, warnings, (GeneratedKeyRanges) null);
    }

    /**
     * @param keyRanges decides whether two-way sync may write a generated key (the systems' ranges are disjoint); null
     *                  refuses every two-way table on a generated key
     */
    public ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                         Consumer<String> warnings, GeneratedKeyRanges keyRanges) {
        this(dialect, topology, targetSystemId, maxRowsPerStatement, warnings, () -> System.currentTimeMillis() * 1000L, keyRanges, null);
    }

    /**
     * @param keyAgreement checks that every system holds the sync key in columns of the same kind; null skips the check
     */
    public ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                         Consumer<String> warnings, GeneratedKeyRanges keyRanges, SyncKeyAgreement keyAgreement) {
        this(dialect, topology, targetSystemId, maxRowsPerStatement, warnings, () -> System.currentTimeMillis() * 1000L, keyRanges,
                keyAgreement);
    }

    ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                  Consumer<String> warnings, LongSupplier nowMicros) {
        this(dialect, topology, targetSystemId, maxRowsPerStatement, warnings, nowMicros, null, null);
    }

    private ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                          Consumer<String> warnings, LongSupplier nowMicros, GeneratedKeyRanges keyRanges,
                          SyncKeyAgreement keyAgreement) {
        if (maxRowsPerStatement < 1) {
            throw new IllegalArgumentException("Max rows per statement must be at least 1");
        }
        this.dialect = dialect;
        this.sql = dialect.apply();
        this.types = dialect.types();
        this.errors = dialect.errors();
        this.target = topology.system(targetSystemId).id();
        this.maxRows = maxRowsPerStatement;
        this.warnings = warnings;
        this.planner = new WritePlanner(topology, target, nowMicros);
        this.statements = new ApplyStatements(dialect, target, maxRowsPerStatement);
        this.settlement = new ForeignKeySettlement(dialect, topology, target, planner, statements);
        this.keyRanges = keyRanges;
        this.keyAgreement = keyAgreement;
    }

    /**
     * Applies the changes (all of {@code table}) through {@code connection}. Never throws for a database error: every
     * record gets an outcome. The connection's autoCommit is restored and the origin marker cleared before returning.
     */
    public ApplyResult apply(Connection connection, SyncedTable table, List<ChangeRecord> changes) {
        return apply(connection, table, changes, false);
    }

    /**
     * {@link #apply(Connection, SyncedTable, List)}; with {@code settleForeignKeyConflicts} (the records have been retried
     * up to the limit), a record that violates a foreign key is settled by the greater version ({@link ApplyStatus#SETTLED})
     * where a parent delete meets a child write, instead of going to retry again.
     */
    public ApplyResult apply(Connection connection, SyncedTable table, List<ChangeRecord> changes, boolean settleForeignKeyConflicts) {
        sawMissingObject = false;
        ApplyOutcome[] outcomes = new ApplyOutcome[changes.size()];
        RowImages images = new RowImages(table, types);
        String refusal;
        try {
            refusal = refusal(table);
        } catch (SQLException e) {
            for (int i = 0; i < changes.size(); i++) {
                outcomes[i] = new ApplyOutcome(i, changes.get(i).copy(), ApplyStatus.RETRY, e.getMessage(), null);
            }
            return new ApplyResult(List.of(outcomes));
        }
        List<PendingChange> pending = prepare(table, images, changes, outcomes, refusal);
        if (!pending.isEmpty()) {
            try {
                checkValues(connection, table, pending, outcomes);
            } catch (SQLException e) {
                settle(pending, outcomes, ApplyStatus.RETRY, "Cannot prepare statements in system '" + target + "': " + describe(e));
            }
        }
        pending.removeIf(p -> outcomes[p.index] != null);
        if (!pending.isEmpty()) {
            run(connection, table, images, pending, outcomes, settleForeignKeyConflicts);
        }
        return new ApplyResult(List.of(outcomes));
    }

    // ---- checks that need no transaction ----------------------------------------------------------------------------

    private List<PendingChange> prepare(SyncedTable table, RowImages images, List<ChangeRecord> changes, ApplyOutcome[] outcomes,
                                        String refusal) {
        FieldValidator validator = new FieldValidator(table.settings().validations());
        List<PendingChange> pending = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            ChangeRecord change = changes.get(i).copy();
            PendingChange p = new PendingChange(i, change);
            String problem = refusal != null ? refusal : problem(table, change);
            if (problem != null) {
                outcomes[i] = new ApplyOutcome(i, change, ApplyStatus.FAILED, problem, null);
                continue;
            }
            if (change.resolution == null && change.decision == Decision.STALE) {
                outcomes[i] = new ApplyOutcome(i, change, ApplyStatus.STALE, "Decided stale by ResolveConflicts", null);
                continue;
            }
            if (!validator.isEmpty() && change.after != null && !change.operation.removesRow()
                    && change.resolution != Resolution.KEEP_TARGET) {
                FieldValidator.Checked checked = validator.check(change.after);
                if (checked.violation() != null) {
                    outcomes[i] = new ApplyOutcome(i, change, ApplyStatus.FAILED, "Change " + change.describe() + ": "
                            + checked.violation().message(), checked.violation().field());
                    continue;
                }
                p.standardized = checked.standardized();
            }
            try {
                p.keyId = images.keyId(change.key);
            } catch (IllegalArgumentException e) {
                outcomes[i] = rejected(p, table, e);
                continue;
            }
            pending.add(p);
        }
        return pending;
    }

    /**
     * Two-way sync on a generated (sync) key is refused unless the systems' key ranges are disjoint (DESIGN.md section 7).
     *
     * @throws SQLException when another system's key generator cannot be read
     */
    private String refusal(SyncedTable table) throws SQLException {
        if (keyAgreement != null) {
            Optional<String> mismatch = keyAgreement.refusal(table.canonicalName());
            if (mismatch.isPresent()) {
                return mismatch.get();
            }
        }
        if (table.settings().direction() != Direction.TWO_WAY) {
            return null;
        }
        Optional<SyncedColumn> generated = table.keyColumns().stream().filter(c -> c.column().autoIncrement()).findFirst();
        if (generated.isEmpty()) {
            return null;
        }
        if (keyRanges != null) {
            return keyRanges.refusal(table).orElse(null);
        }
        return "Table '" + table.canonicalName() + "' is two-way but its key column '" + generated.get().local() + "' in system '"
                + target + "' is generated (identity/serial/auto-increment), and the other systems' key ranges were not checked: "
                + "both systems could hand out the same key values for different rows. nifi-bisync refuses to apply it. "
                + GENERATED_KEY_ADVICE;
    }

    private static String problem(SyncedTable table, ChangeRecord change) {
        if (!table.canonicalName().equals(change.table)) {
            return "Change of table '" + change.table + "' in a batch of table '" + table.canonicalName() + "'";
        }
        if (change.version == null) {
            return "Change " + change.describe() + " has no version";
        }
        for (SyncedColumn key : table.keyColumns()) {
            if (change.key == null || change.key.get(key.canonical()) == null) {
                return "Change " + change.describe() + " has no value for key field '" + key.canonical() + "'";
            }
        }
        if (change.decision == Decision.CONFLICT && change.resolution == null) {
            return "Unresolved conflict: change " + change.describe() + " is held for manual review; set 'resolution' to "
                    + "TAKE_INCOMING, KEEP_TARGET or USE_AFTER and route it back through ResolveConflicts";
        }
        boolean needsAfter = change.resolution == Resolution.USE_AFTER
                || (change.resolution != Resolution.KEEP_TARGET && !change.operation.removesRow());
        if (needsAfter && change.after == null) {
            return "Change " + change.describe() + " (" + change.operation + ") has no 'after' row";
        }
        return null;
    }

    /** Binds every value once into a statement that is never run, so a value the target cannot hold fails alone. */
    private void checkValues(Connection connection, SyncedTable table, List<PendingChange> pending, ApplyOutcome[] outcomes) throws SQLException {
        List<SyncedColumn> columns = table.writableColumns();
        try (PreparedStatement check = connection.prepareStatement(sql.upsertRows(table, columns, 1))) {
            for (PendingChange p : pending) {
                Map<String, Object> row = p.change.resolution == Resolution.KEEP_TARGET || p.change.operation.removesRow()
                        && p.change.resolution != Resolution.USE_AFTER ? null : p.change.after;
                try {
                    for (int i = 0; i < columns.size(); i++) {
                        SyncedColumn column = columns.get(i);
                        if (column.key()) {
                            types.bind(check, i + 1, p.change.key.get(column.canonical()), column.column());
                        } else if (row != null && row.containsKey(column.canonical())) {
                            types.bind(check, i + 1, row.get(column.canonical()), column.column());
                        }
                    }
                } catch (IllegalArgumentException e) {
                    outcomes[p.index] = rejected(p, table, e);
                }
                check.clearParameters();
            }
        }
    }

    private ApplyOutcome rejected(PendingChange p, SyncedTable table, IllegalArgumentException e) {
        String field = e instanceof ValueRejectedException v
                ? table.byLocal(v.column()).map(SyncedColumn::canonical).orElse(v.column()) : null;
        return new ApplyOutcome(p.index, p.change, ApplyStatus.FAILED, "Change " + p.change.describe() + ": "
                + e.getMessage(), field);
    }

    // ---- the transaction ---------------------------------------------------------------------------------------------

    private void run(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending, ApplyOutcome[] outcomes,
                     boolean settle) {
        Boolean autoCommit = null;
        try {
            autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            ApplyAttempt attempt;
            try {
                attempt = transaction(connection, table, images, pending, false, false);
            } catch (SQLException e) {
                rollback(connection);
                if (transientFailure(connection, e)) {
                    settle(pending, outcomes, ApplyStatus.RETRY, transientReason(e));
                    return;
                }
                attempt = transaction(connection, table, images, pending, true, settle);
            } catch (VerificationFailedException e) {
                rollback(connection);
                settle(pending, outcomes, ApplyStatus.FAILED, e.getMessage());
                return;
            }
            attempt.outcomes.forEach((index, outcome) -> outcomes[index] = outcome);
            attempt.warnings.forEach(warnings);
        } catch (SQLException e) {
            rollback(connection);
            if (transientFailure(connection, e)) {
                settle(pending, outcomes, ApplyStatus.RETRY, transientReason(e));
            } else {
                settle(pending, outcomes, ApplyStatus.FAILED, "Database error in system '" + target + "', nothing applied: " + describe(e));
            }
        } catch (RuntimeException | Error e) {
            rollback(connection); // before autoCommit is restored below, which would commit the half-done work
            throw e;
        } finally {
            try {
                sql.clearOrigin(connection);
            } catch (SQLException | RuntimeException ignored) {
                // a broken connection carries no marker anyone can use
            }
            if (autoCommit != null) {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // broken connection
                }
            }
        }
    }

    /** Whether the last {@link #apply} met a table or column that is gone: the caller's table is out of date. */
    public boolean sawMissingObject() {
        return sawMissingObject;
    }

    /** The error's value-free text; notes a missing table or column. */
    private String describe(SQLException e) {
        if (errors.isMissingObject(e)) {
            sawMissingObject = true;
        }
        return errors.describe(e);
    }

    private String transientReason(SQLException e) {
        return "Transient database error in system '" + target + "', nothing applied: " + describe(e);
    }

    private boolean transientFailure(Connection connection, SQLException e) {
        if (sql.isTransient(e) || e instanceof NewKeyClaims.ConcurrentNewKeyException) {
            return true;
        }
        try {
            return connection.isClosed() || !connection.isValid(2);
        } catch (SQLException broken) {
            return true;
        }
    }

    private ApplyAttempt transaction(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending,
                                boolean recordByRecord, boolean settle) throws SQLException {
        ApplyAttempt attempt = new ApplyAttempt();
        sql.markOrigin(connection, marker(pending));
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        pending.forEach(p -> keys.putIfAbsent(p.keyId, p.change.key));
        Map<String, TargetVersion> current = statements.readVersions(connection, table, images, keys);
        Map<String, TargetState> fieldStates = table.keepsDeletedValues() ? fieldStates(connection, table, keys) : null;
        Map<String, Map<String, Object>> newKeys = new LinkedHashMap<>(keys);
        newKeys.keySet().removeAll(current.keySet());
        NewKeyClaims.claim(connection, dialect, table, List.copyOf(newKeys.values()), maxRows);
        List<PlannedWrite> writes = planner.decide(pending, current, fieldStates, attempt);
        statements.completeResolutions(connection, table, images, writes);
        List<PlannedWrite> applied = new ArrayList<>();
        if (!recordByRecord) {
            statements.execute(connection, table, images, writes);
            statements.verify(connection, table, images, writes, attempt);
            applied.addAll(writes);
        } else {
            for (PlannedWrite write : writes) {
                Savepoint savepoint = connection.setSavepoint();
                try {
                    statements.execute(connection, table, images, List.of(write));
                    statements.verify(connection, table, images, List.of(write), attempt);
                    connection.releaseSavepoint(savepoint);
                    applied.add(write);
                } catch (SQLException e) {
                    if (transientFailure(connection, e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    boolean foreignKey = sql.isForeignKeyViolation(e);
                    if (foreignKey && settle) {
                        if (settleForeignKey(connection, table, images, write, e, attempt)) {
                            newKeys.remove(write.keyId);
                        }
                        continue;
                    }
                    String error = describe(e);
                    for (PendingChange p : write.records) {
                        attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change,
                                foreignKey ? ApplyStatus.RETRY : ApplyStatus.FAILED,
                                (foreignKey ? "Foreign-key violation (the parent may still be on its way): "
                                        : "The database refused change " + p.change.describe() + ": ") + error,
                                fieldIn(table, error)));
                    }
                } catch (VerificationFailedException e) {
                    connection.rollback(savepoint);
                    write.records.forEach(p -> attempt.outcomes.put(p.index,
                            new ApplyOutcome(p.index, p.change, ApplyStatus.FAILED, e.getMessage(), null)));
                }
            }
        }
        for (PlannedWrite write : applied) {
            for (PendingChange p : write.records) {
                attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change, ApplyStatus.APPLIED,
                        p == write.records.get(write.records.size() - 1) ? null
                                : "Superseded in the same transaction by version " + write.version, null));
            }
        }
        advanceKeyGenerator(connection, table, applied);
        applied.forEach(write -> newKeys.remove(write.keyId));
        NewKeyClaims.release(connection, dialect, table, List.copyOf(newKeys.values()), maxRows);
        sql.clearOrigin(connection);
        connection.commit();
        return attempt;
    }

    /** What the target holds per key id (rows, tombstones and their kept values), read under the version rows' lock. */
    private Map<String, TargetState> fieldStates(Connection connection, SyncedTable table, Map<String, Map<String, Object>> keys)
            throws SQLException {
        Map<KeyValues, TargetState> read = new TargetStateReader(dialect, maxRows).read(connection, table, keys.values(), true);
        List<String> keyFields = table.keyColumns().stream().map(c -> c.canonical()).toList();
        Map<String, TargetState> byKeyId = new LinkedHashMap<>();
        keys.forEach((keyId, key) -> byKeyId.put(keyId, read.getOrDefault(KeyValues.of(key, keyFields), TargetState.none())));
        return byKeyId;
    }

    /**
     * Settles a write that violated a foreign key past the retry limit, under a savepoint of its own; true when it was
     * settled, else its records go to retry with the reason it waits.
     */
    private boolean settleForeignKey(Connection connection, SyncedTable table, RowImages images, PlannedWrite write, SQLException violation,
                                     ApplyAttempt attempt) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        ForeignKeySettlement.Verdict verdict;
        try {
            verdict = settlement.settle(connection, table, images, write, attempt);
        } catch (SQLException e) {
            if (transientFailure(connection, e)) {
                throw e;
            }
            verdict = ForeignKeySettlement.Verdict.waits("settling it failed: " + describe(e));
        } catch (VerificationFailedException | SchemaMismatchException e) {
            verdict = ForeignKeySettlement.Verdict.waits("settling it failed: " + e.getMessage());
        }
        boolean settled = verdict.status() == ApplyStatus.SETTLED;
        if (settled) {
            connection.releaseSavepoint(savepoint);
        } else {
            connection.rollback(savepoint);
        }
        String reason = settled ? verdict.reason() : "Foreign-key violation past the retry limit, not settled: " + verdict.reason()
                + " (" + describe(violation) + ")";
        for (PendingChange p : write.records) {
            attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change, verdict.status(), reason, null));
        }
        return settled;
    }

    /** Keeps the target's key generator ahead of the written keys of its own range (the dialect filters them). */
    private void advanceKeyGenerator(Connection connection, SyncedTable table, List<PlannedWrite> applied) throws SQLException {
        List<SyncedColumn> generated = table.keyColumns().stream().filter(c -> c.column().autoIncrement()).toList();
        if (generated.size() != 1) {
            return;
        }
        List<Long> written = new ArrayList<>();
        for (PlannedWrite write : applied) {
            if (write.writeData && write.row != null && write.key.get(generated.get(0).canonical()) instanceof Object value) {
                Long number = value instanceof Number n ? Long.valueOf(n.longValue()) : parseLong(value.toString());
                if (number != null) {
                    written.add(number);
                }
            }
        }
        if (!written.isEmpty()) {
            sql.advanceKeySequence(connection, table, written);
        }
    }

    private static Long parseLong(String text) {
        try {
            return Long.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String marker(List<PendingChange> pending) {
        String origin = pending.get(0).change.origin;
        return origin == null || origin.isEmpty() ? "bisync" : origin;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static Optional<String> columnNamed(SyncedTable table, String message) {
        if (message == null) {
            return Optional.empty();
        }
        for (SyncedColumn column : table.columns()) {
            String name = column.local();
            if (message.contains("\"" + name + "\"") || message.contains("'" + name + "'") || message.contains("`" + name + "`")) {
                return Optional.of(column.canonical());
            }
        }
        return Optional.empty();
    }

    private static String fieldIn(SyncedTable table, String message) {
        return columnNamed(table, message).orElse(null);
    }

    private static void settle(List<PendingChange> pending, ApplyOutcome[] outcomes, ApplyStatus status, String reason) {
        for (PendingChange p : pending) {
            if (outcomes[p.index] == null) {
                outcomes[p.index] = new ApplyOutcome(p.index, p.change, status, reason, null);
            }
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // a lost connection has rolled back already
        }
    }

}
