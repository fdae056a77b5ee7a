package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * each, so the others commit; a foreign-key violation sends its record to retry; a transient error sends the whole
 * batch to retry with nothing applied.
 */
public final class ChangeApplier {

    private final Dialect dialect;
    private final ApplyDialect sql;
    private final TypeMapping types;
    private final SyncTopology topology;
    private final String target;
    private final int maxRows;
    private final VersionOrder order;
    private final Consumer<String> warnings;
    private final LongSupplier nowMicros;

    /**
     * @param maxRowsPerStatement rows per multi-row statement and keys per version read
     * @param warnings            receives warnings (a value the target's own triggers changed), after COMMIT
     */
    public ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                         Consumer<String> warnings) {
        this(dialect, topology, targetSystemId, maxRowsPerStatement, warnings, () -> System.currentTimeMillis() * 1000L);
    }

    ChangeApplier(Dialect dialect, SyncTopology topology, String targetSystemId, int maxRowsPerStatement,
                  Consumer<String> warnings, LongSupplier nowMicros) {
        if (maxRowsPerStatement < 1) {
            throw new IllegalArgumentException("Max rows per statement must be at least 1");
        }
        this.dialect = dialect;
        this.sql = dialect.apply();
        this.types = dialect.types();
        this.topology = topology;
        this.target = topology.system(targetSystemId).id();
        this.maxRows = maxRowsPerStatement;
        this.order = new VersionOrder(topology::rank);
        this.warnings = warnings;
        this.nowMicros = nowMicros;
    }

    /**
     * Applies the changes (all of {@code table}) through {@code connection}. Never throws for a database error: every
     * record gets an outcome. The connection's autoCommit is restored and the origin marker cleared before returning.
     */
    public ApplyResult apply(Connection connection, SyncedTable table, List<ChangeRecord> changes) {
        ApplyOutcome[] outcomes = new ApplyOutcome[changes.size()];
        RowImages images = new RowImages(table, types);
        List<Pending> pending = prepare(table, images, changes, outcomes);
        if (!pending.isEmpty()) {
            try {
                checkValues(connection, table, pending, outcomes);
            } catch (SQLException e) {
                settle(pending, outcomes, ApplyStatus.RETRY, "Cannot prepare statements in system '" + target + "': " + e.getMessage());
            }
        }
        pending.removeIf(p -> outcomes[p.index] != null);
        if (!pending.isEmpty()) {
            run(connection, table, images, pending, outcomes);
        }
        return new ApplyResult(List.of(outcomes));
    }

    // ---- checks that need no transaction ----------------------------------------------------------------------------

    private List<Pending> prepare(SyncedTable table, RowImages images, List<ChangeRecord> changes, ApplyOutcome[] outcomes) {
        String refusal = refusal(table);
        FieldValidator validator = new FieldValidator(table.settings().validations());
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            ChangeRecord change = changes.get(i).copy();
            Pending p = new Pending(i, change);
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

    /** Two-way sync on a generated key is refused (DESIGN.md section 7). */
    private String refusal(SyncedTable table) {
        if (table.settings().direction() != Direction.TWO_WAY || !table.settings().syncKey().isEmpty()) {
            return null;
        }
        return table.keyColumns().stream().filter(c -> c.column().autoIncrement()).findFirst()
                .map(c -> "Table '" + table.canonicalName() + "' is two-way but its key column '" + c.local() + "' in system '"
                        + target + "' is generated (identity/serial/auto-increment): both systems would hand out the same "
                        + "key values for different rows. nifi-bisync refuses to apply it; configure a sync key of other "
                        + "columns that identify a row (\"syncKey\": [...]) or make the table one-way")
                .orElse(null);
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
    private void checkValues(Connection connection, SyncedTable table, List<Pending> pending, ApplyOutcome[] outcomes) throws SQLException {
        List<SyncedColumn> columns = table.writableColumns();
        try (PreparedStatement check = connection.prepareStatement(sql.upsertRows(table, columns, 1))) {
            for (Pending p : pending) {
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

    private ApplyOutcome rejected(Pending p, SyncedTable table, IllegalArgumentException e) {
        String field = e instanceof ValueRejectedException v
                ? table.byLocal(v.column()).map(SyncedColumn::canonical).orElse(v.column()) : null;
        return new ApplyOutcome(p.index, p.change, ApplyStatus.FAILED, "Change " + p.change.describe() + ": "
                + e.getMessage(), field);
    }

    // ---- the transaction ---------------------------------------------------------------------------------------------

    private void run(Connection connection, SyncedTable table, RowImages images, List<Pending> pending, ApplyOutcome[] outcomes) {
        Boolean autoCommit = null;
        try {
            autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            Attempt attempt;
            try {
                attempt = transaction(connection, table, images, pending, false);
            } catch (SQLException e) {
                rollback(connection);
                if (transientFailure(connection, e)) {
                    settle(pending, outcomes, ApplyStatus.RETRY, transientReason(e));
                    return;
                }
                attempt = transaction(connection, table, images, pending, true);
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
                settle(pending, outcomes, ApplyStatus.FAILED, "Database error in system '" + target + "', nothing applied: " + e.getMessage());
            }
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

    private String transientReason(SQLException e) {
        return "Transient database error in system '" + target + "', nothing applied: " + e.getMessage();
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

    private Attempt transaction(Connection connection, SyncedTable table, RowImages images, List<Pending> pending,
                                boolean recordByRecord) throws SQLException {
        Attempt attempt = new Attempt();
        sql.markOrigin(connection, marker(pending));
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        pending.forEach(p -> keys.putIfAbsent(p.keyId, p.change.key));
        Map<String, TargetVersion> current = readVersions(connection, table, images, keys);
        Map<String, Map<String, Object>> newKeys = new LinkedHashMap<>(keys);
        newKeys.keySet().removeAll(current.keySet());
        NewKeyClaims.claim(connection, dialect, table, List.copyOf(newKeys.values()), maxRows);
        List<Write> writes = decide(pending, current, attempt);
        completeResolutions(connection, table, images, writes);
        List<Write> applied = new ArrayList<>();
        if (!recordByRecord) {
            execute(connection, table, images, writes);
            verify(connection, table, images, writes, attempt);
            applied.addAll(writes);
        } else {
            for (Write write : writes) {
                Savepoint savepoint = connection.setSavepoint();
                try {
                    execute(connection, table, images, List.of(write));
                    verify(connection, table, images, List.of(write), attempt);
                    connection.releaseSavepoint(savepoint);
                    applied.add(write);
                } catch (SQLException e) {
                    if (transientFailure(connection, e)) {
                        throw e;
                    }
                    connection.rollback(savepoint);
                    boolean foreignKey = sql.isForeignKeyViolation(e);
                    for (Pending p : write.records) {
                        attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change,
                                foreignKey ? ApplyStatus.RETRY : ApplyStatus.FAILED,
                                (foreignKey ? "Foreign-key violation (the parent may still be on its way): "
                                        : "The database refused change " + p.change.describe() + ": ") + e.getMessage(),
                                fieldIn(table, e.getMessage())));
                    }
                } catch (VerificationFailedException e) {
                    connection.rollback(savepoint);
                    write.records.forEach(p -> attempt.outcomes.put(p.index,
                            new ApplyOutcome(p.index, p.change, ApplyStatus.FAILED, e.getMessage(), null)));
                }
            }
        }
        for (Write write : applied) {
            for (Pending p : write.records) {
                attempt.outcomes.put(p.index, new ApplyOutcome(p.index, p.change, ApplyStatus.APPLIED,
                        p == write.records.get(write.records.size() - 1) ? null
                                : "Superseded in the same transaction by version " + write.version, null));
            }
        }
        boolean keyGenerated = table.keyColumns().stream().anyMatch(c -> c.column().autoIncrement());
        if (keyGenerated && applied.stream().anyMatch(w -> w.writeData && w.row != null)) {
            sql.advanceKeySequence(connection, table);
        }
        applied.forEach(write -> newKeys.remove(write.keyId));
        NewKeyClaims.release(connection, dialect, table, List.copyOf(newKeys.values()), maxRows);
        sql.clearOrigin(connection);
        connection.commit();
        return attempt;
    }

    private static String marker(List<Pending> pending) {
        String origin = pending.get(0).change.origin;
        return origin == null || origin.isEmpty() ? "bisync" : origin;
    }

    /** Decides every pending change against the target's version (or the batch's own earlier write of that key). */
    private List<Write> decide(List<Pending> pending, Map<String, TargetVersion> current, Attempt attempt) {
        Map<String, Write> byKey = new LinkedHashMap<>();
        for (Pending p : pending) {
            ChangeRecord c = p.change;
            Write earlier = byKey.get(p.keyId);
            TargetVersion original = current.get(p.keyId);
            TargetVersion now = earlier != null ? earlier.asTargetVersion() : original;
            Version held = now == null ? null : now.version;
            boolean compareAndSet = c.resolution != null || c.decision == Decision.MERGE;
            if (compareAndSet) {
                Version expected = c.expectedVersion != null || c.resolution == null ? c.expectedVersion : c.targetVersion;
                if (!Objects.equals(held, expected)) {
                    attempt.outcomes.put(p.index, new ApplyOutcome(p.index, c, ApplyStatus.RE_RESOLVE, "The target now holds version "
                            + (held == null ? "none" : held) + ", not " + (expected == null ? "none" : expected)
                            + " that the decision was made against", null));
                    continue;
                }
            } else if (!order.isGreater(c.version, held)) {
                attempt.outcomes.put(p.index, new ApplyOutcome(p.index, c, ApplyStatus.STALE, "The target already holds version "
                        + held + (now.deleted ? " (deleted)" : "") + ", not older than " + c.version, null));
                continue;
            }
            Write write = earlier != null ? earlier : new Write(p.keyId, c.key, original);
            write.records.add(p);
            write.fieldVersions = original == null ? null : original.fieldVersions;
            write.history = false;
            write.keepTarget = false;
            write.writeData = true;
            if (c.resolution != null) {
                resolve(write, c, held);
            } else {
                write.row = c.operation.removesRow() ? null : new LinkedHashMap<>(c.after);
                write.fieldVersions = c.fieldVersions.isEmpty() ? write.fieldVersions : null;
                write.incomingFieldVersions = c.fieldVersions;
                if (p.standardized) {
                    // the rewritten value must reach every system, the origin included: a change ranked above the original
                    write.version = new Version(c.version.number() + 1, target);
                    forward(write, c.before, c.version, target, List.of(), null, nowMicros.getAsLong());
                } else {
                    write.version = c.version;
                    if (target.equals(topology.hub())) {
                        // the hub's own previous version, so a spoke in step with the hub fast-forwards
                        forward(write, c.before, original == null ? null : original.version, c.origin, c.supersedes,
                                c.transactionId, c.capturedAt);
                    }
                }
            }
            byKey.put(p.keyId, write);
        }
        return new ArrayList<>(byKey.values());
    }

    /** A reviewer's resolution: a new version above both, made by the target, superseding both, forwarded by history. */
    private void resolve(Write write, ChangeRecord c, Version held) {
        long above = Math.max(c.version.number(), held == null ? Long.MIN_VALUE : held.number());
        write.version = new Version(above + 1, target);
        write.incomingFieldVersions = Map.of();
        List<Version> supersedes = held == null ? List.of(c.version) : List.of(c.version, held);
        switch (c.resolution) {
            case TAKE_INCOMING -> write.row = c.operation.removesRow() ? null : new LinkedHashMap<>(c.after);
            case USE_AFTER -> write.row = c.after == null ? null : new LinkedHashMap<>(c.after);
            case KEEP_TARGET -> {
                write.keepTarget = true;
                write.writeData = false; // filled from the target's row, re-written in version terms only
            }
        }
        write.resolution = true;
        forward(write, null, held, target, supersedes, null, nowMicros.getAsLong());
    }

    private static void forward(Write write, Map<String, Object> before, Version prev, String origin, List<Version> supersedes,
                                String transactionId, long capturedAt) {
        write.history = true;
        write.historyBefore = before;
        write.historyPrev = prev;
        write.historyOrigin = origin;
        write.supersedes = supersedes;
        write.transactionId = transactionId;
        write.capturedAt = capturedAt;
    }

    /** Resolutions image the target's current row as their before (and KEEP_TARGET as their row). */
    private void completeResolutions(Connection connection, SyncedTable table, RowImages images, List<Write> writes) throws SQLException {
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        writes.stream().filter(w -> w.resolution).forEach(w -> keys.put(w.keyId, w.key));
        if (keys.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> rows = readRows(connection, table, images, keys);
        for (Write write : writes) {
            if (write.resolution) {
                Map<String, Object> targetRow = rows.get(write.keyId);
                write.historyBefore = targetRow;
                if (write.keepTarget) {
                    write.row = targetRow;
                }
            }
        }
    }

    // ---- writing -----------------------------------------------------------------------------------------------------

    private void execute(Connection connection, SyncedTable table, RowImages images, List<Write> writes) throws SQLException {
        try {
            Map<List<SyncedColumn>, List<Write>> upserts = new LinkedHashMap<>();
            List<Write> deletes = new ArrayList<>();
            for (Write write : writes) {
                if (!write.writeData) {
                    continue;
                }
                if (write.row == null) {
                    deletes.add(write);
                } else {
                    upserts.computeIfAbsent(columnsOf(table, write), k -> new ArrayList<>()).add(write);
                }
            }
            for (Map.Entry<List<SyncedColumn>, List<Write>> group : upserts.entrySet()) {
                upsert(connection, table, group.getKey(), group.getValue());
            }
            if (!deletes.isEmpty()) {
                try (PreparedStatement delete = connection.prepareStatement(sql.deleteRow(table))) {
                    for (Write write : deletes) {
                        bindKey(delete, 1, table, write.key);
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
            }
            for (int from = 0; from < writes.size(); from += maxRows) {
                List<Write> chunk = writes.subList(from, Math.min(writes.size(), from + maxRows));
                try (PreparedStatement version = connection.prepareStatement(sql.upsertVersions(table, chunk.size()))) {
                    int index = 1;
                    for (Write write : chunk) {
                        index = bindKey(version, index, table, write.key);
                        version.setLong(index++, write.version.number());
                        version.setString(index++, write.version.origin());
                        Version prev = write.original == null ? null : write.original.version;
                        setLong(version, index++, prev == null ? null : prev.number());
                        version.setString(index++, prev == null ? null : prev.origin());
                        version.setBoolean(index++, write.row == null);
                        version.setString(index++, write.storedFieldVersions(images));
                    }
                    version.executeUpdate();
                }
            }
            List<Write> forwarded = writes.stream().filter(w -> w.history).toList();
            if (!forwarded.isEmpty()) {
                try (PreparedStatement history = connection.prepareStatement(sql.insertHistory())) {
                    for (Write write : forwarded) {
                        bindHistory(history, table, images, write);
                        history.addBatch();
                    }
                    history.executeBatch();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "22000", e);
        }
    }

    private void upsert(Connection connection, SyncedTable table, List<SyncedColumn> columns, List<Write> writes) throws SQLException {
        for (int from = 0; from < writes.size(); from += maxRows) {
            List<Write> chunk = writes.subList(from, Math.min(writes.size(), from + maxRows));
            try (PreparedStatement upsert = connection.prepareStatement(sql.upsertRows(table, columns, chunk.size()))) {
                int index = 1;
                for (Write write : chunk) {
                    for (SyncedColumn column : columns) {
                        Object value = column.key() ? write.key.get(column.canonical()) : write.row.get(column.canonical());
                        types.bind(upsert, index++, value, column.column());
                    }
                }
                upsert.executeUpdate();
            }
        }
    }

    /** Key columns and the writable columns the row carries (a column absent from the record is left as it is). */
    private static List<SyncedColumn> columnsOf(SyncedTable table, Write write) {
        return table.writableColumns().stream().filter(c -> c.key() || write.row.containsKey(c.canonical())).toList();
    }

    private void bindHistory(PreparedStatement history, SyncedTable table, RowImages images, Write write) throws SQLException {
        boolean live = write.original != null && !write.original.deleted;
        String operation = write.row == null ? "DELETE" : live ? "UPDATE" : "INSERT";
        history.setString(1, table.localName());
        history.setString(2, operation);
        history.setString(3, images.image(write.key, table.keyColumns()));
        history.setString(4, live ? images.image(write.historyBefore, table.columns()) : null);
        history.setString(5, images.image(write.row, table.columns()));
        history.setLong(6, write.version.number());
        history.setString(7, write.version.origin());
        setLong(history, 8, write.historyPrev == null ? null : write.historyPrev.number());
        history.setString(9, write.historyPrev == null ? null : write.historyPrev.origin());
        history.setString(10, write.storedFieldVersions(images));
        history.setString(11, write.historyOrigin);
        history.setString(12, RowImages.versions(write.supersedes));
        history.setString(13, write.transactionId);
        history.setLong(14, write.capturedAt);
    }

    private int bindKey(PreparedStatement statement, int index, SyncedTable table, Map<String, Object> key) throws SQLException {
        for (SyncedColumn column : table.keyColumns()) {
            types.bind(statement, index++, key.get(column.canonical()), column.column());
        }
        return index;
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    // ---- reading back ------------------------------------------------------------------------------------------------

    /**
     * Reads back, in the same transaction, the version rows and data rows just written: a version row that is not the
     * one written, a row missing after an upsert or present after a delete fails the batch; a value that differs from
     * the one written (the target's own trigger or default rewrote it) is a warning.
     */
    private void verify(Connection connection, SyncedTable table, RowImages images, List<Write> writes, Attempt attempt) throws SQLException {
        Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
        writes.forEach(w -> keys.put(w.keyId, w.key));
        Map<String, TargetVersion> versions = readVersions(connection, table, images, keys);
        for (Write write : writes) {
            TargetVersion read = versions.get(write.keyId);
            if (read == null || !read.version.equals(write.version) || read.deleted != (write.row == null)) {
                throw new VerificationFailedException("After writing, the version row of " + table.canonicalName() + write.key
                        + " in system '" + target + "' reads " + (read == null ? "nothing" : read.version + (read.deleted ? " (deleted)" : ""))
                        + " instead of " + write.version + (write.row == null ? " (deleted)" : "") + ": nothing was applied");
            }
        }
        Map<String, Map<String, Object>> rowKeys = new LinkedHashMap<>();
        writes.stream().filter(w -> w.writeData).forEach(w -> rowKeys.put(w.keyId, w.key));
        if (rowKeys.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> rows = readRows(connection, table, images, rowKeys);
        for (Write write : writes) {
            if (!write.writeData) {
                continue;
            }
            Map<String, Object> row = rows.get(write.keyId);
            if ((row == null) != (write.row == null)) {
                throw new VerificationFailedException("After writing, the row " + table.canonicalName() + write.key + " in system '"
                        + target + "' is " + (row == null ? "missing" : "still there after its delete") + ": nothing was applied");
            }
            if (row == null) {
                continue;
            }
            for (SyncedColumn column : columnsOf(table, write)) {
                if (!column.key() && !images.same(write.row.get(column.canonical()), row.get(column.canonical()), column)) {
                    attempt.warnings.add("Table '" + table.canonicalName() + "' key " + write.key + " in system '" + target
                            + "': column '" + column.local() + "' was written as '" + write.row.get(column.canonical())
                            + "' but reads '" + row.get(column.canonical()) + "': the target's own trigger or default changed "
                            + "it. Exclude such a column from the sync or make it one-way, or the systems will differ");
                }
            }
        }
    }

    private Map<String, TargetVersion> readVersions(Connection connection, SyncedTable table, RowImages images,
                                                    Map<String, Map<String, Object>> keys) throws SQLException {
        Map<String, TargetVersion> versions = new HashMap<>();
        List<SyncedColumn> keyColumns = table.keyColumns();
        List<Map<String, Object>> all = new ArrayList<>(keys.values());
        for (int from = 0; from < all.size(); from += maxRows) {
            List<Map<String, Object>> chunk = all.subList(from, Math.min(all.size(), from + maxRows));
            try (PreparedStatement select = connection.prepareStatement(sql.selectVersions(table, chunk.size()))) {
                int index = 1;
                for (Map<String, Object> key : chunk) {
                    index = bindKey(select, index, table, key);
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> key = new LinkedHashMap<>();
                        for (int i = 0; i < keyColumns.size(); i++) {
                            key.put(keyColumns.get(i).canonical(), types.read(rs, i + 1, keyColumns.get(i).column()));
                        }
                        int k = keyColumns.size();
                        versions.put(images.keyId(key), new TargetVersion(new Version(rs.getLong(k + 1), rs.getString(k + 2)),
                                rs.getBoolean(k + 3), rs.getString(k + 4)));
                    }
                }
            }
        }
        return versions;
    }

    /** The synced columns of the rows of these keys, by key id. */
    private Map<String, Map<String, Object>> readRows(Connection connection, SyncedTable table, RowImages images,
                                                      Map<String, Map<String, Object>> keys) throws SQLException {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        List<SyncedColumn> columns = table.columns();
        List<Map<String, Object>> all = new ArrayList<>(keys.values());
        for (int from = 0; from < all.size(); from += maxRows) {
            List<Map<String, Object>> chunk = all.subList(from, Math.min(all.size(), from + maxRows));
            String select = KeyQueries.selectRowsByKeys(dialect, table, chunk.size());
            try (PreparedStatement statement = connection.prepareStatement(select)) {
                int index = 1;
                for (Map<String, Object> key : chunk) {
                    index = bindKey(statement, index, table, key);
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 0; i < columns.size(); i++) {
                            row.put(columns.get(i).canonical(), types.read(rs, i + 1, columns.get(i).column()));
                        }
                        rows.put(images.keyId(row), row);
                    }
                }
            }
        }
        return rows;
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

    private static void settle(List<Pending> pending, ApplyOutcome[] outcomes, ApplyStatus status, String reason) {
        for (Pending p : pending) {
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

    /** A change waiting to be applied. */
    private static final class Pending {
        final int index;
        final ChangeRecord change;
        String keyId;
        boolean standardized;

        Pending(int index, ChangeRecord change) {
            this.index = index;
            this.change = change;
        }
    }

    /** A target's version row as read under lock. */
    private record TargetVersion(Version version, boolean deleted, String fieldVersions) {
    }

    /** What one key gets written: the last winning change of that key in the batch. */
    private static final class Write {
        final String keyId;
        final Map<String, Object> key;
        /** The target's version row before this transaction, or null. */
        final TargetVersion original;
        final List<Pending> records = new ArrayList<>();
        /** The resulting row (canonical names); null for a delete. */
        Map<String, Object> row;
        boolean writeData = true;
        boolean keepTarget;
        boolean resolution;
        Version version;
        /** The target's field_versions text, kept when the change brings none. */
        String fieldVersions;
        Map<String, Version> incomingFieldVersions = Map.of();
        boolean history;
        Map<String, Object> historyBefore;
        Version historyPrev;
        String historyOrigin;
        List<Version> supersedes = List.of();
        String transactionId;
        long capturedAt;

        Write(String keyId, Map<String, Object> key, TargetVersion original) {
            this.keyId = keyId;
            this.key = key;
            this.original = original;
        }

        TargetVersion asTargetVersion() {
            return new TargetVersion(version, row == null && !keepTarget, fieldVersions);
        }

        String storedFieldVersions(RowImages images) {
            return incomingFieldVersions.isEmpty() ? fieldVersions : images.fieldVersions(incomingFieldVersions);
        }
    }

    /** Outcomes and warnings of one transaction, kept only if it commits. */
    private static final class Attempt {
        final Map<Integer, ApplyOutcome> outcomes = new HashMap<>();
        final List<String> warnings = new ArrayList<>();
    }

    /** What was read back is not what was written. */
    private static final class VerificationFailedException extends RuntimeException {
        VerificationFailedException(String message) {
            super(message);
        }
    }
}
