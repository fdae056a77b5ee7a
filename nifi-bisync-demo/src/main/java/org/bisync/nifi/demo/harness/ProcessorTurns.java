/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.processor.Relationship;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A processor's turn in a round: its runner gets what is due in its queue, runs (with @OnScheduled first after a start)
 * until its input is gone or a run takes nothing for good, and what it emitted is routed on. Counts the runs that threw.
 */
final class ProcessorTurns {

    private final HarnessClock clock;
    private final FlowFileRouter router;
    private final OutcomeTracker tracker;
    private final MockRunnerMemory memory;
    private final Consumer<String> log;
    private int failedRuns;
    private String lastFailure;

    ProcessorTurns(HarnessClock clock, FlowFileRouter router, OutcomeTracker tracker, Consumer<String> log) {
        this.clock = clock;
        this.router = router;
        this.tracker = tracker;
        this.memory = new MockRunnerMemory(log);
        this.log = log;
    }

    /** Runs a source once and routes what it emitted; returns the changes it captured. */
    int runSource(ProcessorNode node) {
        node.runner.clearTransferState();
        trigger(node);
        int emitted = 0;
        for (Relationship relationship : node.runner.getProcessor().getRelationships()) {
            for (MockFlowFile flowFile : node.runner.getFlowFilesForRelationship(relationship)) {
                QueuedFlowFile item = QueuedFlowFile.emitted(flowFile, clock.millis(), node.penaltyMillis);
                if (relationship.getName().equals("success")) {
                    emitted += tracker.captured(tracker.records(item));
                }
                if (!node.definition.getAutoTerminatedRelationships().contains(relationship.getName())) {
                    router.route(node, relationship.getName(), item);
                }
            }
        }
        node.runner.clearTransferState();
        memory.releaseFinishedSessions(node.runner);
        return emitted;
    }

    /** Runs a processor on what is due for it at {@code now} and routes what it emitted; returns the FlowFiles it emitted. */
    int runWithInput(ProcessorNode node, long now) {
        List<QueuedFlowFile> batch = new ArrayList<>();
        for (Iterator<QueuedFlowFile> waiting = node.queue.iterator(); waiting.hasNext(); ) {
            QueuedFlowFile item = waiting.next();
            if (item.due(now)) {
                batch.add(item);
                waiting.remove();
            }
        }
        for (QueuedFlowFile item : batch) {
            node.runner.enqueue(item.content(), item.attributes());
            tracker.takenIn(node, tracker.records(item));
        }
        node.runner.clearTransferState();
        int guard = 0;
        boolean ok;
        boolean progressed;
        do {
            int queuedBefore = node.runner.getQueueSize().getObjectCount();
            int transferredBefore = transferred(node.runner);
            ok = trigger(node);
            // a run that took nothing for good (rolled its session back) ends the turn, as its yield or penalty would in NiFi
            progressed = node.runner.getQueueSize().getObjectCount() != queuedBefore || transferred(node.runner) != transferredBefore;
        } while (ok && progressed && !node.runner.isQueueEmpty() && ++guard < 1_000);
        if (!ok || !progressed) {
            node.yieldedUntil = now + node.yieldMillis; // as NiFi yields a processor whose run failed or took nothing
        }
        int moved = 0;
        for (Relationship relationship : node.runner.getProcessor().getRelationships()) {
            String name = relationship.getName();
            for (MockFlowFile flowFile : node.runner.getFlowFilesForRelationship(relationship)) {
                moved++;
                QueuedFlowFile item = QueuedFlowFile.emitted(flowFile, clock.millis(), node.penaltyMillis);
                List<Record> records = tracker.records(item);
                tracker.emitted(node, records);
                tracker.addTotals(item);
                if (node.definition.getAutoTerminatedRelationships().contains(name)) {
                    if (node.target != null) {
                        tracker.ended(records, node.target, Outcomes.Outcome.APPLIED);
                    }
                    continue;
                }
                router.route(node, name, item);
            }
        }
        node.runner.clearTransferState();
        memory.releaseFinishedSessions(node.runner);
        tracker.settleDrops(node);
        return moved;
    }

    private static int transferred(TestRunner runner) {
        int count = 0;
        for (Relationship relationship : runner.getProcessor().getRelationships()) {
            count += runner.getFlowFilesForRelationship(relationship).size();
        }
        return count;
    }

    /** One onTrigger (with @OnScheduled first after a start); false when it threw. */
    private boolean trigger(ProcessorNode node) {
        boolean initialize = !node.scheduled;
        node.scheduled = true;
        node.runs++;
        long started = System.nanoTime();
        try {
            node.runner.run(1, false, initialize);
            return true;
        } catch (AssertionError | RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().contains("validation failure")) {
                throw new IllegalStateException(node.name() + " is not valid as configured by the template: " + e.getMessage(), e);
            }
            // nifi-mock rethrows what onTrigger threw; the session was rolled back, so its FlowFiles are queued again
            failedRuns++;
            lastFailure = node.name() + ": " + rootMessage(e);
            log.accept(node.name() + " failed a run: " + rootMessage(e));
            if (initialize) {
                node.scheduled = false;
            }
            return false;
        } finally {
            node.runNanos += System.nanoTime() - started;
        }
    }

    /** Runs that threw (the session was rolled back). */
    int failedRuns() {
        return failedRuns;
    }

    String lastFailure() {
        return lastFailure;
    }

    /** The innermost cause of a failure, with its type. */
    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
