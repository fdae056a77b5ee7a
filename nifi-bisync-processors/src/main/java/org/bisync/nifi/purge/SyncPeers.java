/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Who exchanges changes with whom: every other system, or in hub-and-spoke the hub's spokes and a spoke's hub. */
public final class SyncPeers {

    private SyncPeers() {
    }

    /** The systems a system exchanges changes with directly. */
    public static List<String> peers(SyncTopology topology, String systemId) {
        List<String> peers = new ArrayList<>();
        for (SyncSystem system : topology.systems()) {
            String id = system.id();
            if (id.equals(systemId)) {
                continue;
            }
            if (topology.hub() == null || topology.hub().equals(systemId) || topology.hub().equals(id)) {
                peers.add(id);
            }
        }
        return peers;
    }

    /** Whether a table's changes travel directly from one system to another. */
    public static boolean sends(SyncTopology topology, TableSettings table, String from, String to) {
        return peers(topology, from).contains(to) && table.flowsFrom(from) && table.flowsTo(to);
    }

    /** The systems that receive some table directly from a system: every one of them acknowledges what it decided. */
    public static Set<String> targets(SyncTopology topology, String systemId) {
        Set<String> targets = new LinkedHashSet<>();
        for (String peer : peers(topology, systemId)) {
            if (topology.tables().stream().anyMatch(t -> !t.isView() && sends(topology, t, systemId, peer))) {
                targets.add(peer);
            }
        }
        return targets;
    }
}
