/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.logging.ComponentLog;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.purge.PendingAcks;
import org.bisync.nifi.topology.SyncTopologyService;

import java.io.IOException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells each source system which of its changes a target has decided (applied, stale, lost, or dropped as an echo
 * or superseded), in the source's bisync_ack. Changes without a history id (initial load, views) need none. A write
 * that fails (the source is down) is kept, in the processor's local state too, and written with the next ones: a
 * lost acknowledgement would hold the source's history and tombstones back for good.
 */
final class DecisionAcks {

    private final PendingAcks pending = new PendingAcks();
    private final StateManager state;
    private final ComponentLog log;
    private volatile SyncTopologyService topology;
    private boolean stateHoldsPending;

    /** @param state the processor's state manager (LOCAL scope), where waiting acknowledgements survive a restart */
    DecisionAcks(StateManager state, ComponentLog log) {
        this.state = state;
        this.log = log;
        try {
            pending.restore(state.getState(Scope.LOCAL).toMap());
            stateHoldsPending = !pending.isEmpty();
        } catch (IOException e) {
            log.warn("Cannot read the acknowledgements that waited before the restart: {}", e.getMessage());
        }
    }

    /** Acknowledges the decided changes, and whatever earlier writes left waiting. */
    void acknowledge(SyncTopologyService topology, String targetSystem, Collection<ChangeRecord> decided) {
        this.topology = topology;
        Map<String, List<Long>> idsBySource = new LinkedHashMap<>();
        for (ChangeRecord change : decided) {
            if (change.sequence > 0 && change.sourceSystem != null) {
                idsBySource.computeIfAbsent(change.sourceSystem, s -> new ArrayList<>()).add(change.sequence);
            }
        }
        idsBySource.forEach((source, ids) -> pending.add(source, targetSystem, ids));
        flush();
    }

    /** Writes what waits (when the processor stops, and before each new batch). */
    void flush() {
        SyncTopologyService service = topology;
        if (service == null || pending.isEmpty()) {
            return;
        }
        Map<String, Exception> failures = pending.flush((source, target, ranges) -> {
            try (Connection connection = service.getConnectionPool(source).getConnection()) {
                new AckLedger(Dialects.forConnection(connection).capture()).acknowledge(connection, target, ranges);
            }
        });
        failures.forEach((source, e) -> log.warn("Cannot acknowledge decided changes to system '{}' now ({} acknowledgements "
                + "wait and are written with the next ones; its history and tombstones are kept meanwhile): {}", source,
                pending.count(), e.getMessage()));
        save();
    }

    private synchronized void save() {
        boolean hasPending = !pending.isEmpty();
        if (!hasPending && !stateHoldsPending) {
            return;
        }
        try {
            Map<String, String> next = new HashMap<>(state.getState(Scope.LOCAL).toMap());
            next.keySet().removeIf(key -> key.startsWith("ack.pending."));
            next.putAll(pending.toState());
            state.setState(next, Scope.LOCAL);
            stateHoldsPending = hasPending;
        } catch (IOException e) {
            log.warn("Cannot keep the waiting acknowledgements in the processor's state (they are kept in memory): {}", e.getMessage());
        }
    }
}
