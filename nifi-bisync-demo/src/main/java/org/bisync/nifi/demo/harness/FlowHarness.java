/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.TestRunner;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs a template's processors headless: one nifi-mock {@link TestRunner} per processor of ours, made by
 * {@link TemplateRunners} (the template's properties, parameters substituted, test stand-ins only for NiFi's own
 * services). FlowFiles move along the template's connections, loop-backs included; funnels hold what reaches them
 * (conflicts, failures).
 *
 * <p>Every record is followed per (change, target) so that {@link #outcomes()} can tell whether each captured change
 * ended exactly once per direction. Connections can duplicate and reorder FlowFiles and keep them for a replay
 * ({@link ConnectionFaults}), and a processor can be restarted (stopped and started, keeping its state) mid-run; the
 * whole flow can be restarted with new processor instances ({@link #restartFlow}), NiFi can die inside a processor's
 * session ({@link #crashDuring}), and FlowFiles kept on the way can be replayed ({@link #replay}). Sources run as their
 * {@link SourceSchedule} says. Single-threaded: call it from one thread; databases may be written concurrently by others.
 *
 * <p>The work is done by {@link LoadedFlow} (loading), {@link RoundScheduler} (rounds, the clock's jumps),
 * {@link ProcessorTurns} (running one processor), {@link FlowFileRouter} (connections), {@link OutcomeTracker} (what
 * became of each change) and {@link FaultInjector} (restarts, crashes, replays); this class wires them together.
 */
public final class FlowHarness implements AutoCloseable {

    /** What one round did, for progress lines. */
    public record RoundReport(int round, int captured, int moved, int queued, int failedRuns) {
    }

    private final LoadedFlow flow;
    private final Outcomes outcomes = new Outcomes();
    private final OutcomeTracker tracker;
    private final ProcessorTurns turns;
    private final RoundScheduler scheduler;
    private final FaultInjector faults;
    private final Consumer<String> log;

    private FlowHarness(Builder builder) {
        this.log = builder.log;
        HarnessClock clock = new HarnessClock();
        ConnectionFaults connectionFaults = new ConnectionFaults(builder.faults, builder.seed, builder.keepForReplay);
        TemplateRunners runners = new TemplateRunners(builder.snapshot, builder.parameters, builder.dataSources,
                builder.processorProperties, clock::millis);
        this.flow = LoadedFlow.load(builder.snapshot, runners);
        this.tracker = new OutcomeTracker(outcomes, log);
        FlowFileRouter router = new FlowFileRouter(flow, connectionFaults, tracker);
        this.turns = new ProcessorTurns(clock, router, tracker, log);
        this.scheduler = new RoundScheduler(flow, turns, clock);
        this.faults = new FaultInjector(flow, runners, router, connectionFaults, tracker, log);
    }

    public static Builder builder(RegisteredFlowSnapshot snapshot) {
        return new Builder(snapshot);
    }

    public static Builder builder(Path template) {
        return new Builder(LoadedFlow.read(template));
    }

    /** Configures a harness: databases per system, parameter values, property overrides, faults, seed. */
    public static final class Builder {
        private final RegisteredFlowSnapshot snapshot;
        private final Map<String, DataSource> dataSources = new HashMap<>();
        private final Map<String, String> parameters = new HashMap<>();
        private final Map<String, Map<String, String>> processorProperties = new HashMap<>();
        private final List<ConnectionFaults.Fault> faults = new ArrayList<>();
        private Predicate<String> keepForReplay = name -> false;
        private long seed = 1;
        private Consumer<String> log = message -> { };

        private Builder(RegisteredFlowSnapshot snapshot) {
            this.snapshot = Objects.requireNonNull(snapshot);
        }

        /** The database of a system (a topology system id). */
        public Builder dataSource(String systemId, DataSource dataSource) {
            dataSources.put(systemId, dataSource);
            return this;
        }

        public Builder parameter(String name, String value) {
            parameters.put(name, value);
            return this;
        }

        /** Overrides a property of the processor with this name (for example a shorter Runaway Window in tests). */
        public Builder processorProperty(String processorName, String property, String value) {
            processorProperties.computeIfAbsent(processorName, n -> new LinkedHashMap<>()).put(property, value);
            return this;
        }

        /** Delivers a second copy of a FlowFile travelling a matching connection with this probability. */
        public Builder duplicate(Predicate<String> connectionName, double probability) {
            faults.add(new ConnectionFaults.Fault(connectionName, probability, false));
            return this;
        }

        /** Shuffles the queue a matching connection delivers into before the processor takes it. */
        public Builder reorder(Predicate<String> connectionName) {
            faults.add(new ConnectionFaults.Fault(connectionName, 0, true));
            return this;
        }

        /** Keeps a copy of every FlowFile that travels a matching connection, for {@link FlowHarness#replay}. */
        public Builder keepForReplay(Predicate<String> connectionName) {
            this.keepForReplay = Objects.requireNonNull(connectionName);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }

        public FlowHarness build() {
            return new FlowHarness(this);
        }
    }

    // ------------------------------------------------------------------ running

    /** One round: sources, then the processors with input, in name order (see {@link RoundScheduler#round}). */
    public RoundReport round() {
        return scheduler.round();
    }

    /**
     * Runs rounds until nothing is queued and a round's captures emitted nothing, or {@code maxRounds} rounds ran. No
     * real time passes for a window (see {@link #round}), so the number of rounds does not depend on the machine's speed.
     *
     * @return true when quiet
     */
    public boolean runUntilQuiet(int maxRounds, Consumer<RoundReport> progress) {
        return scheduler.runUntilQuiet(maxRounds, progress);
    }

    // ------------------------------------------------------------------ faults

    /** Stops the processor with this name and starts it again at its next run, keeping its state. */
    public void restart(String processorName) {
        faults.restart(processorName);
    }

    /**
     * Stops the processor with this name until {@link #start}: it is not run, and FlowFiles queue for it as in front of
     * a stopped processor in NiFi (nothing expires). Its state is kept.
     */
    public void stop(String processorName) {
        faults.stop(processorName);
    }

    /** Starts a processor stopped with {@link #stop} again at the next round. */
    public void start(String processorName) {
        faults.start(processorName);
    }

    /**
     * NiFi restarts: every processor instance is replaced by a new one (a new runner over the same databases) that starts
     * with the state the old one had stored. FlowFiles queued for a processor, including those its runner had taken in
     * but not finished, wait for the new instance, as NiFi's FlowFile repository keeps them. What lives only in a
     * processor's memory is gone. Processors stopped with {@link #stop} stay stopped; counters carry over.
     */
    public void restartFlow() {
        faults.restartFlow();
    }

    /**
     * NiFi dies while the processor with this name is inside a session: it runs once on what is queued for it (its
     * database work commits), then its session is lost before it commits, as when the JVM is killed: what it emitted,
     * the state it stored and its counters are gone, and the FlowFiles it took are queued for it again. Then the whole
     * flow restarts ({@link #restartFlow}).
     *
     * @return the FlowFiles it had emitted in the lost session
     */
    public int crashDuring(String processorName) {
        return faults.crashDuring(processorName);
    }

    /**
     * Replays (as from NiFi's provenance) every FlowFile kept by {@link Builder#keepForReplay} whose connection matches:
     * a copy is queued again for the processor it was delivered to, and counts as one more copy of its changes.
     *
     * @return how many FlowFiles were replayed
     */
    public int replay(Predicate<String> connectionName) {
        return faults.replay(connectionName);
    }

    // ------------------------------------------------------------------ queries

    /** FlowFiles waiting anywhere except in the funnels. */
    public int queued() {
        return flow.queued();
    }

    /** FlowFiles waiting for the processor with this name (its incoming connections). */
    public int queued(String processorName) {
        return flow.byName(processorName).queued();
    }

    /** Milliseconds the processor with this name spent in its runs so far (for benchmarks). */
    public long runMillis(String processorName) {
        return flow.byName(processorName).runNanos / 1_000_000L;
    }

    public TestRunner runner(String processorName) {
        return flow.byName(processorName).runner;
    }

    public List<String> processorNames() {
        return flow.processorNames();
    }

    /** FlowFiles held in the funnel whose first incoming connection has this name prefix (e.g. "Conflicts for review"). */
    public List<Map<String, String>> held(String connectionNamePrefix) {
        return flow.held(connectionNamePrefix).stream().map(QueuedFlowFile::attributes).toList();
    }

    /** The records held in funnels reached through connections whose name starts with the prefix. */
    public List<Record> heldRecords(String connectionNamePrefix) {
        List<Record> records = new ArrayList<>();
        flow.held(connectionNamePrefix).forEach(item -> records.addAll(tracker.records(item)));
        return records;
    }

    public Outcomes outcomes() {
        return outcomes;
    }

    /** Sum of a counter over every processor of this type (simple class name), e.g. ("ApplyBidirectionalChanges", "Changes applied"). */
    public long counter(String processorSimpleName, String counter) {
        return flow.nodes().stream().filter(node -> node.definition.getType().endsWith("." + processorSimpleName))
                .mapToLong(node -> node.counter(counter)).sum();
    }

    /** A counter of one processor, by its name in the flow; 0 when it never counted. */
    public long processorCounter(String processorName, String counter) {
        return flow.byName(processorName).counter(counter);
    }

    /** Runs that threw (the session was rolled back), and the last such failure. */
    public int failedRuns() {
        return turns.failedRuns();
    }

    public String lastFailure() {
        return turns.lastFailure();
    }

    public int rounds() {
        return scheduler.rounds();
    }

    public int lastCaptured() {
        return scheduler.lastCaptured();
    }

    @Override
    public void close() {
        for (ProcessorNode node : flow.nodes()) {
            if (node.scheduled) {
                node.stopQuietly(log);
                node.scheduled = false;
            }
        }
    }
}
