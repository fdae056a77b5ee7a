/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.VersionedConnection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Fault injection on the connections: which FlowFiles a connection duplicates, which queues it shuffles, and which
 * FlowFiles it keeps for a replay (and the kept ones). One seeded random source, drawn in a fixed order, so a seed
 * replays the same faults.
 */
final class ConnectionFaults {

    /** Connection behaviour the harness was asked to inject. */
    record Fault(Predicate<String> connectionName, double duplicateProbability, boolean reorder) {
    }

    /** A FlowFile that travelled a connection kept for replay, with the processor it left. */
    record Travelled(ProcessorNode from, VersionedConnection connection, QueuedFlowFile item) {
    }

    private final List<Fault> faults;
    private final Random random;
    private final Predicate<String> keepForReplay;
    private final List<Travelled> travelled = new ArrayList<>();

    ConnectionFaults(List<Fault> faults, long seed, Predicate<String> keepForReplay) {
        this.faults = List.copyOf(faults);
        this.random = new Random(seed);
        this.keepForReplay = keepForReplay;
    }

    /** How many copies of a FlowFile the connection delivers: one, and one more per duplicating fault that fires. */
    int copies(String connectionName) {
        int copies = 1;
        for (Fault fault : faults) {
            if (fault.connectionName().test(connectionName) && fault.duplicateProbability() > 0
                    && random.nextDouble() < fault.duplicateProbability()) {
                copies++;
            }
        }
        return copies;
    }

    /** Whether the connection shuffles the queue it delivers into. */
    boolean reorders(String connectionName) {
        return faults.stream().anyMatch(fault -> fault.connectionName().test(connectionName) && fault.reorder());
    }

    <T> void shuffle(Deque<T> queue) {
        List<T> shuffled = new ArrayList<>(queue);
        Collections.shuffle(shuffled, random);
        queue.clear();
        queue.addAll(shuffled);
    }

    /** Keeps a copy of what travelled the connection when it is one kept for a replay. */
    void keepIfAsked(ProcessorNode from, VersionedConnection connection, QueuedFlowFile item) {
        if (keepForReplay.test(connection.getName())) {
            travelled.add(new Travelled(from, connection, item.copy()));
        }
    }

    /** The FlowFiles kept from connections whose name matches, in the order they travelled. */
    List<Travelled> kept(Predicate<String> connectionName) {
        return travelled.stream().filter(t -> connectionName.test(t.connection().getName())).toList();
    }
}
