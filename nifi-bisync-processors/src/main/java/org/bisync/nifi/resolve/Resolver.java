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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
    private final long nearTieMicros;

    public Resolver(Strategy strategy, VersionOrder order, long nearTieMicros) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.order = Objects.requireNonNull(order, "order");
        this.detector = new ConflictDetector(order);
        if (nearTieMicros < 0) {
            throw new IllegalArgumentException("Near-tie tolerance must not be negative, was " + nearTieMicros);
        }
        this.nearTieMicros = nearTieMicros;
    }

    /**
     * Decides on {@code change} against {@code target} and writes the decision into the change.
     *
     * @throws InvalidChangeException when the change cannot be decided on as it is (the message names the field)
     */
    public Verdict decide(ChangeRecord change, TargetState target) {
        Objects.requireNonNull(change.version, "version");
        change.expectedVersion = target.version();
        if (change.resolution != null) {
            return resolved(change, target);
        }
        Relation relation = detector.classify(change, target.version());
        boolean nearTie = relation == Relation.CONFLICT && isNearTie(change.version, target.version());
        return switch (relation) {
            case DUPLICATE -> done(change, Outcome.STALE, relation, false, "the target already holds version " + change.version);
            case OLDER_FROM_SAME_ORIGIN -> done(change, Outcome.STALE, relation, false, "the target holds " + target.version()
                    + ", a later version from the same origin");
            case FAST_FORWARD -> fastForward(change, target, relation);
            case CONFLICT, CONFLICT_WITHOUT_HISTORY -> conflict(change, target, relation, nearTie);
        };
    }

    private Verdict fastForward(ChangeRecord change, TargetState target, Relation relation) {
        if (mergesFields(change, target)) {
            // the same row version can hold more at the target than at the source (a merge keeps the greater row
            // version): take the greater field version per field rather than overwriting the target's fields
            return merge(change, target, relation, false);
        }
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
            return done(change, Outcome.HELD_FOR_REVIEW, relation, nearTie, what + "; held for review");
        }
        if (mergesFields(change, target)) {
            return merge(change, target, relation, nearTie);
        }
        if (order.isGreater(change.version, target.version())) {
            return done(change, Outcome.CONFLICT_WON, relation, nearTie, what + "; " + change.version + " is greater");
        }
        return done(change, Outcome.CONFLICT_LOST, relation, nearTie, what + "; " + target.version() + " is greater");
    }

    /** Field-level rules merge two live rows; a delete on either side is decided on row versions. */
    private boolean mergesFields(ChangeRecord change, TargetState target) {
        return strategy.isFieldLevel() && target.live() && target.row() != null && !change.operation.removesRow()
                && change.after != null;
    }

    private Verdict merge(ChangeRecord change, TargetState target, Relation relation, boolean nearTie) {
        Map<String, Object> targetRow = target.row();
        Set<String> fields = new LinkedHashSet<>(targetRow.keySet());
        fields.addAll(change.after.keySet());
        Map<String, Object> merged = new LinkedHashMap<>();
        Map<String, Version> fieldVersions = new LinkedHashMap<>();
        List<String> won = new ArrayList<>();
        boolean targetContributes = false;
        for (String field : fields) {
            boolean inChange = change.after.containsKey(field);
            boolean inTarget = targetRow.containsKey(field);
            Version incoming = change.fieldVersions.get(field);
            Version held = target.fieldVersions().get(field);
            int cmp = order.compare(incoming, held);
            if (inChange && (!inTarget || cmp > 0)) {
                merged.put(field, change.after.get(field));
                putIfSet(fieldVersions, field, incoming);
                if (inTarget) {
                    won.add(field);
                }
            } else {
                merged.put(field, targetRow.get(field));
                putIfSet(fieldVersions, field, held);
                targetContributes |= !inChange || cmp < 0;
            }
        }
        Set<String> versionedOnly = new LinkedHashSet<>(change.fieldVersions.keySet());
        versionedOnly.addAll(target.fieldVersions().keySet());
        versionedOnly.removeAll(fields);
        for (String field : versionedOnly) {
            putIfSet(fieldVersions, field, order.max(change.fieldVersions.get(field), target.fieldVersions().get(field)));
        }
        Version rowVersion = order.max(change.version, target.version());
        boolean conflict = relation.isConflict();
        if (!targetContributes && order.isGreater(change.version, target.version())) {
            return done(change, conflict ? Outcome.CONFLICT_WON : Outcome.FAST_FORWARDED, relation, nearTie,
                    "the change wins every field that differs");
        }
        if (won.isEmpty() && rowVersion.equals(target.version())) {
            return done(change, conflict ? Outcome.CONFLICT_LOST : Outcome.STALE, relation, nearTie,
                    "the target wins every field that differs");
        }
        Version original = change.version;
        change.before = new LinkedHashMap<>(targetRow);
        change.after = merged;
        change.fieldVersions = fieldVersions;
        change.changedFields = won;
        change.version = rowVersion;
        if (change.operation != Operation.UPDATE) {
            change.operation = Operation.UPDATE;
        }
        for (Version replaced : List.of(original, target.version())) {
            if (!replaced.equals(rowVersion) && !change.supersedes.contains(replaced)) {
                change.supersedes.add(replaced);
            }
        }
        return done(change, Outcome.MERGED, relation, nearTie, "merged: the change wins " + won + " over " + target.version());
    }

    private static void putIfSet(Map<String, Version> versions, String field, Version version) {
        if (version != null) {
            versions.put(field, version);
        }
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
