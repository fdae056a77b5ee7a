/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.logging.ComponentLog;
import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.purge.AckRanges;
import org.bisync.nifi.topology.SyncTopologyService;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the changes a target already decided: their (source system, history id) is in the source's bisync_ack for
 * this target. Such a change can only come back by a replay (from provenance, or a copy of a queue); it is STALE. Once
 * the row's tombstone was purged nothing else would tell it from a new insert. Acknowledgements are kept only as long
 * as the source keeps the history they cover, so a replay of a change older than the source's history retention is
 * not recognised. When a source cannot be read, its changes are not checked (warned): a fresh change is never
 * acknowledged, only a replay is at stake.
 *
 * <p>Read afresh for every batch, on purpose: a cached copy stays true (an acknowledged id stays decided, and ids are
 * never reused) but misses what this target's other processors and nodes acknowledged since it was read, so a copy
 * delivered again soon after its decision would pass as new. The read costs about a {@code SELECT 1} up to some
 * thousand ack rows and grows with the table beyond (AckReadBenchmark).
 */
final class DecidedReplays {

    private DecidedReplays() {
    }

    /** The changes (by identity) the target already acknowledged to their sources. */
    static Set<ChangeRecord> find(SyncTopologyService service, String targetSystem, Collection<ChangeRecord> changes, ComponentLog log) {
        Set<ChangeRecord> decided = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, List<Range>> acknowledged = new HashMap<>();
        for (ChangeRecord change : changes) {
            if (change.sequence <= 0 || change.sourceSystem == null || change.sourceSystem.equals(targetSystem)) {
                continue;
            }
            List<Range> ranges = acknowledged.computeIfAbsent(change.sourceSystem, source -> read(service, source, targetSystem, log));
            if (AckRanges.contains(ranges, change.sequence)) {
                decided.add(change);
            }
        }
        return decided;
    }

    private static List<Range> read(SyncTopologyService service, String source, String targetSystem, ComponentLog log) {
        try (Connection connection = service.getConnectionPool(source).getConnection()) {
            return new AckLedger(Dialects.forConnection(connection).capture()).acknowledged(connection, targetSystem);
        } catch (SQLException | RuntimeException e) {
            log.warn("Cannot read what system '{}' acknowledged of system '{}': replays of its changes are not recognised now: {}",
                    targetSystem, source, e.getMessage());
            return List.of();
        }
    }
}
