/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state of one key of a field-level table is, per field, a value with its field version, plus the row version and
 * the tombstone of the greatest delete (null while the row lives). Deleting keeps the values, so a tombstone can still
 * take part in a merge. Two states join to: per field the value of the greater field version, the greater row version,
 * the greater tombstone; the row lives when there is no tombstone or some field version ranks above it (a field edit
 * newer than the delete brings the whole row back, with the kept values of the fields older than the delete).
 *
 * <p>The join is commutative, associative and idempotent, so every system that has received the same changes holds the
 * same state, whatever their order, duplication or delay, in any topology. A tombstone is forgotten once the row lives
 * again: the field version that outranks it stays, so every later join decides liveness the same way without it.
 */
public final class FieldLevelJoin {

    /** One side of a join. {@code values} may be null (a tombstone that kept no values); {@code tombstone} null: live. */
    public record State(Map<String, Object> values, Map<String, Version> fieldVersions, Version version, Version tombstone) {
        /** The tombstone when it is not the row version (a merge kept a greater one); null for a live row or otherwise. */
        public Version separateTombstone() {
            return tombstone == null || tombstone.equals(version) ? null : tombstone;
        }
    }

    /**
     * @param state               the joined state
     * @param fieldsWon           fields whose field version the incoming side raised
     * @param targetContributes   whether the joined state differs from the incoming one
     * @param incomingContributes whether the joined state differs from the target's
     */
    public record Joined(State state, List<String> fieldsWon, boolean targetContributes, boolean incomingContributes) {
        public boolean live() {
            return state.tombstone() == null;
        }
    }

    private final VersionOrder order;

    public FieldLevelJoin(VersionOrder order) {
        this.order = order;
    }

    /** The state a target holds (its live row, or what its tombstone kept); null when it has no version row. */
    public static State of(TargetState target) {
        return target.version() == null ? null
                : new State(target.row(), fieldVersionsOf(target.row(), target.fieldVersions(), target.version()), target.version(),
                target.tombstone());
    }

    /** The state a change carries: its row, or for a delete the values its tombstone keeps. */
    public static State of(ChangeRecord change) {
        Map<String, Object> values = change.operation.removesRow() ? change.before : change.after;
        return new State(values, fieldVersionsOf(values, change.fieldVersions, change.version), change.version, change.tombstone());
    }

    /**
     * The field versions of a state; a live row without any (stamped by the initial load, never edited since) has every
     * field at its row version, so rows that differ when a sync starts join by the row versions' order.
     */
    private static Map<String, Version> fieldVersionsOf(Map<String, Object> values, Map<String, Version> fieldVersions, Version version) {
        if (!fieldVersions.isEmpty() || values == null || version == null) {
            return fieldVersions;
        }
        Map<String, Version> all = new LinkedHashMap<>();
        values.keySet().forEach(field -> all.put(field, version));
        return all;
    }

    public Joined join(State target, State incoming) {
        Map<String, Object> targetValues = target.values() == null ? Map.of() : target.values();
        Map<String, Object> incomingValues = incoming.values() == null ? Map.of() : incoming.values();
        Set<String> fields = new LinkedHashSet<>(targetValues.keySet());
        fields.addAll(incomingValues.keySet());
        fields.addAll(target.fieldVersions().keySet());
        fields.addAll(incoming.fieldVersions().keySet());
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Version> versions = new LinkedHashMap<>();
        List<String> won = new ArrayList<>();
        boolean fromTarget = false;
        boolean fromIncoming = false;
        for (String field : fields) {
            Version held = target.fieldVersions().get(field);
            Version offered = incoming.fieldVersions().get(field);
            int cmp = order.compare(offered, held);
            Version greater = cmp >= 0 ? offered : held;
            if (greater != null) {
                versions.put(field, greater);
            }
            boolean inTarget = targetValues.containsKey(field);
            boolean inIncoming = incomingValues.containsKey(field);
            boolean takeIncoming = inIncoming && (!inTarget || cmp > 0);
            if (takeIncoming) {
                values.put(field, incomingValues.get(field));
            } else if (inTarget) {
                values.put(field, targetValues.get(field));
            }
            if (cmp > 0) {
                won.add(field);
            }
            fromIncoming |= cmp > 0 || inIncoming && !inTarget;
            fromTarget |= cmp < 0 || inTarget && !inIncoming;
        }
        Version version = order.max(target.version(), incoming.version());
        Version greatestDelete = order.max(target.tombstone(), incoming.tombstone());
        boolean outranked = greatestDelete != null && versions.values().stream().anyMatch(v -> order.isGreater(v, greatestDelete));
        Version tombstone = outranked ? null : greatestDelete;
        State joined = new State(Collections.unmodifiableMap(values), Collections.unmodifiableMap(versions), version, tombstone);
        fromIncoming |= !version.equals(target.version()) || !Objects.equals(tombstone, target.tombstone());
        fromTarget |= !version.equals(incoming.version()) || !Objects.equals(tombstone, incoming.tombstone());
        return new Joined(joined, won, fromTarget, fromIncoming);
    }
}
