/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.resolve.FieldLevelJoin;
import org.bisync.nifi.resolve.TargetState;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides, under the lock of the keys' version rows, what each pending change writes: automatic strategies only a
 * version greater than the target's, MERGE decisions and reviewers' resolutions only over the version they were decided
 * against; resolutions get a version above both, and changes apply must forward itself get their history row.
 */
final class WritePlanner {

    private final SyncTopology topology;
    private final String target;
    private final VersionOrder order;
    private final LongSupplier nowMicros;
    private final FieldLevelJoin join;

    WritePlanner(SyncTopology topology, String target, LongSupplier nowMicros) {
        this.topology = topology;
        this.target = target;
        this.order = new VersionOrder(topology::rank);
        this.nowMicros = nowMicros;
        this.join = new FieldLevelJoin(order);
    }

    /**
     * Decides every pending change against the target's version (or the batch's own earlier write of that key).
     *
     * @param fieldStates for tables whose tombstones keep values (field-level strategies): what the target holds per
     *                    key id, read under the lock; null for other tables
     */
    List<PlannedWrite> decide(List<PendingChange> pending, Map<String, TargetVersion> current, Map<String, TargetState> fieldStates,
                              ApplyAttempt attempt) {
        Map<String, PlannedWrite> byKey = new LinkedHashMap<>();
        for (PendingChange p : pending) {
            ChangeRecord c = p.change;
            PlannedWrite earlier = byKey.get(p.keyId);
            TargetVersion original = current.get(p.keyId);
            FieldLevelJoin.State heldState = earlier != null ? earlier.joined
                    : fieldStates == null ? null : FieldLevelJoin.of(fieldStates.getOrDefault(p.keyId, TargetState.none()));
            if (heldState != null && c.resolution == null && !p.standardized) {
                joinUnderLock(p, heldState, earlier, original, attempt).ifPresent(write -> byKey.put(p.keyId, write));
                continue;
            }
            TargetVersion now = earlier != null ? earlier.asTargetVersion() : original;
            Version held = now == null ? null : now.version();
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
                        + held + (now.deleted() ? " (deleted)" : "") + ", not older than " + c.version, null));
                continue;
            }
            PlannedWrite write = earlier != null ? earlier : new PlannedWrite(p.keyId, c.key, original);
            write.records.add(p);
            write.fieldVersions = original == null ? null : original.fieldVersions();
            write.history = false;
            write.keepTarget = false;
            // a row the target holds alike (ResolveConflicts reduced it to a SNAPSHOT without changed fields): the version row only
            write.writeData = !(c.operation == Operation.SNAPSHOT && c.changedFields.isEmpty() && c.resolution == null);
            write.keptRow = null;
            write.tombstone = null;
            if (c.resolution != null) {
                resolve(write, c, held);
            } else {
                write.row = c.operation.removesRow() ? null : new LinkedHashMap<>(c.after);
                write.keptRow = c.operation.removesRow() ? c.before : null;
                write.tombstone = c.tombstoneVersion;
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
                        forward(write, c.before, original == null ? null : original.version(), c.origin, c.supersedes,
                                c.transactionId, c.capturedAt);
                    }
                }
            }
            byKey.put(p.keyId, write);
        }
        return new ArrayList<>(byKey.values());
    }

    /**
     * Field-level tables: the change joined into what the target holds now, under the lock, whatever ResolveConflicts
     * decided. A merge keeps the greater row version, so the target can take in another change's fields without its
     * version moving, and neither "only above the held version" nor a compare-and-set on it would see that; the join
     * with the current state is right whatever happened since the decision, since joins commute.
     */
    private Optional<PlannedWrite> joinUnderLock(PendingChange p, FieldLevelJoin.State held, PlannedWrite earlier,
                                                           TargetVersion original, ApplyAttempt attempt) {
        ChangeRecord c = p.change;
        FieldLevelJoin.Joined joined = join.join(held, FieldLevelJoin.of(c));
        if (!joined.incomingContributes()) {
            attempt.outcomes.put(p.index, new ApplyOutcome(p.index, c, ApplyStatus.STALE, "The target already holds every field "
                    + "of version " + c.version + " (it holds " + held.version() + (held.tombstone() != null ? ", deleted" : "") + ")", null));
            return Optional.empty();
        }
        FieldLevelJoin.State state = joined.state();
        PlannedWrite write = earlier != null ? earlier : new PlannedWrite(p.keyId, c.key, original);
        write.records.add(p);
        write.history = false;
        write.keepTarget = false;
        write.writeData = true;
        write.version = state.version();
        write.row = joined.live() ? new LinkedHashMap<>(state.values()) : null;
        write.keptRow = joined.live() ? null : state.values();
        write.tombstone = state.separateTombstone();
        write.fieldVersions = null;
        write.incomingFieldVersions = state.fieldVersions();
        write.joined = state;
        // the target already holds these values (a row alike at the initial load): its version row only
        write.writeData = !(write.row != null && held.tombstone() == null && held.values() != null && sameValues(held.values(), write.row));
        if (target.equals(topology.hub())) {
            Map<String, Object> before = joined.live() ? (held.tombstone() == null ? held.values() : null) : state.values();
            forward(write, before, held.version(), c.origin, c.supersedes, c.transactionId, c.capturedAt);
        }
        return Optional.of(write);
    }

    private static boolean sameValues(Map<String, Object> held, Map<String, Object> row) {
        for (Map.Entry<String, Object> field : row.entrySet()) {
            Object a = field.getValue();
            Object b = held.get(field.getKey());
            boolean same = a instanceof java.math.BigDecimal x && b instanceof java.math.BigDecimal y ? x.compareTo(y) == 0
                    : a instanceof byte[] x && b instanceof byte[] y ? java.util.Arrays.equals(x, y) : Objects.equals(a, b);
            if (!same || !held.containsKey(field.getKey())) {
                return false;
            }
        }
        return true;
    }

    /** A reviewer's resolution: a new version above both, made by the target, superseding both, forwarded by history. */
    private void resolve(PlannedWrite write, ChangeRecord c, Version held) {
        supersede(write, c.version, held, above(c.version, held) + 1, nowMicros.getAsLong());
        switch (c.resolution) {
            case TAKE_INCOMING -> write.row = c.operation.removesRow() ? null : new LinkedHashMap<>(c.after);
            case USE_AFTER -> write.row = c.after == null ? null : new LinkedHashMap<>(c.after);
            case KEEP_TARGET -> keepTarget(write);
        }
    }

    /**
     * A delete that lost a settled foreign-key conflict (a child newer than it still references the row): the target
     * keeps its row, re-written in version terms the way a KEEP_TARGET resolution is, with number max(clock, delete's
     * number + 1), made by the target, superseding the delete, and forwarded so the side that deleted it gets it back.
     */
    PlannedWrite keepAgainst(PlannedWrite delete) {
        PlannedWrite keep = new PlannedWrite(delete.keyId, delete.key, delete.original);
        keep.records.addAll(delete.records);
        keep.fieldVersions = delete.original == null ? null : delete.original.fieldVersions();
        Version held = delete.original == null ? null : delete.original.version();
        long now = nowMicros.getAsLong();
        supersede(keep, delete.version, held, Math.max(now, above(delete.version, held) + 1), now);
        keepTarget(keep);
        return keep;
    }

    private static long above(Version incoming, Version held) {
        return Math.max(incoming.number(), held == null ? Long.MIN_VALUE : held.number());
    }

    private void supersede(PlannedWrite write, Version incoming, Version held, long number, long now) {
        write.version = new Version(number, target);
        write.incomingFieldVersions = Map.of();
        write.resolution = true;
        forward(write, null, held, target, held == null ? List.of(incoming) : List.of(incoming, held), null, now);
    }

    private static void keepTarget(PlannedWrite write) {
        write.keepTarget = true;
        write.writeData = false; // filled from the target's row, re-written in version terms only
    }

    private static void forward(PlannedWrite write, Map<String, Object> before, Version prev, String origin, List<Version> supersedes,
                                String transactionId, long capturedAt) {
        write.history = true;
        write.historyBefore = before;
        write.historyPrev = prev;
        write.historyOrigin = origin;
        write.supersedes = supersedes;
        write.transactionId = transactionId;
        write.capturedAt = capturedAt;
    }
}
