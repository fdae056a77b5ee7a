/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.ReadsAttribute;
import org.apache.nifi.annotation.behavior.ReadsAttributes;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.loops.LoopScreen;
import org.bisync.nifi.loops.OriginFilter;
import org.bisync.nifi.loops.RunawayGuard;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

@Tags({"bisync", "sync", "loop", "replication", "cdc", "record"})
@CapabilityDescription("Drops the change records that must never travel to the target system: a change whose origin is "
        + "the target itself. Also guards against runaway ping-pong (triggers or applications that react to synced "
        + "writes): when one key changes more than 'Max Updates Per Key' times within 'Runaway Window', its changes are "
        + "parked on 'loop' (wire 'loop' back into this processor) and, once the key's window ends, only the key's "
        + "greatest version is passed on. Works per record, without a database.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@Stateful(scopes = Scope.LOCAL, description = "Acknowledgements of decided changes that could not be written into their "
        + "source's bisync_ack yet (the source was unreachable): written with the next ones, kept across restarts.")
@ReadsAttributes({
        @ReadsAttribute(attribute = BisyncAttributes.LOOP_PARKED_UNTIL, description = "Set on FlowFiles parked on 'loop': "
                + "they are held until then and released as the key's greatest version or dropped as superseded")
})
@WritesAttributes({
        @WritesAttribute(attribute = BisyncAttributes.LOOP_PARKED_UNTIL, description = "On 'loop': when the parked key's window ends, epoch millis"),
        @WritesAttribute(attribute = PreventLoops.LOOP_KEY, description = "On 'loop': the parked table and key"),
        @WritesAttribute(attribute = PreventLoops.LOOPS_DROPPED,
                description = "How many changes of the incoming FlowFile were dropped because their origin is the target"),
        @WritesAttribute(attribute = PreventLoops.SUPERSEDED,
                description = "On release: how many parked changes were dropped as superseded by the key's greatest version"),
        @WritesAttribute(attribute = BisyncAttributes.REASON, description = "On 'loop' and 'failure': why"),
        @WritesAttribute(attribute = BisyncAttributes.TARGET_SYSTEM, description = "The target system"),
        @WritesAttribute(attribute = BisyncAttributes.RECORD_COUNT, description = "Number of records"),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "The Record Writer's MIME type")
})
@SeeAlso({CaptureTriggerHistory.class, ResolveConflicts.class, ApplyBidirectionalChanges.class})
public class PreventLoops extends AbstractProcessor implements TimerClockAware {

    static final String LOOP_KEY = "bisync.loop.key";
    static final String LOOPS_DROPPED = "bisync.loops.dropped";
    static final String SUPERSEDED = "bisync.superseded";

    static final String COUNTER_LOOPS = "Loops prevented";
    static final String COUNTER_PARKED_KEYS = "Runaway keys parked";
    static final String COUNTER_PARKED = "Changes parked";
    static final String COUNTER_RELEASED = "Parked changes released";
    static final String COUNTER_SUPERSEDED = "Parked changes superseded";

    public static final PropertyDescriptor SYNC_TOPOLOGY = BisyncProperties.SYNC_TOPOLOGY;
    public static final PropertyDescriptor TARGET_SYSTEM = BisyncProperties.TARGET_SYSTEM;
    public static final PropertyDescriptor RECORD_READER = BisyncProperties.RECORD_READER;
    public static final PropertyDescriptor RECORD_WRITER = BisyncProperties.RECORD_WRITER;

    public static final PropertyDescriptor MAX_UPDATES_PER_KEY = new PropertyDescriptor.Builder()
            .name("Max Updates Per Key")
            .description("More changes than this of one (table, key) within 'Runaway Window' park the key's changes on "
                    + "'loop'. Only an unbroken run of changes each made on top of another system's version counts "
                    + "(in a loop every change reacts to the synced write before it); a change made on top of its own "
                    + "system's version ends the run, so one system's own rapid edits of a row, a backlog of them, or people "
                    + "editing the same row often on both sides never trip it.")
            .required(true)
            .defaultValue("50")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor RUNAWAY_WINDOW = new PropertyDescriptor.Builder()
            .name("Runaway Window")
            .description("The sliding window over which changes per key are counted, and how long a tripped key stays "
                    + "parked after its last parked change.")
            .required(true)
            .defaultValue("10 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final Relationship SUCCESS = new Relationship.Builder().name("success")
            .description("Changes that may travel to the target, and the greatest version of a parked key once its window ended")
            .build();
    public static final Relationship LOOP = new Relationship.Builder().name("loop")
            .description("Changes of a key that changed too often (runaway ping-pong), one FlowFile per key. Connect it "
                    + "back to this processor and never auto-terminate it: parked changes are held there until the key's "
                    + "window ends, then the key's greatest version goes on to 'success'.")
            .build();
    public static final Relationship FAILURE = new Relationship.Builder().name("failure")
            .description("Records that are not valid change records, each with an 'error' field; or a FlowFile that cannot be read")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(SYNC_TOPOLOGY, TARGET_SYSTEM, RECORD_READER, RECORD_WRITER,
            MAX_UPDATES_PER_KEY, RUNAWAY_WINDOW);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(SUCCESS, LOOP, FAILURE);

    private volatile LongSupplier clock = System::currentTimeMillis;
    private volatile LoopScreen screen;
    private volatile SyncTopologyService service;
    private volatile String targetSystem;
    private volatile int maxUpdates;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> results = new ArrayList<>();
        TopologyValidation.checkSystem(context, TARGET_SYSTEM, results);
        return results;
    }

