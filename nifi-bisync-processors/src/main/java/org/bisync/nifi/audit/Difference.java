/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line of the audit report: how a system's row of a key differs from the reference system's.
 *
 * @param kind             MISSING (the reference has the row, the system not), EXTRA (the other way round) or DIFFERENT
 * @param system           the system compared with the reference
 * @param referenceSystem  the reference system
 */
public record Difference(String table, Kind kind, String system, String referenceSystem, Map<String, Object> key,
                         Map<String, Object> row, Map<String, Object> referenceRow, Version version, Version referenceVersion) {

    public enum Kind { MISSING, EXTRA, DIFFERENT }

    /** The differences of every system from the reference, for one compared key. */
    public static List<Difference> of(KeyComparison comparison, String referenceSystem) {
        List<Difference> out = new ArrayList<>();
        SideState reference = comparison.sides().get(referenceSystem);
        comparison.sides().forEach((system, state) -> {
            if (system.equals(referenceSystem) || state.sameContent(reference)) {
                return;
            }
            Kind kind = !state.present() ? Kind.MISSING : !reference.present() ? Kind.EXTRA : Kind.DIFFERENT;
            out.add(new Difference(comparison.table(), kind, system, referenceSystem, comparison.key(), state.row(), reference.row(),
                    state.version(), reference.version()));
        });
        return out;
    }
}
