/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.VersionedConnection;
import org.bisync.nifi.demo.harness.Outcomes.Outcome;

import java.util.List;

/**
 * Moves what a processor emitted along the template's connections: into the queue of the processor at the other end
 * (loop-backs included) or into a funnel, with the faults the connection was asked for ({@link ConnectionFaults}), and
 * tells the {@link OutcomeTracker} where each change's copy went.
 */
final class FlowFileRouter {

    private final LoadedFlow flow;
    private final ConnectionFaults faults;
    private final OutcomeTracker tracker;

    FlowFileRouter(LoadedFlow flow, ConnectionFaults faults, OutcomeTracker tracker) {
        this.flow = flow;
        this.faults = faults;
        this.tracker = tracker;
    }

    /** Sends a FlowFile the processor emitted to {@code relationship} along every connection that selects it. */
    void route(ProcessorNode from, String relationship, QueuedFlowFile item) {
        boolean routed = false;
        for (VersionedConnection connection : flow.connections()) {
            if (!connection.getSource().getId().equals(from.definition.getIdentifier())
                    || !connection.getSelectedRelationships().contains(relationship)) {
                continue;
            }
            routed = true;
            int copies = faults.copies(connection.getName());
            boolean reorder = faults.reorders(connection.getName());
            for (int copy = 0; copy < copies; copy++) {
                deliver(from, connection, item, reorder, copy > 0);
            }
            faults.keepIfAsked(from, connection, item);
        }
        if (!routed) {
            throw new IllegalStateException(from.name() + " routed a FlowFile to '" + relationship
                    + "', which is neither connected nor auto-terminated in the template");
        }
    }

    /**
     * Queues a FlowFile at the end of the connection; {@code extraCopy} when it is one more copy than the processor
     * emitted (a duplicate, a replay).
     */
    void deliver(ProcessorNode from, VersionedConnection connection, QueuedFlowFile item, boolean reorder, boolean extraCopy) {
        String destination = connection.getDestination().getId();
        ProcessorNode node = flow.node(destination);
        if (node != null) {
            // a leg starts where capture hands a change to a direction; a duplicate made on the way is one more copy
            if ((from.source || extraCopy) && node.target != null) {
                tracker.delivered(tracker.records(item), node.target);
            }
            node.queue.add(item.copy());
            if (reorder) {
                faults.shuffle(node.queue);
            }
            return;
        }
        List<QueuedFlowFile> funnel = flow.funnel(destination);
        if (funnel == null) {
            throw new IllegalStateException("Connection " + connection.getName() + " ends at an unknown component " + destination);
        }
        funnel.add(item);
        if (extraCopy && from.target != null) {
            tracker.delivered(tracker.records(item), from.target);
        }
        if (from.target != null) {
            Outcome outcome = connection.getSelectedRelationships().contains("conflict") ? Outcome.CONFLICT : Outcome.FAILED;
            tracker.ended(tracker.records(item), from.target, outcome);
        }
    }
}
