/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Fault injection from outside the flow, as an operator or a crash would do it to NiFi: a processor restarted, stopped
 * and started; the whole flow restarted with new processor instances; NiFi dying inside a processor's session; FlowFiles
 * kept on the way replayed. (What the connections do on their own, duplicate and reorder, is {@link ConnectionFaults}.)
 */
final class FaultInjector {

    private final LoadedFlow flow;
    private final TemplateRunners runners;
    private final FlowFileRouter router;
    private final ConnectionFaults connectionFaults;
    private final OutcomeTracker tracker;
    private final Consumer<String> log;

    FaultInjector(LoadedFlow flow, TemplateRunners runners, FlowFileRouter router, ConnectionFaults connectionFaults,
                  OutcomeTracker tracker, Consumer<String> log) {
        this.flow = flow;
        this.runners = runners;
        this.router = router;
        this.connectionFaults = connectionFaults;
        this.tracker = tracker;
        this.log = log;
    }

    /** Stops the processor with this name and starts it again at its next run, keeping its state. */
    void restart(String processorName) {
        ProcessorNode node = flow.byName(processorName);
        if (node.scheduled) {
            node.runner.stop();
            node.scheduled = false;
        }
        node.schedule.runAtOnce();
        log.accept("restarted " + processorName);
    }

    /** Stops the processor with this name until {@link #start}; FlowFiles queue for it, its state is kept. */
    void stop(String processorName) {
        ProcessorNode node = flow.byName(processorName);
        if (node.scheduled) {
            node.runner.stop();
            node.scheduled = false;
        }
        node.stopped = true;
        log.accept("stopped " + processorName);
    }

    /** Starts a processor stopped with {@link #stop} again at the next round. */
    void start(String processorName) {
        ProcessorNode node = flow.byName(processorName);
        node.schedule.runAtOnce();
        node.stopped = false;
        log.accept("started " + processorName);
    }

    /** Replaces every processor instance by a new one with the old one's state; queued FlowFiles wait for it. */
    void restartFlow() {
        for (ProcessorNode node : flow.nodes()) {
            replaceRunner(node);
        }
        log.accept("restarted the flow: new processor instances");
    }

    /**
     * Runs the processor once in a session that is then lost (what it emitted, its state and counters are gone, the
     * FlowFiles it took are queued again), then restarts the flow; returns the FlowFiles it had emitted.
     */
    int crashDuring(String processorName) {
        ProcessorNode node = flow.byName(processorName);
        replaceRunner(node); // the runner so far keeps its counters; the lost session counts nothing
        Map<Scope, Map<String, String>> before = state(node.runner);
        TestRunner crashing = node.runner;
        for (QueuedFlowFile item : node.queue) {
            crashing.enqueue(item.content(), item.attributes());
        }
        try {
            crashing.run(1, false, true);
        } catch (AssertionError | RuntimeException e) {
            log.accept(processorName + " failed in the run that crashed: " + ProcessorTurns.rootMessage(e));
        }
        int lost = 0;
        for (Relationship relationship : crashing.getProcessor().getRelationships()) {
            lost += crashing.getFlowFilesForRelationship(relationship).size();
        }
        crashing.clearTransferState();
        node.stopQuietly(log);
        node.runner = runners.newRunner(node.definition, node.source);
        setState(node.runner, before);
        node.scheduled = false;
        log.accept("NiFi died inside a session of " + processorName + " (" + lost + " FlowFiles it emitted were lost)");
        restartFlow();
        return lost;
    }

    /** Queues again every kept FlowFile whose connection matches, as one more copy of its changes; returns how many. */
    int replay(Predicate<String> connectionName) {
        List<ConnectionFaults.Travelled> again = connectionFaults.kept(connectionName);
        for (ConnectionFaults.Travelled t : again) {
            router.deliver(t.from(), t.connection(), t.item().copy(), false, true);
        }
        log.accept("replayed " + again.size() + " FlowFiles");
        return again.size();
    }

    private void replaceRunner(ProcessorNode node) {
        TestRunner old = node.runner;
        if (node.scheduled) {
            node.stopQuietly(log);
            node.scheduled = false;
        }
        List<QueuedFlowFile> inFlight = drain(old);
        // taken back from the runner: counted in again when the new runner takes them
        inFlight.forEach(item -> tracker.takenBack(node, tracker.records(item)));
        for (int i = inFlight.size() - 1; i >= 0; i--) {
            node.queue.addFirst(inFlight.get(i));
        }
        Map<Scope, Map<String, String>> state = state(old);
        node.retired.add(old);
        node.runner = runners.newRunner(node.definition, node.source);
        setState(node.runner, state);
        node.schedule.runAtOnce();
    }

    /** Takes the FlowFiles out of a runner's input queue, in queue order. */
    private static List<QueuedFlowFile> drain(TestRunner runner) {
        List<QueuedFlowFile> items = new ArrayList<>();
        if (runner.isQueueEmpty()) {
            return items;
        }
        ProcessSession session = runner.getProcessSessionFactory().createSession();
        for (FlowFile flowFile : session.get(Integer.MAX_VALUE)) {
            MockFlowFile mock = (MockFlowFile) flowFile;
            items.add(new QueuedFlowFile(mock.toByteArray(), new HashMap<>(mock.getAttributes())));
            session.remove(flowFile);
        }
        session.commitAsync();
        return items;
    }

    private static Map<Scope, Map<String, String>> state(TestRunner runner) {
        Map<Scope, Map<String, String>> state = new EnumMap<>(Scope.class);
        Stateful stateful = runner.getProcessor().getClass().getAnnotation(Stateful.class);
        for (Scope scope : stateful == null ? List.<Scope>of() : List.of(stateful.scopes())) {
            try {
                state.put(scope, new HashMap<>(runner.getStateManager().getState(scope).toMap()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the " + scope + " state", e);
            }
        }
        return state;
    }

    private static void setState(TestRunner runner, Map<Scope, Map<String, String>> state) {
        state.forEach((scope, values) -> {
            try {
                runner.getStateManager().setState(values, scope);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot set the " + scope + " state", e);
            }
        });
    }
}
