/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeFields;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides what happens to an incoming change at its target, per DESIGN.md section 4 ("Conflict detection"), and
 * writes the decision into the change: {@code decision}, {@code expected_version} (the target version it decided
 * against), and for a merge the merged row, or for a held conflict the target's row and version.
 *
 * <p>Every automatic strategy is "the greater version wins" in the one {@link VersionOrder} all systems share (the
 * strategies' biases are in the version numbers already), so every system ends on the same value whatever the order
 * or duplication of deliveries. Near-ties are flagged, never decided differently: a tolerance that picked another
 * winner would break that agreement.
 */
public final class Resolver {

    /** Default near-tie tolerance: one second in microseconds. */
    public static final long DEFAULT_NEAR_TIE_MICROS = 1_000_000L;

    private final Strategy strategy;
    private final VersionOrder order;
    private final ConflictDetector detector;
    private final FieldLevelJoin joiner;
    private final long nearTieMicros;

    public Resolver(Strategy strategy, VersionOrder order, long nearTieMicros) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.order = Objects.requireNonNull(order, "order");
        this.detector = new ConflictDetector(order);
        this.joiner = new FieldLevelJoin(order);
        if (nearTieMicros < 0) {
            throw new IllegalArgumentException("Near-tie tolerance must not be negative, was " + nearTieMicros);
        }
        this.nearTieMicros = nearTieMicros;
    }

    /**
     * Decides on {@code change} against {@code target} and writes the decision into the change; the verdict says whether
     * deciding rewrote anything else of it.
     *
     * @throws InvalidChangeException when the change cannot be decided on as it is (the message names the field)
     */
    public Verdict decide(ChangeRecord change, TargetState target) {
        Objects.requireNonNull(change.version, "version");
        // what the change came with of a decision (back from review or re-resolve, a replay) is replaced
        boolean cameDecided = change.decision != null || change.expectedVersion != null || change.resolution != null;
        Verdict verdict = judge(change, target);
        return cameDecided ? verdict.asRewritten() : verdict;
    }

    private Verdict judge(ChangeRecord change, TargetState target) {
        change.expectedVersion = target.version();
        if (change.resolution != null) {
            return resolved(change, target);
        }
        boolean noChangedField = change.changedFields.isEmpty() && !change.operation.removesRow();
        if ((change.operation == Operation.SNAPSHOT || noChangedField) && holdsSameRow(change, target)) {
            return identicalSnapshot(change, target);
        }
        boolean fieldsFilledIn = noChangedField && change.after != null;
        if (fieldsFilledIn) {
            // a version taken where the row was alike (forwarded by a hub) meets a different row here: write it
            change.changedFields = new ArrayList<>(change.after.keySet());
        }
        Relation relation = detector.classify(change, target.version());
        boolean nearTie = relation == Relation.CONFLICT && isNearTie(change.version, target.version());
        Verdict verdict;
        if (joinsFields(target)) {
            // no shortcut for duplicates: a merge keeps the greater row version, so a hub forwards merged states under
            // versions its spokes may hold already; the join is idempotent and finds a true duplicate stale itself
            verdict = join(change, target, relation, nearTie);
        } else {
            verdict = switch (relation) {
                case DUPLICATE -> done(change, Outcome.STALE, relation, false, "the target already holds version " + change.version);
                case OLDER_FROM_SAME_ORIGIN -> done(change, Outcome.STALE, relation, false, "the target holds " + target.version()
                        + ", a later version from the same origin");
                case FAST_FORWARD -> fastForward(change, target, relation);
                case CONFLICT, CONFLICT_WITHOUT_HISTORY -> conflict(change, target, relation, nearTie);
            };
        }
        return fieldsFilledIn ? verdict.asRewritten() : verdict;
    }

    private Verdict fastForward(ChangeRecord change, TargetState target, Relation relation) {
        return done(change, Outcome.FAST_FORWARDED, relation, false, target.version() == null
                ? "the target has no version of the row and the change has no previous version"
                : "the target holds " + target.version() + ", the version the change was made on");
    }

    private Verdict conflict(ChangeRecord change, TargetState target, Relation relation, boolean nearTie) {
        String what = relation == Relation.CONFLICT_WITHOUT_HISTORY
                ? "conflict: the target has no version of the row, the change was made on " + change.prevVersion
                : "conflict: the target holds " + target.version() + ", the change was made on " + change.prevVersion;
        if (strategy == Strategy.MANUAL) {
            change.targetRow = target.row() == null ? null : new LinkedHashMap<>(target.row());
            change.targetVersion = target.version();
            return done(change, Outcome.HELD_FOR_REVIEW, relation, nearTie, what + "; held for review").asRewritten();
        }
        if (order.isGreater(change.version, target.version())) {
            return done(change, Outcome.CONFLICT_WON, relation, nearTie, what + "; " + change.version + " is greater");
        }
        return done(change, Outcome.CONFLICT_LOST, relation, nearTie, what + "; " + target.version() + " is greater");
    }

    /** Field-level tables join the change's state into any state the target holds, tombstones included. */
    private boolean joinsFields(TargetState target) {
        return strategy.isFieldLevel() && target.version() != null;
    }

    /**
     * The field-level join ({@link FieldLevelJoin}): the change as it is when it holds everything the target holds and
     * a greater version (APPLY), nothing when the target holds everything the change holds (STALE), else the joined
     * state as a MERGE, a live row or a tombstone that keeps the joined values in {@code before}. ApplyBidirectionalChanges
     * joins either into what the target holds under its lock, so a decision overtaken by another write loses nothing.
     * The same field-level table can hold more under the same row version at one system than at another (a merge keeps
     * the greater row version), so the join always decides, fast-forwards included.
     */
    private Verdict join(ChangeRecord change, TargetState target, Relation relation, boolean nearTie) {
        boolean conflict = relation.isConflict();
        FieldLevelJoin.Joined joined = joiner.join(FieldLevelJoin.of(target), FieldLevelJoin.of(change));
        if (!joined.incomingContributes()) {
            return done(change, conflict ? Outcome.CONFLICT_LOST : Outcome.STALE, relation, nearTie,
                    "the target wins every field that differs");
        }
        if (!joined.targetContributes() && order.isGreater(change.version, target.version())) {
            // a plain write of the change: apply writes it only above the target's version
            return done(change, conflict ? Outcome.CONFLICT_WON : Outcome.FAST_FORWARDED, relation, nearTie,
                    "the change wins every field that differs");
        }
        FieldLevelJoin.State state = joined.state();
        Version original = change.version;
        change.version = state.version();
        change.fieldVersions = new LinkedHashMap<>(state.fieldVersions());
        change.changedFields = new ArrayList<>(joined.fieldsWon());
        if (joined.live()) {
            change.operation = target.live() ? Operation.UPDATE : Operation.INSERT;
            change.before = target.live() ? new LinkedHashMap<>(target.row()) : null;
            change.after = new LinkedHashMap<>(state.values());
            change.tombstoneVersion = null;
        } else {
            change.operation = Operation.DELETE;
            change.before = new LinkedHashMap<>(state.values());
            change.after = null;
            change.tombstoneVersion = state.separateTombstone();
        }
        for (Version replaced : List.of(original, target.version())) {
            if (!replaced.equals(state.version()) && !change.supersedes.contains(replaced)) {
                change.supersedes.add(replaced);
            }
        }
        String what = joined.live() ? (target.live() ? "merged" : "merged into the tombstone " + target.tombstone()
                + ", which a newer field brings back") : "merged into a tombstone";
        return done(change, Outcome.MERGED, relation, nearTie, what + ": the change wins " + joined.fieldsWon() + " over " + target.version())
                .asRewritten();
    }

    /**
     * Whether the target holds a live row equal to the snapshot's (the first activation on tables that already hold
     * data: rows present on both sides alike). Needs the target's row ({@code withRows}).
     */
    private static boolean holdsSameRow(ChangeRecord change, TargetState target) {
        if (target.row() == null || target.deleted() || change.after == null) {
            return false;
        }
        for (Map.Entry<String, Object> field : change.after.entrySet()) {
            if (!KeyValues.normalize(field.getValue()).equals(KeyValues.normalize(target.row().get(field.getKey())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * An initial-load row the target already holds alike: nothing to write and nothing to review, whatever the strategy.
     * The versions still have to agree, so a greater version is taken as a version-only write (no changed fields: apply
     * writes the version row and leaves the row alone, so no trigger fires and nothing echoes); otherwise it is stale.
     */
    private Verdict identicalSnapshot(ChangeRecord change, TargetState target) {
        if (target.version() != null && !order.isGreater(change.version, target.version())) {
            return done(change, Outcome.STALE, null, false, "the target holds the same row under " + target.version()
                    + ", not older than " + change.version);
        }
        // reduced to the version of a row the target already holds: apply writes the version row only
        change.operation = Operation.SNAPSHOT;
        change.changedFields = new ArrayList<>();
        return done(change, Outcome.FAST_FORWARDED, null, false, "the target holds the same row"
                + (target.version() == null ? " without a version" : " under the older " + target.version())
                + ": only the version " + change.version + " is taken").asRewritten();
    }

    /** A record back from review with {@code resolution} set. */
    private Verdict resolved(ChangeRecord change, TargetState target) {
        if (change.resolution == Resolution.USE_AFTER && change.after == null) {
            throw new InvalidChangeException(ChangeFields.AFTER, "Resolution USE_AFTER needs the edited row in 'after', which is null");
        }
        Version held = target.version();
        if (Objects.equals(held, change.targetVersion)) {
            change.expectedVersion = change.targetVersion;
            return done(change, Outcome.RESOLUTION_PASSED, null, false, "resolution " + change.resolution
                    + ": the target still holds " + held + ", the version the reviewer saw");
        }
        if (held != null && (held.equals(change.version)
                || held.origin().equals(change.version.origin()) && order.isGreater(held, change.version))) {
            return done(change, Outcome.STALE, null, false, "resolution " + change.resolution + ": the target holds "
                    + held + ", which supersedes it (the mirrored resolution already arrived)");
        }
        Version reviewed = change.targetVersion;
        Resolution previous = change.resolution;
        change.targetRow = target.row() == null ? null : new LinkedHashMap<>(target.row());
        change.targetVersion = held;
        change.resolution = null;
        return done(change, Outcome.HELD_FOR_REVIEW, null, false, "resolution " + previous + " not applied: the target moved on from "
                + "the reviewed " + reviewed + " to " + held + "; review again");
    }

    private boolean isNearTie(Version a, Version b) {
        return a != null && b != null && Math.abs(a.number() - b.number()) < nearTieMicros;
    }

    private static Verdict done(ChangeRecord change, Outcome outcome, Relation relation, boolean nearTie, String reason) {
        change.decision = outcome.decision();
        return new Verdict(outcome, relation, nearTie, reason);
    }

    public Strategy strategy() {
        return strategy;
    }
}
