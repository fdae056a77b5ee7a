/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Turns a key whose rows differ into repair changes: one per system that does not hold the winning row, as a reviewed
 * conflict ({@code decision} CONFLICT, {@code resolution} TAKE_INCOMING, {@code target_version} what the audit saw
 * there). ResolveConflicts passes it on only while the target still holds that version (a write since the audit makes
 * it stale or holds it for review), and ApplyBidirectionalChanges writes it with a version above both and forwards it
 * to the other systems, as for any reviewed resolution.
 *
 * <p>The winner: the system whose version of the key is the greatest (ties go to the reference system); when no system
 * has a version, the reference system's row, or when it has none, the first system's that has one, so that a row
 * written past the sync is copied rather than deleted.
 */
public final class RepairPlanner {

    private final VersionOrder order;
    private final String referenceSystem;
    private final LongSupplier nowMicros;

    public RepairPlanner(VersionOrder order, String referenceSystem, LongSupplier nowMicros) {
        this.order = order;
        this.referenceSystem = referenceSystem;
        this.nowMicros = nowMicros;
    }

    /** The system whose state of the key wins. */
    public String winner(KeyComparison comparison) {
        String best = null;
        Version bestVersion = null;
        for (Map.Entry<String, SideState> side : comparison.sides().entrySet()) {
            Version v = side.getValue().version();
            if (v == null) {
                continue;
            }
            boolean better = bestVersion == null || order.isGreater(v, bestVersion)
                    || v.equals(bestVersion) && side.getKey().equals(referenceSystem);
            if (better) {
                best = side.getKey();
                bestVersion = v;
            }
        }
        if (best != null) {
            return best;
        }
        SideState reference = comparison.sides().get(referenceSystem);
        if (reference != null && reference.present()) {
            return referenceSystem;
        }
        return comparison.sides().entrySet().stream().filter(e -> e.getValue().present()).map(Map.Entry::getKey).findFirst()
                .orElse(referenceSystem);
    }

    /** Repair changes by target system, for every system whose row differs from the winner's. */
    public Map<String, ChangeRecord> repairs(KeyComparison comparison, List<String> valueFields) {
        String winner = winner(comparison);
        SideState won = comparison.sides().get(winner);
        Version version = won.version() != null ? won.version() : new Version(nowMicros.getAsLong(), winner);
        Map<String, ChangeRecord> repairs = new LinkedHashMap<>();
        comparison.sides().forEach((system, state) -> {
            if (system.equals(winner) || state.sameContent(won)) {
                return;
            }
            ChangeRecord change = new ChangeRecord();
            change.table = comparison.table();
            change.key = new LinkedHashMap<>(comparison.key());
            change.operation = !won.present() ? Operation.DELETE : state.present() ? Operation.UPDATE : Operation.INSERT;
            change.before = state.present() ? new LinkedHashMap<>(state.row()) : null;
            change.after = won.present() ? new LinkedHashMap<>(won.row()) : null;
            change.changedFields = new ArrayList<>(valueFields);
            change.version = version;
            change.fieldVersions = new LinkedHashMap<>(won.fieldVersions());
            change.origin = winner;
            change.sourceSystem = winner;
            change.capturedAt = nowMicros.getAsLong();
            change.decision = Decision.CONFLICT;
            change.targetRow = state.present() ? new LinkedHashMap<>(state.row()) : null;
            change.targetVersion = state.version();
            change.resolution = Resolution.TAKE_INCOMING;
            repairs.put(system, change);
        });
        return repairs;
    }
}
