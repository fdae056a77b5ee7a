package org.bisync.nifi.processors;

import org.apache.nifi.logging.ComponentLog;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.topology.SyncTopologyService;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells each source system which of its changes a target has decided (applied, stale, lost, or dropped as an echo
 * or superseded), in the source's bisync_ack. Changes without a history id (initial load, views) need none. A failure
 * here loses no change: the source keeps the history rows and their tombstones longer, and it is logged.
 */
final class DecisionAcks {

    private DecisionAcks() {
    }

    static void acknowledge(SyncTopologyService topology, String targetSystem, Collection<ChangeRecord> decided, ComponentLog log) {
        Map<String, List<Long>> idsBySource = new LinkedHashMap<>();
        for (ChangeRecord change : decided) {
            if (change.sequence > 0 && change.sourceSystem != null) {
                idsBySource.computeIfAbsent(change.sourceSystem, s -> new ArrayList<>()).add(change.sequence);
            }
        }
        for (Map.Entry<String, List<Long>> entry : idsBySource.entrySet()) {
            String source = entry.getKey();
            try (Connection connection = topology.getConnectionPool(source).getConnection()) {
                new AckLedger(Dialects.forConnection(connection).capture()).acknowledge(connection, targetSystem, entry.getValue());
            } catch (SQLException | RuntimeException e) {
                log.warn("Cannot acknowledge {} decided changes to system '{}' (its history and tombstones are kept longer): {}",
                        entry.getValue().size(), source, e.getMessage());
            }
        }
    }
}
