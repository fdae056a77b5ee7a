/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

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
    private TransactionLimits limits;
    private TransientRetry retry = TransientRetry.DEFAULT;
    private boolean sawMissingObject;
    private final SyncKeyAgreement keyAgreement;

    /** What to configure for two-way sync on a generated key (DESIGN.md section 7), with each engine's way of doing it. */
    static final String GENERATED_KEY_ADVICE = "Configure disjoint ranges: the same increment above 1 on every system and a "
            + "different start or offset each, or disjoint blocks (" + Dialects.all().stream().map(d -> d.apply().disjointKeyRangeAdvice())
                    .filter(Objects::nonNull).collect(Collectors.joining("; ")) + "), then restart ApplyBidirectionalChanges; "
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
        this.limits = TransactionLimits.byKeys(maxRowsPerStatement);
    }

    /** Bounds each transaction by keys and by time (by default: {@code maxRowsPerStatement} keys, no time limit). */
    public ChangeApplier limitTransactions(TransactionLimits transactionLimits) {
        this.limits = Objects.requireNonNull(transactionLimits, "transactionLimits");
        return this;
    }

    /** How transient errors are retried in place (by default {@link TransientRetry#DEFAULT}). */
    public ChangeApplier retryTransientErrors(TransientRetry transientRetry) {
        this.retry = Objects.requireNonNull(transientRetry, "transientRetry");
        return this;
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

    /**
     * Applies the pending changes in transactions of at most {@link TransactionLimits#keysFor} keys (in key order, the
     * changes of one key always together), so no transaction holds its row locks for long; a transaction that fails on
     * a transient error is retried in place within about a second ({@link TransientRetry}), and only its own changes go
     * to retry when the error persists.
     */
    private void run(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending, ApplyOutcome[] outcomes,
                     boolean settle) {
        Boolean autoCommit = null;
        try {
            // off once for every transaction of the batch (each ends with its COMMIT or ROLLBACK): switching it costs a
            // round trip each way on some drivers
            autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            settle(pending, outcomes, ApplyStatus.RETRY, transientReason(e));
            if (autoCommit != null) {
                restoreAutoCommit(connection, autoCommit);
            }
            return;
        }
        try {
            List<List<PendingChange>> groups = byKeyInOrder(table, pending);
            int from = 0;
            while (from < groups.size()) {
                int keys = Math.min(groups.size() - from, limits.keysFor(table.localName()));
                List<PendingChange> chunk = new ArrayList<>();
                groups.subList(from, from + keys).forEach(chunk::addAll);
                from += keys;
                long started = System.nanoTime();
                for (int retry = 1; ; retry++) {
                    long began = System.nanoTime();
                    SQLException transientError = runTransaction(connection, table, images, chunk, outcomes, settle);
                    if (transientError == null) {
                        limits.took(table.localName(), keys, System.nanoTime() - began);
                        break;
                    }
                    if (!this.retry.awaitRetry(started, retry)) {
                        settle(chunk, outcomes, ApplyStatus.RETRY, transientReason(transientError));
                        break;
                    }
                }
            }
        } finally {
            restoreAutoCommit(connection, autoCommit);
        }
    }

    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // broken connection
        }
    }

    /** The pending changes grouped by key (in their order within a key), the groups in {@link KeyOrder}. */
    private static List<List<PendingChange>> byKeyInOrder(SyncedTable table, List<PendingChange> pending) {
        Map<String, List<PendingChange>> byKey = new LinkedHashMap<>();
        pending.forEach(p -> byKey.computeIfAbsent(p.keyId, k -> new ArrayList<>()).add(p));
        KeyOrder order = new KeyOrder(table.keyColumns().stream().map(SyncedColumn::canonical).toList());
        List<List<PendingChange>> groups = new ArrayList<>(byKey.values());
        groups.sort((a, b) -> order.compare(a.get(0).change.key, b.get(0).change.key));
        return groups;
    }

    /**
     * One transaction over {@code pending} (autoCommit is off); the transient error that rolled it back, or null when every
     * record got an outcome. The origin marker is cleared before COMMIT by the transaction itself, here again only when it
     * did not get that far.
     */
    private SQLException runTransaction(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending,
                                        ApplyOutcome[] outcomes, boolean settle) {
        boolean committed = false;
        try {
            ApplyAttempt attempt;
            try {
                attempt = transaction(connection, table, images, pending, false, false);
            } catch (SQLException e) {
                rollback(connection);
                if (transientFailure(connection, e)) {
                    return e;
                }
                attempt = transaction(connection, table, images, pending, true, settle);
            } catch (VerificationFailedException e) {
                // record by record, a failed check fails its own record only (a duplicate value of a unique index)
                rollback(connection);
                try {
                    attempt = transaction(connection, table, images, pending, true, settle);
                } catch (VerificationFailedException again) {
                    rollback(connection);
                    settle(pending, outcomes, ApplyStatus.FAILED, again.getMessage());
                    return null;
                }
            }
            committed = true;
            attempt.outcomes.forEach((index, outcome) -> outcomes[index] = outcome);
            attempt.warnings.forEach(warnings);
        } catch (SQLException e) {
            rollback(connection);
            if (transientFailure(connection, e)) {
                return e;
            }
            if (sql.isForeignKeyViolation(e)) {
                // a deferred constraint failed at COMMIT, and the engine cannot say which record violated it
                settle(pending, outcomes, ApplyStatus.RETRY, "Foreign-key violation at COMMIT (a deferred constraint; the parent "
                        + "may still be on its way), nothing applied: " + describe(e));
            } else {
                settle(pending, outcomes, ApplyStatus.FAILED, "Database error in system '" + target + "', nothing applied: " + describe(e));
            }
        } catch (RuntimeException | Error e) {
            rollback(connection); // before autoCommit is restored, which would commit the half-done work
            throw e;
        } finally {
            if (!committed) {
                try {
                    sql.clearOrigin(connection);
                } catch (SQLException | RuntimeException ignored) {
                    // a broken connection carries no marker anyone can use
                }
            }
        }
        return null;
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

    /**
     * One transaction. Locks are taken in the order the capture triggers take them, user row before version row, and
     * each kind in key order: so neither another apply nor a user's write through our triggers ever waits on this
     * transaction in a cycle. Keys whose user row does not exist cannot be locked before their row is inserted: they
     * are decided on the version rows read before any lock, their rows inserted first, and the decision is checked
     * once their version rows are locked (a writer that got in between makes the batch run again).
     */
    private ApplyAttempt transaction(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending,
                                boolean recordByRecord, boolean settle) throws SQLException {
        ApplyAttempt attempt = new ApplyAttempt();
        sql.markOrigin(connection, marker(pending));
        if (recordByRecord && sql.checkConstraintsAtEachStatement() != null) {
            try (java.sql.Statement statement = connection.createStatement()) {
                statement.execute(sql.checkConstraintsAtEachStatement()); // a deferred violation then fails its own record
            }
        }
        Map<String, Map<String, Object>> claimed = new LinkedHashMap<>();
        List<PlannedWrite> applied = new ArrayList<>();
        if (!recordByRecord) {
            applied.addAll(lockPlanAndWrite(connection, table, images, pending, attempt, claimed, new ArrayList<>()));
        } else {
            for (List<PendingChange> group : byKeyInOrder(table, pending)) {
                Savepoint savepoint = connection.setSavepoint();
                Map<String, Map<String, Object>> groupClaims = new LinkedHashMap<>();
                List<PlannedWrite> planned = new ArrayList<>();
                try {
                    List<PlannedWrite> writes = lockPlanAndWrite(connection, table, images, group, attempt, groupClaims, planned);
                    connection.releaseSavepoint(savepoint);
                    applied.addAll(writes);
                    claimed.putAll(groupClaims);
                } catch (SQLException e) {
                    if (transientFailure(connection, e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    boolean foreignKey = sql.isForeignKeyViolation(e);
                    String error = describe(e);
                    for (PlannedWrite write : planned) {
                        if (foreignKey && settle) {
                            settleForeignKey(connection, table, images, write, e, attempt);
                            continue;
                        }
                        for (PendingChange p : write.records) {
                            attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change,
                                    foreignKey ? ApplyStatus.RETRY : ApplyStatus.FAILED,
                                    (foreignKey ? "Foreign-key violation (the parent may still be on its way): "
                                            : "The database refused change " + p.change.describe() + ": ") + error,
                                    fieldIn(table, error)));
                        }
                    }
                    for (PendingChange p : group) {
                        attempt.outcomes.putIfAbsent(p.index, new ApplyOutcome(p.index, p.change, ApplyStatus.FAILED,
                                "The database refused change " + p.change.describe() + ": " + error, fieldIn(table, error)));
                    }
                } catch (VerificationFailedException e) {
                    connection.rollback(savepoint);
                    group.forEach(p -> attempt.outcomes.put(p.index,
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
        applied.forEach(write -> claimed.remove(write.keyId));
        NewKeyClaims.release(connection, dialect, table, List.copyOf(claimed.values()), maxRows);
        sql.clearOriginBeforeCommit(connection);
        connection.commit();
        return attempt;
    }

    /**
     * Locks, decides and writes the changes of a set of keys (see {@link #transaction}), and returns the writes. The
     * placeholder version rows it claims for keys without one go into {@code claims}; the writes, as soon as they are
     * planned, into {@code planned}.
     */
    private List<PlannedWrite> lockPlanAndWrite(Connection connection, SyncedTable table, RowImages images, List<PendingChange> pending,
                                                ApplyAttempt attempt, Map<String, Map<String, Object>> claims, List<PlannedWrite> planned)
            throws SQLException {
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        byKeyInOrder(table, pending).forEach(group -> keys.put(group.get(0).keyId, group.get(0).change.key));
        // before any lock: what decides the keys that have no user row
        Map<String, TargetVersion> before = statements.readVersions(connection, table, images, keys, false);
        Set<String> present = statements.lockRows(connection, table, images, keys);
        Map<String, Map<String, Object>> absentKeys = new LinkedHashMap<>(keys);
        absentKeys.keySet().removeAll(present);
        List<PendingChange> absentPending = pending.stream().filter(p -> absentKeys.containsKey(p.keyId)).toList();
        List<PendingChange> presentPending = pending.stream().filter(p -> !absentKeys.containsKey(p.keyId)).toList();

        // keys without a row: inserting the row is the only lock a key without one can take; a local INSERT of the key
        // then waits for apply before its trigger locks the version row
        List<PlannedWrite> absentWrites = List.of();
        if (!absentPending.isEmpty()) {
            Map<String, TargetState> states = table.keepsDeletedValues() ? fieldStates(connection, table, absentKeys) : null;
            absentWrites = sortedByKey(table, planner.decide(absentPending, before, states, attempt));
            absentWrites.forEach(w -> w.rowAbsent = true);
            planned.addAll(absentWrites);
            statements.completeResolutions(connection, table, images, absentWrites);
            statements.writeRows(connection, table, images, absentWrites);
        }
        // the version rows to lock: a key without a row that had none before is claimed by inserting one (below), a
        // plain INSERT that fails when another writer created it meanwhile: reading it again would find nothing
        Map<String, Map<String, Object>> versioned = new LinkedHashMap<>(keys);
        versioned.keySet().removeIf(keyId -> absentKeys.containsKey(keyId) && !before.containsKey(keyId));
        Map<String, TargetVersion> current = statements.readVersions(connection, table, images, versioned, true);
        for (String keyId : absentKeys.keySet()) {
            if (!Objects.equals(before.get(keyId), current.get(keyId))) {
                throw new NewKeyClaims.ConcurrentNewKeyException(table.localName(),
                        "the version row of a key without a row changed while apply inserted it",
                        new SQLException("version row changed", "40001"));
            }
        }
        Map<String, Map<String, Object>> newKeys = new LinkedHashMap<>(keys);
        newKeys.keySet().removeAll(current.keySet());
        // a key whose row apply just inserted and that has no version row: its version row, inserted now, is its claim
        List<PlannedWrite> firstVersions = absentWrites.stream().filter(w -> newKeys.containsKey(w.keyId)).toList();
        statements.insertNewVersions(connection, table, images, firstVersions);
        firstVersions.forEach(w -> newKeys.remove(w.keyId));
        NewKeyClaims.claim(connection, dialect, table, List.copyOf(newKeys.values()), maxRows);
        claims.putAll(newKeys);

        List<PlannedWrite> presentWrites = List.of();
        if (!presentPending.isEmpty()) {
            Map<String, Map<String, Object>> presentKeys = new LinkedHashMap<>(keys);
            presentKeys.keySet().retainAll(present);
            Map<String, TargetState> states = table.keepsDeletedValues() ? fieldStates(connection, table, presentKeys) : null;
            presentWrites = planner.decide(presentPending, current, states, attempt);
            planned.addAll(presentWrites);
            statements.completeResolutions(connection, table, images, presentWrites);
            statements.writeRows(connection, table, images, presentWrites);
        }
        List<PlannedWrite> writes = new ArrayList<>(absentWrites);
        writes.addAll(presentWrites);
        statements.writeVersions(connection, table, images, writes);
        statements.verify(connection, table, images, writes, attempt);
        return writes;
    }

    private static List<PlannedWrite> sortedByKey(SyncedTable table, List<PlannedWrite> writes) {
        KeyOrder order = new KeyOrder(table.keyColumns().stream().map(SyncedColumn::canonical).toList());
        List<PlannedWrite> sorted = new ArrayList<>(writes);
        sorted.sort((a, b) -> order.compare(a.key, b.key));
        return sorted;
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

    /** The field (canonical name) a database error names, where it names a column of the table. */
    private String fieldIn(SyncedTable table, String message) {
        return errors.columnNamed(message, table.columns().stream().map(SyncedColumn::local).toList())
                .flatMap(table::byLocal).map(SyncedColumn::canonical).orElse(null);
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
