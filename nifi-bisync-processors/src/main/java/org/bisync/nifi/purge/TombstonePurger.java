/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryFormatException;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.capture.Transactions;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.schema.NotInstalledException;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.Version;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Purges a system's tombstones once they are causally stable (DESIGN.md section 4). A tombstone of key K goes only when
 * <ol>
 * <li>every peer this system sends the table to has decided every change of K this system captured or forwarded, the
 *     delete included: no history row of K here is unreleased or missing from that peer's acknowledgements
 *     ({@link AckLedger}); and then</li>
 * <li>this system has decided every change of K that a peer sending the table here captured: no history row of K at
 *     the peer is unreleased or missing from this system's acknowledgements.</li>
 * </ol>
 * A history keeps every row until all its targets acknowledged it, and a change parked in a retry, failure or conflict
 * queue is not acknowledged, so either holds the tombstone. The first check is read before the second: a peer's change
 * of K made before it decided the delete was committed before (the row lock), so the second read sees it. Neither
 * check reads the peer's version rows, so it does not matter which side purges first. The delete is conditional on the
 * tombstone being unchanged. Views are never purged: their changes carry no history ids.
 */
public final class TombstonePurger {

    /** Opens a connection to a system of the topology. */
    public interface Systems {
        Connection open(String systemId) throws SQLException;
    }

    /**
     * @param tombstones tombstones looked at
     * @param purged     removed
     * @param undecided  held because a peer has not decided the delete yet
     * @param inFlight   held because a change of the key from a peer is still on its way here
     * @param notInstalled why tables were left alone: not (yet) installed here or at a peer; their tombstones stay
     */
    public record Result(int tombstones, int purged, int undecided, int inFlight, List<String> notInstalled) {
        Result plus(Result other) {
            List<String> skipped = new java.util.ArrayList<>(notInstalled);
            skipped.addAll(other.notInstalled);
            return new Result(tombstones + other.tombstones, purged + other.purged, undecided + other.undecided,
                    inFlight + other.inFlight, skipped);
        }
    }

    private record Tombstone(Map<String, Object> key, Version version) {
    }

    /** History rows read per statement while looking for changes of the candidates' keys (ids and key images only). */
    private static final int HISTORY_PAGE = 1000;

    private final SyncTopology topology;
    private final String systemId;
    private final Systems systems;
    private final int limit;

    public TombstonePurger(SyncTopology topology, String systemId, Systems systems, int limitPerTable) {
        this.topology = topology;
        this.systemId = systemId;
        this.systems = systems;
        this.limit = limitPerTable;
    }

    /** Purges the stable tombstones of every synced table of this system. */
    public Result purgeAll() throws SQLException {
        Result total = new Result(0, 0, 0, 0, List.of());
        for (TableSettings table : topology.tables()) {
            if (table.isView()) {
                continue;
            }
            try {
                total = total.plus(purge(table));
            } catch (NotInstalledException e) {
                total = total.plus(new Result(0, 0, 0, 0, List.of(e.getMessage())));
            }
        }
        return total;
    }

    public Result purge(TableSettings settings) throws SQLException {
        try (Connection own = systems.open(systemId)) {
            Dialect dialect = Dialects.forConnection(own);
            SyncedTable table = new SyncedTableCache(topology, systemId, dialect).installedTable(own, settings.name());
            List<String> keyFields = table.keyColumns().stream().map(SyncedColumn::canonical).toList();
            Map<KeyValues, Tombstone> candidates = readTombstones(own, dialect, table, keyFields);
            int found = candidates.size();
            List<String> peers = SyncPeers.peers(topology, systemId);
            int undecided = 0;
            for (String peer : peers) {
                if (!candidates.isEmpty() && SyncPeers.sends(topology, settings, systemId, peer)) {
                    int before = candidates.size();
                    removeOnTheirWay(candidates, own, dialect, table, systemId, peer, keyFields);
                    undecided += before - candidates.size();
                }
            }
            int inFlight = 0;
            for (String peer : peers) {
                if (!candidates.isEmpty() && SyncPeers.sends(topology, settings, peer, systemId)) {
                    int before = candidates.size();
                    try (Connection connection = systems.open(peer)) {
                        Dialect peerDialect = Dialects.forConnection(connection);
                        SyncedTable peerTable = new SyncedTableCache(topology, peer, peerDialect).installedTable(connection, settings.name());
                        removeOnTheirWay(candidates, connection, peerDialect, peerTable, peer, systemId, keyFields);
                    }
                    inFlight += before - candidates.size();
                }
            }
            int purged = delete(own, dialect, table, candidates.values());
            return new Result(found, purged, undecided, inFlight, List.of());
        }
    }

    private Map<KeyValues, Tombstone> readTombstones(Connection connection, Dialect dialect, SyncedTable table, List<String> keyFields)
            throws SQLException {
        Map<KeyValues, Tombstone> tombstones = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(KeyQueries.selectTombstones(dialect, table, limit))) {
            statement.setBoolean(1, true);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> key = new LinkedHashMap<>();
                    int index = 1;
                    for (SyncedColumn column : table.keyColumns()) {
                        key.put(column.canonical(), dialect.types().read(rs, index++, column.column()));
                    }
                    Version version = new Version(rs.getLong(index++), rs.getString(index));
                    tombstones.put(KeyValues.of(key, keyFields), new Tombstone(key, version));
                }
            }
        }
        return tombstones;
    }

    /**
     * Removes the candidates of which a source's history holds a change a target has not decided yet (unreleased, or
     * missing from the target's acknowledgements); all of them when such a row's key cannot be read.
     */
    private static void removeOnTheirWay(Map<KeyValues, Tombstone> candidates, Connection source, Dialect dialect, SyncedTable table,
                                         String sourceSystem, String targetSystem, List<String> keyFields) throws SQLException {
        List<Range> decided = new AckLedger(dialect.capture()).acknowledged(source, targetSystem);
        ChangeDecoder decoder = new ChangeDecoder(dialect.types(), sourceSystem);
        new HistoryReader(dialect.capture()).forEachKeyOfTable(source, table.localName(), HISTORY_PAGE, stored -> {
            if (stored.released() && AckRanges.contains(decided, stored.id())) {
                return true;
            }
            try {
                candidates.remove(KeyValues.of(decoder.decodeKey(stored.id(), stored.keyData(), table), keyFields));
            } catch (HistoryFormatException e) {
                candidates.clear();
            }
            return !candidates.isEmpty();
        });
    }

    private static int delete(Connection connection, Dialect dialect, SyncedTable table, java.util.Collection<Tombstone> tombstones)
            throws SQLException {
        if (tombstones.isEmpty()) {
            return 0;
        }
        return Transactions.inTransaction(connection, () -> {
            int deleted = 0;
            try (PreparedStatement statement = connection.prepareStatement(KeyQueries.deleteTombstone(dialect, table))) {
                for (Tombstone tombstone : tombstones) {
                    int index = 1;
                    for (SyncedColumn column : table.keyColumns()) {
                        dialect.types().bind(statement, index++, tombstone.key().get(column.canonical()), column.column());
                    }
                    statement.setBoolean(index++, true);
                    statement.setLong(index++, tombstone.version().number());
                    statement.setString(index, tombstone.version().origin());
                    deleted += statement.executeUpdate();
                }
            }
            return deleted;
        });
    }
}