    /** The clock of the runaway guard's window. */
    @Override
    public void setTimerClock(LongSupplier epochMillis) {
        this.clock = epochMillis;
    }

    private volatile DecisionAcks acks;

    /** Writes the acknowledgements that still wait, so a stop leaves as few as possible behind. */
    @OnStopped
    public void flushAcknowledgements() {
        if (acks != null) {
            acks.flush();
        }
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        acks = new DecisionAcks(context.getStateManager(), getLogger());
        service = context.getProperty(SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        SyncTopology topology = service.getTopology();
        targetSystem = context.getProperty(TARGET_SYSTEM).getValue().trim();
        topology.system(targetSystem); // an unknown target stops scheduling with the list of known systems
        OriginFilter originFilter = new OriginFilter(targetSystem);
        maxUpdates = context.getProperty(MAX_UPDATES_PER_KEY).asInteger();
        long window = context.getProperty(RUNAWAY_WINDOW).asTimePeriod(TimeUnit.MILLISECONDS);
        screen = new LoopScreen(originFilter, new RunawayGuard(maxUpdates, Math.max(1, window), new VersionOrder(topology::rank), clock));
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        FlowFile flowFile = session.get();
        if (flowFile == null) {
            return;
        }
        RecordReaderFactory readerFactory = context.getProperty(RECORD_READER).asControllerService(RecordReaderFactory.class);
        RecordSetWriterFactory writerFactory = context.getProperty(RECORD_WRITER).asControllerService(RecordSetWriterFactory.class);
        ChangeRecordIO.Batch batch;
        try {
            batch = ChangeRecordIO.read(session, flowFile, readerFactory, getLogger());
        } catch (ProcessException e) {
            getLogger().error("Cannot read change records of {}: {}", flowFile, e.getMessage());
            flowFile = session.putAttribute(flowFile, BisyncAttributes.REASON, e.getMessage());
            session.getProvenanceReporter().route(flowFile, FAILURE, e.getMessage());
            session.transfer(flowFile, FAILURE);
            return;
        }
        String parkedUntil = flowFile.getAttribute(BisyncAttributes.LOOP_PARKED_UNTIL);
        RoutedOutputs outputs = new RoutedOutputs(session, flowFile, writerFactory, getLogger());
        if (parkedUntil != null) {
            long until;
            try {
                until = Long.parseLong(parkedUntil.trim());
            } catch (NumberFormatException e) {
                until = 0L; // a damaged attribute: the guard's own record, if any, still holds the key
            }
            releaseParked(session, flowFile, batch, until, outputs);
        } else {
            admitNew(session, batch, outputs);
        }
    }

    /** The valid changes of a batch, each with its record; the invalid ones go to {@code failed} with their error. */
    private static List<LoopScreen.Item<Record>> valid(ChangeRecordIO.Batch batch, List<Record> failed) {
        List<LoopScreen.Item<Record>> valid = new ArrayList<>();
        for (ChangeRecordIO.Incoming incoming : batch.records()) {
            if (incoming.valid()) {
                valid.add(new LoopScreen.Item<>(incoming.raw(), incoming.change()));
            } else {
                failed.add(ChangeRecordIO.withError(incoming.raw(), incoming.error().getMessage()));
            }
        }
        return valid;
    }

    private void admitNew(ProcessSession session, ChangeRecordIO.Batch batch, RoutedOutputs outputs) {
        List<Record> failed = new ArrayList<>();
        LoopScreen.Admitted<Record> admitted = screen.admit(valid(batch, failed));
        List<Record> passed = admitted.passed();
        Map<String, List<Record>> parked = admitted.parked();
        Map<String, Long> parkedUntil = admitted.parkedUntil();
        List<ChangeRecord> dropped = admitted.loops();
        for (ChangeRecord change : admitted.newlyParked()) {
            session.adjustCounter(COUNTER_PARKED_KEYS, 1, false);
            getLogger().warn("Runaway changes: a key {} of table '{}' changed more than {} times within {} ms on its way to "
                            + "'{}' (triggers or applications reacting to synced writes?); parking its changes on 'loop' "
                            + "until the key is quiet for the window, then passing on only its greatest version",
                    ChangeRecord.keyColumns(change.key), change.table, maxUpdates, screen.guard().windowMillis(), targetSystem);
        }
        int loops = dropped.size();
        if (loops > 0) {
            session.adjustCounter(COUNTER_LOOPS, loops, false);
            acks.acknowledge(service, targetSystem, dropped);
        }
        String loopNote = loops == 0 ? "" : "; dropped " + loops + " whose origin is the target '" + targetSystem + "'";
        Map<String, String> common = Map.of(BisyncAttributes.TARGET_SYSTEM, targetSystem, LOOPS_DROPPED, String.valueOf(loops));
        String passNote = "passed " + passed.size() + " changes" + loopNote;
        if (passed.size() == batch.records().size()
                && outputs.passUnchanged(SUCCESS, batch.schema(), passed.size(), common, passNote)) {
            return; // nothing dropped, parked or failed: the content goes on as it came, not written again
        }
        if (!passed.isEmpty()) {
            outputs.send(SUCCESS, batch.schema(), passed, common, passNote);
        }
        for (Map.Entry<String, List<Record>> entry : parked.entrySet()) {
            session.adjustCounter(COUNTER_PARKED, entry.getValue().size(), false);
            String reason = "runaway key " + entry.getKey() + ": more than " + maxUpdates + " changes within "
                    + screen.guard().windowMillis() + " ms; parked until " + parkedUntil.get(entry.getKey());
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.LOOP_PARKED_UNTIL, String.valueOf(parkedUntil.get(entry.getKey())));
            attributes.put(LOOP_KEY, entry.getKey());
            attributes.put(BisyncAttributes.REASON, reason);
            outputs.send(LOOP, batch.schema(), entry.getValue(), attributes, "parked " + entry.getValue().size() + " changes of " + reason);
        }
        if (!failed.isEmpty()) {
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.REASON, failed.size() + " invalid change records; see each record's 'error'");
            outputs.send(FAILURE, failed.get(0).getSchema(), failed, attributes, failed.size() + " invalid change records");
        }
        outputs.finish();
    }

    private void releaseParked(ProcessSession session, FlowFile flowFile, ChangeRecordIO.Batch batch, long until, RoutedOutputs outputs) {
        List<Record> failed = new ArrayList<>();
        LoopScreen.Released<Record> released = screen.release(valid(batch, failed), until);
        if (released.holdUntil() > 0L) {
            // still within the key's window: back onto 'loop', penalized so it does not spin
            FlowFile held = session.putAttribute(flowFile, BisyncAttributes.LOOP_PARKED_UNTIL, String.valueOf(released.holdUntil()));
            session.transfer(session.penalize(held), LOOP);
            return;
        }
        List<Record> passed = released.passed();
        List<ChangeRecord> supersededChanges = released.superseded();
        if (!passed.isEmpty()) {
            session.adjustCounter(COUNTER_RELEASED, passed.size(), false);
        }
        int superseded = supersededChanges.size();
        if (superseded > 0) {
            session.adjustCounter(COUNTER_SUPERSEDED, superseded, false);
            // the key's greatest version goes on, so the target ends at or above each of these
            acks.acknowledge(service, targetSystem, supersededChanges);
        }
        String key = flowFile.getAttribute(LOOP_KEY);
        String note = "released parked key " + (key == null ? released.keys() : key) + ": passed the greatest version ("
                + passed.size() + "), dropped " + superseded + " superseded";
        Map<String, String> attributes = Map.of(BisyncAttributes.TARGET_SYSTEM, targetSystem, SUPERSEDED, String.valueOf(superseded));
        outputs.removeAttributes(Set.of(BisyncAttributes.LOOP_PARKED_UNTIL, LOOP_KEY, BisyncAttributes.REASON));
        if (!passed.isEmpty()) {
            outputs.send(SUCCESS, batch.schema(), passed, attributes, note);
        }
        if (!failed.isEmpty()) {
            Map<String, String> failure = new HashMap<>(attributes);
            failure.put(BisyncAttributes.REASON, failed.size() + " invalid change records; see each record's 'error'");
            outputs.send(FAILURE, failed.get(0).getSchema(), failed, failure, failed.size() + " invalid change records");
        }
        outputs.finish();
    }
}
