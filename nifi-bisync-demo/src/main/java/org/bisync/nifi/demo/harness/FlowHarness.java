/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.FormatUtils;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.demo.harness.Outcomes.ChangeId;
import org.bisync.nifi.demo.harness.Outcomes.Leg;
import org.bisync.nifi.demo.harness.Outcomes.Outcome;
import org.bisync.nifi.demo.templates.TemplateGenerator;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.processors.BisyncAttributes;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
 */
public final class FlowHarness implements AutoCloseable {

    /**
     * A FlowFile between two processors: content, attributes, and when it may be taken ({@link HarnessClock} millis; 0
     * at once), later than now while its penalty lasts.
     */
    private record Item(byte[] content, Map<String, String> attributes, long dueAt) {

        Item(byte[] content, Map<String, String> attributes) {
            this(content, attributes, 0L);
        }

        boolean due(long now) {
            return dueAt <= now;
        }
    }

    /** One processor of the template with its runner and input queue. */
    private static final class Node {
        final VersionedProcessor definition;
        TestRunner runner;
        /** Runners this node had before restarts of the flow ({@link #restartFlow}), kept for their counters. */
        final List<TestRunner> retired = new ArrayList<>();
        final String target;
        final boolean source;
        final SourceSchedule schedule;
        final Deque<Item> queue = new ArrayDeque<>();
        /** Records handed to the runner and what came out, until its queue is empty and the difference can be taken. */
        final Map<ChangeId, Integer> pendingIn = new HashMap<>();
        final Map<ChangeId, Integer> pendingOut = new HashMap<>();
        boolean scheduled;
        /** Until when (harness clock) it does not run after a run that took nothing for good, as NiFi yields it. */
        long yieldedUntil;
        final long penaltyMillis;
        final long yieldMillis;
        long runs;
        /** Wall-clock time spent inside the processor's runs. */
        long runNanos;

        Node(VersionedProcessor definition, TestRunner runner, String target, boolean source) {
            this.definition = definition;
            this.runner = runner;
            this.target = target;
            this.source = source;
            this.schedule = new SourceSchedule(definition.getSchedulingPeriod());
            this.penaltyMillis = millis(definition.getPenaltyDuration());
            this.yieldMillis = millis(definition.getYieldDuration());
        }

        private static long millis(String period) {
            return period == null ? 0L : FormatUtils.getTimeDuration(period, TimeUnit.MILLISECONDS);
        }

        /** Whether something waits for it that it may take at {@code now}. */
        boolean hasInput(long now) {
            return !runner.isQueueEmpty() || queue.stream().anyMatch(item -> item.due(now));
        }

        String name() {
            return definition.getName();
        }
    }

    /** A FlowFile that travelled a connection kept for replay, with the processor it left. */
    private record Travelled(Node from, VersionedConnection connection, Item item) {
    }

    /** What one round did, for progress lines. */
    public record RoundReport(int round, int captured, int moved, int queued, int failedRuns) {
    }

    private final RegisteredFlowSnapshot snapshot;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<Item>> funnels = new LinkedHashMap<>();
    private final Map<String, String> funnelNames = new HashMap<>();
    private final List<VersionedConnection> connections;
    private final ConnectionFaults faults;
    private final Outcomes outcomes = new Outcomes();
    private final Consumer<String> log;
    private final TemplateRunners runners;
    /** FlowFiles kept for {@link #replay}: the processor they left, the connection and the FlowFile. */
    private final List<Travelled> travelled = new ArrayList<>();
    private final java.util.Set<String> stopped = new java.util.HashSet<>();
    private final HarnessClock clock = new HarnessClock();
    private int round;
    private boolean warnedAboutSessions;
    private int lastCaptured;
    private int failedRuns;
    private String lastFailure;

    private FlowHarness(Builder builder) {
        this.snapshot = builder.snapshot;
        this.faults = new ConnectionFaults(builder.faults, builder.seed, builder.keepForReplay);
        this.log = builder.log;
        VersionedProcessGroup group = snapshot.getFlowContents();
        this.connections = new ArrayList<>(group.getConnections());
        connections.sort((a, b) -> a.getIdentifier().compareTo(b.getIdentifier()));
        this.runners = new TemplateRunners(snapshot, builder.parameters, builder.dataSources, builder.processorProperties, clock::millis);
        List<VersionedProcessor> processors = new ArrayList<>(group.getProcessors());
        processors.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (VersionedProcessor processor : processors) {
            if (processor.getScheduledState() == org.apache.nifi.flow.ScheduledState.DISABLED) {
                continue; // as in NiFi: a disabled processor does not run when the group starts
            }
            String target = processor.getProperties().get("Target System ID");
            boolean source = group.getConnections().stream().noneMatch(c -> c.getDestination().getId().equals(processor.getIdentifier()));
            TestRunner runner = runners.newRunner(processor, source);
            nodes.put(processor.getIdentifier(), new Node(processor, runner, target, source));
        }
        group.getFunnels().forEach(f -> funnels.put(f.getIdentifier(), new ArrayList<>()));
        for (VersionedConnection connection : connections) {
            if (funnels.containsKey(connection.getDestination().getId())) {
                funnelNames.merge(connection.getDestination().getId(), connection.getName(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
    }

    public static Builder builder(RegisteredFlowSnapshot snapshot) {
        return new Builder(snapshot);
    }

    public static Builder builder(Path template) {
        try {
            return new Builder(TemplateGenerator.READER.readValue(Files.readString(template), RegisteredFlowSnapshot.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read template " + template, e);
        }
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

    /**
     * One round: every source (capture) runs once, then every other processor takes what is queued for it, in name
     * order; what they emit is queued for the next round (or taken later in this round by a processor further down).
     * When the round moved nothing while FlowFiles wait (penalized, parked by PreventLoops, backing off in Apply's retry,
     * or in front of a yielded processor), the harness clock jumps to the moment the first of them is due.
     */
    public RoundReport round() {
        round++;
        int failedBefore = failedRuns;
        int captured = 0;
        int moved = 0;
        long now = clock.millis();
        for (Node node : nodes.values()) {
            if (node.source && !stopped.contains(node.name()) && node.schedule.due(now)) {
                node.schedule.ran(now);
                captured += runSource(node);
            }
        }
        for (Node node : nodes.values()) {
            if (!node.source && !stopped.contains(node.name()) && node.yieldedUntil <= now && node.hasInput(now)) {
                moved += runWithInput(node, now);
            }
        }
        lastCaptured = captured;
        if (captured == 0 && moved == 0) {
            advanceClockToNextDue(); // only waiting FlowFiles left: the next round finds the first of them due
        }
        return new RoundReport(round, captured, moved, queued(), failedRuns - failedBefore);
    }

    /**
     * Runs rounds until nothing is queued and a round's captures emitted nothing, or {@code maxRounds} rounds ran. No
     * real time passes for a window (see {@link #round}), so the number of rounds does not depend on the machine's speed.
     *
     * @return true when quiet
     */
    public boolean runUntilQuiet(int maxRounds, Consumer<RoundReport> progress) {
        int quietRounds = 0;
        for (int i = 0; i < maxRounds; i++) {
            RoundReport report = round();
            progress.accept(report);
            if (report.captured() == 0 && report.queued() == 0 && report.failedRuns() == 0) {
                // two quiet rounds: the first may have released what the previous one emitted
                if (++quietRounds >= 2) {
                    return true;
                }
            } else {
                quietRounds = 0;
            }
        }
        return false;
    }

    /**
     * Moves the harness clock to the earliest moment a waiting FlowFile can move: the end of its penalty, of its
     * processor's yield, or the time its own attributes say it is due (Apply's retry back-off, PreventLoops' parking).
     */
    private void advanceClockToNextDue() {
        long now = clock.millis();
        long next = Long.MAX_VALUE;
        for (Node node : nodes.values()) {
            if (stopped.contains(node.name())) {
                continue;
            }
            long earliest = node.runner.isQueueEmpty() ? Long.MAX_VALUE : now;
            for (Item item : node.queue) {
                earliest = Math.min(earliest, Math.max(item.dueAt(),
                        Math.max(attributeMillis(item, BisyncAttributes.RETRY_NOT_BEFORE), attributeMillis(item, BisyncAttributes.LOOP_PARKED_UNTIL))));
            }
            if (earliest != Long.MAX_VALUE) {
                next = Math.min(next, Math.max(earliest, node.yieldedUntil));
            }
        }
        if (next != Long.MAX_VALUE && next > now) {
            clock.advanceTo(next);
        }
    }

    private static long attributeMillis(Item item, String attribute) {
        String value = item.attributes().get(attribute);
        try {
            return value == null ? 0L : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    /** FlowFiles waiting anywhere except in the funnels. */
    public int queued() {
        int total = 0;
        for (Node node : nodes.values()) {
            total += node.queue.size() + node.runner.getQueueSize().getObjectCount();
        }
        return total;
    }

    /** Stops the processor with this name and starts it again at its next run, keeping its state. */
    public void restart(String processorName) {
        Node node = byName(processorName);
        if (node.scheduled) {
            node.runner.stop();
            node.scheduled = false;
        }
        node.schedule.runAtOnce();
        log.accept("restarted " + processorName);
    }

    /**
     * Stops the processor with this name until {@link #start}: it is not run, and FlowFiles queue for it as in front of
     * a stopped processor in NiFi (nothing expires). Its state is kept.
     */
    public void stop(String processorName) {
        Node node = byName(processorName);
        if (node.scheduled) {
            node.runner.stop();
            node.scheduled = false;
        }
        stopped.add(processorName);
        log.accept("stopped " + processorName);
    }

    /** Starts a processor stopped with {@link #stop} again at the next round. */
    public void start(String processorName) {
        byName(processorName).schedule.runAtOnce();
        stopped.remove(processorName);
        log.accept("started " + processorName);
    }

    /**
     * NiFi restarts: every processor instance is replaced by a new one (a new runner over the same databases) that starts
     * with the state the old one had stored. FlowFiles queued for a processor, including those its runner had taken in
     * but not finished, wait for the new instance, as NiFi's FlowFile repository keeps them. What lives only in a
     * processor's memory is gone. Processors stopped with {@link #stop} stay stopped; counters carry over.
     */
    public void restartFlow() {
        for (Node node : nodes.values()) {
            replaceRunner(node);
        }
        log.accept("restarted the flow: new processor instances");
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
        Node node = byName(processorName);
        replaceRunner(node); // the runner so far keeps its counters; the lost session counts nothing
        Map<Scope, Map<String, String>> before = state(node.runner);
        TestRunner crashing = node.runner;
        for (Item item : node.queue) {
            crashing.enqueue(item.content(), item.attributes());
        }
        try {
            crashing.run(1, false, true);
        } catch (AssertionError | RuntimeException e) {
            log.accept(processorName + " failed in the run that crashed: " + rootMessage(e));
        }
        int lost = 0;
        for (Relationship relationship : crashing.getProcessor().getRelationships()) {
            lost += crashing.getFlowFilesForRelationship(relationship).size();
        }
        crashing.clearTransferState();
        stopQuietly(node.name(), crashing);
        node.runner = runners.newRunner(node.definition, node.source);
        setState(node.runner, before);
        node.scheduled = false;
        log.accept("NiFi died inside a session of " + processorName + " (" + lost + " FlowFiles it emitted were lost)");
        restartFlow();
        return lost;
    }

    /**
     * Replays (as from NiFi's provenance) every FlowFile kept by {@link Builder#keepForReplay} whose connection matches:
     * a copy is queued again for the processor it was delivered to, and counts as one more copy of its changes.
     *
     * @return how many FlowFiles were replayed
     */
    public int replay(Predicate<String> connectionName) {
        List<Travelled> again = travelled.stream().filter(t -> connectionName.test(t.connection().getName())).toList();
        for (Travelled t : again) {
            deliver(t.from(), t.connection(), copy(t.item()), false, true);
        }
        log.accept("replayed " + again.size() + " FlowFiles");
        return again.size();
    }

    private void replaceRunner(Node node) {
        TestRunner old = node.runner;
        if (node.scheduled) {
            stopQuietly(node.name(), old);
            node.scheduled = false;
        }
        List<Item> inFlight = drain(old);
        // taken back from the runner: counted in again when the new runner takes them
        inFlight.forEach(item -> records(item).forEach(r -> {
            ChangeId id = changeId(r);
            if (id != null) {
                node.pendingIn.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
            }
        }));
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
    private static List<Item> drain(TestRunner runner) {
        List<Item> items = new ArrayList<>();
        if (runner.isQueueEmpty()) {
            return items;
        }
        ProcessSession session = runner.getProcessSessionFactory().createSession();
        for (FlowFile flowFile : session.get(Integer.MAX_VALUE)) {
            MockFlowFile mock = (MockFlowFile) flowFile;
            items.add(new Item(mock.toByteArray(), new HashMap<>(mock.getAttributes())));
            session.remove(flowFile);
        }
        session.commitAsync();
        return items;
    }

    private static Map<Scope, Map<String, String>> state(TestRunner runner) {
        Map<Scope, Map<String, String>> state = new EnumMap<>(Scope.class);
        for (Scope scope : statefulScopes(runner)) {
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

    private static List<Scope> statefulScopes(TestRunner runner) {
        Stateful stateful = runner.getProcessor().getClass().getAnnotation(Stateful.class);
        return stateful == null ? List.of() : List.of(stateful.scopes());
    }

    private void stopQuietly(String name, TestRunner runner) {
        try {
            runner.stop();
        } catch (RuntimeException | AssertionError e) {
            log.accept("stopping " + name + " failed: " + e);
        }
    }

    /** FlowFiles waiting for the processor with this name (its incoming connections). */
    public int queued(String processorName) {
        Node node = byName(processorName);
        return node.queue.size() + node.runner.getQueueSize().getObjectCount();
    }

    /** Milliseconds the processor with this name spent in its runs so far (for benchmarks). */
    public long runMillis(String processorName) {
        return byName(processorName).runNanos / 1_000_000L;
    }

    public TestRunner runner(String processorName) {
        return byName(processorName).runner;
    }

    public List<String> processorNames() {
        return nodes.values().stream().map(Node::name).toList();
    }

    /** FlowFiles held in the funnel whose first incoming connection has this name prefix (e.g. "Conflicts for review"). */
    public List<Map<String, String>> held(String connectionNamePrefix) {
        List<Map<String, String>> held = new ArrayList<>();
        funnels.forEach((id, items) -> {
            String name = funnelNames.getOrDefault(id, "");
            if (name.startsWith(connectionNamePrefix)) {
                items.forEach(item -> held.add(item.attributes()));
            }
        });
        return held;
    }

    /** The records held in funnels reached through connections whose name starts with the prefix. */
    public List<Record> heldRecords(String connectionNamePrefix) {
        List<Record> records = new ArrayList<>();
        funnels.forEach((id, items) -> {
            if (funnelNames.getOrDefault(id, "").startsWith(connectionNamePrefix)) {
                items.forEach(item -> records.addAll(records(item)));
            }
        });
        return records;
    }

    public Outcomes outcomes() {
        return outcomes;
    }

    /** Sum of a counter over every processor of this type (simple class name), e.g. ("ApplyBidirectionalChanges", "Changes applied"). */
    public long counter(String processorSimpleName, String counter) {
        long sum = 0;
        for (Node node : nodes.values()) {
            if (node.definition.getType().endsWith("." + processorSimpleName)) {
                sum += counterOf(node, counter);
            }
        }
        return sum;
    }

    /** A counter of one processor, by its name in the flow; 0 when it never counted. */
    public long processorCounter(String processorName, String counter) {
        return counterOf(byName(processorName), counter);
    }

    /** A counter summed over the node's runner and those it had before restarts of the flow. */
    private static long counterOf(Node node, String counter) {
        long sum = 0;
        for (TestRunner runner : node.retired) {
            Long value = runner.getCounterValue(counter);
            sum += value == null ? 0 : value;
        }
        Long value = node.runner.getCounterValue(counter);
        return sum + (value == null ? 0 : value);
    }

    /** Runs that threw (the session was rolled back), and the last such failure. */
    public int failedRuns() {
        return failedRuns;
    }

    public String lastFailure() {
        return lastFailure;
    }

    public int rounds() {
        return round;
    }

    public int lastCaptured() {
        return lastCaptured;
    }

    @Override
    public void close() {
        for (Node node : nodes.values()) {
            if (node.scheduled) {
                try {
                    node.runner.stop();
                } catch (RuntimeException | AssertionError e) {
                    log.accept("stopping " + node.name() + " failed: " + e);
                }
                node.scheduled = false;
            }
        }
    }

    private int runSource(Node node) {
        node.runner.clearTransferState();
        trigger(node);
        int emitted = 0;
        for (Relationship relationship : node.runner.getProcessor().getRelationships()) {
            for (MockFlowFile flowFile : node.runner.getFlowFilesForRelationship(relationship)) {
                Item item = item(node, flowFile);
                if (relationship.getName().equals("success")) {
                    for (Record record : records(item)) {
                        ChangeId id = changeId(record);
                        if (id != null) {
                            outcomes.captured(id);
                            emitted++;
                        }
                    }
                }
                if (!node.definition.getAutoTerminatedRelationships().contains(relationship.getName())) {
                    route(node, relationship.getName(), item);
                }
            }
        }
        node.runner.clearTransferState();
        releaseFinishedSessions(node.runner);
        return emitted;
    }

    /** A FlowFile a processor emitted; a penalized one is due once the processor's Penalty Duration passed. */
    private Item item(Node from, MockFlowFile flowFile) {
        long dueAt = flowFile.isPenalized() ? clock.millis() + from.penaltyMillis : 0L;
        return new Item(flowFile.toByteArray(), new HashMap<>(flowFile.getAttributes()), dueAt);
    }

    private int runWithInput(Node node, long now) {
        List<Item> batch = new ArrayList<>();
        for (java.util.Iterator<Item> waiting = node.queue.iterator(); waiting.hasNext(); ) {
            Item item = waiting.next();
            if (item.due(now)) {
                batch.add(item);
                waiting.remove();
            }
        }
        Map<ChangeId, Integer> in = node.pendingIn;
        for (Item item : batch) {
            node.runner.enqueue(item.content(), item.attributes());
            records(item).forEach(r -> count(in, changeId(r)));
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
        Map<ChangeId, Integer> out = node.pendingOut;
        int moved = 0;
        for (Relationship relationship : node.runner.getProcessor().getRelationships()) {
            String name = relationship.getName();
            for (MockFlowFile flowFile : node.runner.getFlowFilesForRelationship(relationship)) {
                moved++;
                Item item = item(node, flowFile);
                List<Record> records = records(item);
                records.forEach(r -> count(out, changeId(r)));
                addTotals(item);
                if (node.definition.getAutoTerminatedRelationships().contains(name)) {
                    if (node.target != null) {
                        records.forEach(r -> ended(r, node.target, Outcome.APPLIED));
                    }
                    continue;
                }
                route(node, name, item);
            }
        }
        node.runner.clearTransferState();
        releaseFinishedSessions(node.runner);
        // what went in and did not come out was dropped by this processor (known once the runner's queue is empty)
        if (node.runner.isQueueEmpty()) {
            if (node.target != null) {
                in.forEach((id, copies) -> {
                    int dropped = copies - out.getOrDefault(id, 0);
                    if (dropped > 0) {
                        outcomes.ended(new Leg(id, node.target), dropOutcome(node), dropped);
                    }
                });
            }
            in.clear();
            out.clear();
        }
        return moved;
    }

    /**
     * nifi-mock's session factory keeps every session a runner ever created, with the content of the FlowFiles that went
     * through it, its provenance events and its logger every message with its arguments: memory that grows with everything the flow ever moved (a 1,000,000-row
     * initial load does not fit in 256 MB that way), where NiFi keeps neither. Once a run's outputs have been taken,
     * its sessions are dropped (FlowFiles a session rolled back are in the runner's queue, not in the session).
     */
    private void releaseFinishedSessions(TestRunner runner) {
        runner.clearProvenanceEvents();
        // nifi-mock's logger keeps every message with its arguments (FlowFiles and their content); warnings and errors
        // are kept for the tests that read them
        try {
            java.lang.reflect.Field logger = runner.getLogger().getClass().getDeclaredField("logger");
            logger.setAccessible(true);
            Object capturing = logger.get(runner.getLogger());
            for (String level : List.of("traceMessages", "debugMessages", "infoMessages")) {
                java.lang.reflect.Field messages = capturing.getClass().getDeclaredField(level);
                messages.setAccessible(true);
                ((java.util.Collection<?>) messages.get(capturing)).clear();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!warnedAboutSessions) {
                warnedAboutSessions = true;
                log.accept("cannot release nifi-mock's log messages (" + e + "): the harness's memory grows with what it moves");
            }
        }
        try {
            java.lang.reflect.Field sessions = org.apache.nifi.util.MockSessionFactory.class.getDeclaredField("createdSessions");
            sessions.setAccessible(true);
            ((java.util.Collection<?>) sessions.get(runner.getProcessSessionFactory())).clear();
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!warnedAboutSessions) {
                warnedAboutSessions = true;
                log.accept("cannot release nifi-mock's finished sessions (" + e + "): the harness's memory grows with what it moves");
            }
        }
    }

    private static int transferred(TestRunner runner) {
        int count = 0;
        for (Relationship relationship : runner.getProcessor().getRelationships()) {
            count += runner.getFlowFilesForRelationship(relationship).size();
        }
        return count;
    }

    private static Outcome dropOutcome(Node node) {
        String type = node.definition.getType();
        if (type.equals(Templates.PREVENT_LOOPS)) {
            return Outcome.DROPPED_BY_PREVENT_LOOPS;
        }
        if (type.equals(Templates.RESOLVE)) {
            return Outcome.STALE_AT_RESOLVE;
        }
        return Outcome.STALE_AT_APPLY;
    }

    /** One onTrigger (with @OnScheduled first after a start); false when it threw. */
    private boolean trigger(Node node) {
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

    private void route(Node from, String relationship, Item item) {
        boolean routed = false;
        for (VersionedConnection connection : connections) {
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
            if (faults.keepsForReplay(connection.getName())) {
                travelled.add(new Travelled(from, connection, copy(item)));
            }
        }
        if (!routed) {
            throw new IllegalStateException(from.name() + " routed a FlowFile to '" + relationship
                    + "', which is neither connected nor auto-terminated in the template");
        }
    }

    private void deliver(Node from, VersionedConnection connection, Item item, boolean reorder, boolean extraCopy) {
        String destination = connection.getDestination().getId();
        Node node = nodes.get(destination);
        if (node != null) {
            // a leg starts where capture hands a change to a direction; a duplicate made on the way is one more copy
            if ((from.source || extraCopy) && node.target != null) {
                records(item).forEach(r -> {
                    ChangeId id = changeId(r);
                    if (id != null) {
                        outcomes.delivered(new Leg(id, node.target));
                    }
                });
            }
            node.queue.add(copy(item));
            if (reorder) {
                faults.shuffle(node.queue);
            }
            return;
        }
        List<Item> funnel = funnels.get(destination);
        if (funnel == null) {
            throw new IllegalStateException("Connection " + connection.getName() + " ends at an unknown component " + destination);
        }
        funnel.add(item);
        if (extraCopy && from.target != null) {
            records(item).forEach(r -> {
                ChangeId id = changeId(r);
                if (id != null) {
                    outcomes.delivered(new Leg(id, from.target));
                }
            });
        }
        if (from.target != null) {
            Outcome outcome = connection.getSelectedRelationships().contains("conflict") ? Outcome.CONFLICT : Outcome.FAILED;
            records(item).forEach(r -> ended(r, from.target, outcome));
        }
    }

    private void ended(Record record, String target, Outcome outcome) {
        ChangeId id = changeId(record);
        if (id != null) {
            outcomes.ended(new Leg(id, target), outcome, 1);
        }
    }

    private void addTotals(Item item) {
        for (String attribute : List.of("bisync.applied", "bisync.stale", "bisync.merged", "bisync.conflicts", "bisync.failed")) {
            String value = item.attributes().get(attribute);
            if (value != null) {
                try {
                    outcomes.addTotal(attribute, Long.parseLong(value.trim()));
                } catch (NumberFormatException e) {
                    log.accept("attribute " + attribute + " is not a number: " + value);
                }
            }
        }
    }

    private static Item copy(Item item) {
        return new Item(item.content(), new HashMap<>(item.attributes()), item.dueAt());
    }

    private static void count(Map<ChangeId, Integer> counts, ChangeId id) {
        if (id != null) {
            counts.merge(id, 1, Integer::sum);
        }
    }

    private static ChangeId changeId(Record record) {
        Object source = record.getSchema().getField("source_system").isPresent() ? record.getValue("source_system") : null;
        Object sequence = record.getSchema().getField("sequence").isPresent() ? record.getValue("sequence") : null;
        if (source == null || sequence == null) {
            return null;
        }
        return new ChangeId(source.toString(), sequence.toString());
    }

    /** The change records of a FlowFile, or none when its content is not records (e.g. capture's failure lines). */
    private List<Record> records(Item item) {
        if (!item.attributes().containsKey(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE)) {
            return List.of();
        }
        List<Record> records = new ArrayList<>();
        try (RecordReader reader = new JsonRecordReaderService().createRecordReader(item.attributes(),
                new ByteArrayInputStream(item.content()), item.content().length, null)) {
            Record record;
            while ((record = reader.nextRecord()) != null) {
                records.add(record);
            }
        } catch (Exception e) {
            log.accept("unreadable FlowFile content: " + rootMessage(e));
            return List.of();
        }
        return records;
    }

    private Node byName(String name) {
        return nodes.values().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No processor named '" + name + "'; there are " + processorNames()));
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
