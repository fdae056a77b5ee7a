/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.Stateful;
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
import org.apache.nifi.dbcp.DBCPService;
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
import org.bisync.nifi.apply.TransientRetry;
import org.bisync.nifi.change.ChangeFields;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.resolve.BatchResolution;
import org.bisync.nifi.resolve.DecidedChanges;
import org.bisync.nifi.resolve.NotInstalledGrace;
import org.bisync.nifi.resolve.Outcome;
import org.bisync.nifi.resolve.OutcomeTally;
import org.bisync.nifi.resolve.TargetResolution;
import org.bisync.nifi.schema.NotInstalledException;
import org.bisync.nifi.schema.SyncKeyAgreement;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

@Tags({"bisync", "sync", "conflict", "resolution", "replication", "cdc", "record", "database"})
@CapabilityDescription("Decides, per change record, what happens at the target system: apply (a fast-forward, or a "
        + "conflict won by the version order all systems share), merge (field-level tables), skip as stale (a duplicate, "
        + "an echo, an older change) or hold for manual review. Reads the target's versions (and rows where a rule "
        + "needs them) for all keys of a FlowFile in one query per chunk, without locking, and writes 'decision' and "
        + "'expected_version' into every record for ApplyBidirectionalChanges; a FlowFile whose every record is decided APPLY "
        + "as it came goes on unchanged, not written again, with attribute bisync.decision = APPLY.")
@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@Stateful(scopes = Scope.LOCAL, description = "Acknowledgements of decided changes that could not be written into their "
        + "source's bisync_ack yet (the source was unreachable): written with the next ones, kept across restarts.")
@WritesAttributes({
        @WritesAttribute(attribute = BisyncAttributes.APPLIED, description = "Records decided APPLY (fast-forwards, conflicts won, reviewed resolutions)"),
        @WritesAttribute(attribute = BisyncAttributes.MERGED, description = "Records decided MERGE"),
        @WritesAttribute(attribute = BisyncAttributes.STALE, description = "Records removed as STALE (duplicates, echoes, older changes, conflicts lost)"),
        @WritesAttribute(attribute = BisyncAttributes.CONFLICTS, description = "Records held for review"),
        @WritesAttribute(attribute = BisyncAttributes.FAILED, description = "Invalid records sent to failure"),
        @WritesAttribute(attribute = ResolveConflicts.CONFLICTS_WON, description = "Conflicts the incoming change won"),
        @WritesAttribute(attribute = ResolveConflicts.CONFLICTS_LOST, description = "Conflicts the incoming change lost (removed as stale)"),
        @WritesAttribute(attribute = ResolveConflicts.NEAR_TIES, description = "Conflicts between versions closer than the near-tie tolerance"),
        @WritesAttribute(attribute = BisyncAttributes.DECISION, description = "On a 'success' FlowFile passed on as it came "
                + "(every record decided APPLY, none rewritten, removed, held or failed): APPLY, the decision of every record, "
                + "which the records themselves do not carry then"),
        @WritesAttribute(attribute = BisyncAttributes.TARGET_SYSTEM, description = "The target system"),
        @WritesAttribute(attribute = BisyncAttributes.REASON, description = "On 'conflict' and 'failure': why"),
        @WritesAttribute(attribute = BisyncAttributes.RECORD_COUNT, description = "Number of records"),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "The Record Writer's MIME type")
})
@SeeAlso({PreventLoops.class, ApplyBidirectionalChanges.class, AuditSyncConsistency.class})
public class ResolveConflicts extends AbstractProcessor implements TimerClockAware {

    static final String CONFLICTS_WON = "bisync.conflicts.won";
    static final String CONFLICTS_LOST = "bisync.conflicts.lost";
    static final String NEAR_TIES = "bisync.near.ties";

    static final String COUNTER_FAST_FORWARDED = "Changes fast-forwarded";
    static final String COUNTER_WON = "Conflicts won";
    static final String COUNTER_LOST = "Conflicts lost";
    static final String COUNTER_MERGED = "Changes merged";
    static final String COUNTER_HELD = "Conflicts held for review";
    static final String COUNTER_STALE = "Changes stale";
    static final String COUNTER_NEAR_TIES = "Near-ties";
    static final String COUNTER_RESOLUTIONS = "Resolutions passed on";
    static final String COUNTER_FAILED = "Changes failed";
    static final String COUNTER_EXTRA_DELETED = "Extra target rows deleted at the initial load";

    public static final PropertyDescriptor SYNC_TOPOLOGY = BisyncProperties.SYNC_TOPOLOGY;
    public static final PropertyDescriptor TARGET_SYSTEM = BisyncProperties.TARGET_SYSTEM;
    public static final PropertyDescriptor RECORD_READER = BisyncProperties.RECORD_READER;
    public static final PropertyDescriptor RECORD_WRITER = BisyncProperties.RECORD_WRITER;

    public static final PropertyDescriptor NEAR_TIE_TOLERANCE = new PropertyDescriptor.Builder()
            .name("Near-Tie Tolerance")
            .description("Conflicts between versions whose numbers are closer than this are counted and reported as "
                    + "near-ties. They are decided like any other conflict: a tolerance that picked another winner would "
                    + "let systems end on different values.")
            .required(true)
            .defaultValue("1 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final Relationship SUCCESS = new Relationship.Builder().name("success")
            .description("Records decided APPLY or MERGE, for ApplyBidirectionalChanges")
            .build();
    public static final Relationship CONFLICT = new Relationship.Builder().name("conflict")
            .description("Conflicts held for manual review (strategy MANUAL), each with 'target_row' and both versions. Set "
                    + "'resolution' (for example with UpdateRecord) and route the FlowFile back to this processor.")
            .build();
    public static final Relationship FAILURE = new Relationship.Builder().name("failure")
            .description("Records that cannot be decided on (invalid record, table not in the topology, schema mismatch, a key "
                    + "the target's key columns cannot take), each with an 'error' field; or a FlowFile that cannot be read")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(SYNC_TOPOLOGY, TARGET_SYSTEM, RECORD_READER, RECORD_WRITER,
            NEAR_TIE_TOLERANCE);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(SUCCESS, CONFLICT, FAILURE);

    private volatile SyncTopology topology;
    private volatile SyncTopologyService service;
    private volatile DBCPService pool;
    private volatile String targetSystem;
    private volatile SyncKeyAgreement keyAgreement;
    private volatile TargetResolution resolution;
    private volatile DecisionAcks acks;

    /** How long a target may lack its installation before that is an error (see {@link NotInstalledGrace}). */
    static final long NOT_INSTALLED_GRACE_NANOS = NotInstalledGrace.DEFAULT_NANOS;
    private final NotInstalledGrace notInstalled = new NotInstalledGrace(NOT_INSTALLED_GRACE_NANOS);

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
        topology = service.getTopology();
        targetSystem = context.getProperty(TARGET_SYSTEM).getValue().trim();
        topology.system(targetSystem); // an unknown target stops scheduling with the list of known systems
        pool = service.getConnectionPool(targetSystem);
        // the target's tables are resolved again against the database: they may have changed while stopped
        resolution = new TargetResolution(topology, targetSystem, context.getProperty(NEAR_TIE_TOLERANCE).asTimePeriod(TimeUnit.MICROSECONDS));
        keyAgreement = null;
        notInstalled.clear();
    }

    /** The clock of the grace a target gets to be installed, in nanoseconds. */
    private volatile LongSupplier graceClockNanos = System::nanoTime;

    @Override
    public void setTimerClock(LongSupplier epochMillis) {
        graceClockNanos = () -> TimeUnit.MILLISECONDS.toNanos(epochMillis.getAsLong());
    }

    /** The clock of the grace a target gets to be installed; tests stand in their own. */
    protected long nanoTime() {
        return graceClockNanos.getAsLong();
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
        ChangeRecordSchema schema;
        try {
            batch = ChangeRecordIO.read(session, flowFile, readerFactory, getLogger());
            schema = batch.records().isEmpty() ? null : ChangeRecordSchema.fromIncoming(batch.schema());
        } catch (ProcessException | InvalidChangeException e) {
            getLogger().error("Cannot read change records of {}: {}", flowFile, e.getMessage());
            flowFile = session.putAttribute(flowFile, BisyncAttributes.REASON, e.getMessage());
            session.getProvenanceReporter().route(flowFile, FAILURE, e.getMessage());
            session.transfer(flowFile, FAILURE);
            return;
        }
        List<Record> failed = new ArrayList<>();
        Map<String, List<ChangeRecordIO.Incoming>> byTable = new LinkedHashMap<>();
        for (ChangeRecordIO.Incoming incoming : batch.records()) {
            if (!incoming.valid()) {
                failed.add(ChangeRecordIO.withError(incoming.raw(), incoming.error().getMessage()));
                continue;
            }
            Optional<TableSettings> settings = tableOf(incoming.change());
            if (settings.isEmpty()) {
                failed.add(ChangeRecordIO.withError(incoming.raw(), "Record " + incoming.index() + ": table '" + incoming.change().table
                        + "' (from system '" + incoming.change().sourceSystem + "') is not part of the sync topology; configured: "
                        + topology.tables().stream().map(TableSettings::name).toList()));
                continue;
            }
            byTable.computeIfAbsent(settings.get().name(), k -> new ArrayList<>()).add(incoming);
        }
        int replayed = withoutDecidedReplays(byTable);
        withoutUnmatchableKeys(byTable, failed);
        Map<Integer, Record> raw = new HashMap<>();
        Map<String, List<BatchResolution.Pending>> pending = new LinkedHashMap<>();
        byTable.forEach((table, records) -> records.forEach(incoming -> {
            raw.put(incoming.index(), incoming.raw());
            pending.computeIfAbsent(table, k -> new ArrayList<>()).add(new BatchResolution.Pending(incoming.index(), incoming.change()));
        }));
        TargetResolution.Result result = pending.isEmpty() ? TargetResolution.Result.empty() : decide(context, session, flowFile, pending);
        if (result == null) {
            return; // rolled back: the FlowFile waits
        }
        result.resolved().failed().forEach(f -> failed.add(ChangeRecordIO.withError(raw.get(f.index()), f.error())));
        route(session, flowFile, writerFactory, batch, schema, result, failed, replayed);
    }

    /**
     * Decides the changes against the target, reading again at once after a transient error. Null when nothing could be
     * decided: the FlowFile was rolled back into the queue and is read again, against the tables as they are then.
     */
    private TargetResolution.Result decide(ProcessContext context, ProcessSession session, FlowFile flowFile,
                                           Map<String, List<BatchResolution.Pending>> pending) {
        TargetResolution.PageRange range = new TargetResolution.PageRange(flowFile.getAttribute(BisyncAttributes.SNAPSHOT_AFTER),
                flowFile.getAttribute(BisyncAttributes.SNAPSHOT_LAST));
        long started = System.nanoTime();
        for (int retry = 1; ; retry++) {
            try (Connection connection = pool.getConnection()) {
                TargetResolution.Result result = resolution.decide(connection, pending, range, System.currentTimeMillis() * 1000L);
                notInstalled.clear();
                return result;
            } catch (NotInstalledException e) {
                // the target lacks its installation: nothing can be decided until it is there; the FlowFile waits
                if (notInstalled.missing(nanoTime()) == NotInstalledGrace.Severity.WARNING) {
                    getLogger().warn("Cannot decide {} into system '{}' yet, it stays queued and is retried (its capture may still be "
                            + "installing it): {}", flowFile, targetSystem, e.getMessage());
                } else {
                    getLogger().error("Cannot decide {} into system '{}', it stays queued and is retried: {}", flowFile, targetSystem,
                            e.getMessage());
                }
            } catch (SQLException | ProcessException e) {
                if (resolution.isTransient(e) && TransientRetry.DEFAULT.awaitRetry(started, retry)) {
                    continue; // a transient error (a lost connection, a lock timeout) is read again at once, within about a second
                }
                // a column dropped or added in the target fails the read until its tables are resolved again
                String error = resolution.describe(e);
                resolution.forgetTables();
                keyAgreement = null;
                getLogger().error("Cannot read the versions of target '{}' for {}; it stays queued and is retried: {}",
                        targetSystem, flowFile, error);
            }
            session.rollback(true);
            context.yield();
            return null;
        }
    }

    /**
     * Routes the decided changes (and the failed ones), acknowledges the stale ones, counts them all. A FlowFile whose
     * every record is decided APPLY as it came goes on as it came, its decision in an attribute, not written again.
     */
    private void route(ProcessSession session, FlowFile flowFile, RecordSetWriterFactory writerFactory, ChangeRecordIO.Batch batch,
                       ChangeRecordSchema schema, TargetResolution.Result result, List<Record> failed, int replayed) {
        DecidedChanges decided = DecidedChanges.of(result);
        decided.notable().forEach(note -> getLogger().debug("{}", note));
        OutcomeTally tally = decided.tally();
        acks.acknowledge(service, targetSystem, decided.stale());
        tally.replays(replayed);
        tally.failed(failed.size());
        count(session, tally);
        Map<String, String> attributes = attributes(tally);
        RoutedOutputs outputs = new RoutedOutputs(session, flowFile, writerFactory, getLogger());
        outputs.removeAttributes(Set.of(BisyncAttributes.REASON, BisyncAttributes.DECISION));
        int records = batch.records().size();
        if (records > 0 && decided.appliedAsTheyCame() && failed.isEmpty() && replayed == 0 && decided.toApply().size() == records) {
            Map<String, String> passed = new HashMap<>(attributes);
            passed.put(BisyncAttributes.DECISION, Decision.APPLY.name());
            // the records as they came, with the schema they came with: what the writer would write but for the decision
            if (outputs.passUnchanged(SUCCESS, batch.schema(), records, passed, tally.describe() + "; passed on as they came")) {
                return;
            }
        }
        List<Record> success = decided.toApply().stream().map(schema::toRecord).toList();
        List<Record> conflicts = decided.held().stream().map(schema::toRecord).toList();
        if (!success.isEmpty()) {
            outputs.send(SUCCESS, schema.schema(), success, attributes, tally.describe());
        }
        if (!conflicts.isEmpty()) {
            Map<String, String> conflictAttributes = new HashMap<>(attributes);
            String reason = conflicts.size() + " conflicts held for review: " + String.join("; ", decided.heldNotes());
            conflictAttributes.put(BisyncAttributes.REASON, reason);
            outputs.send(CONFLICT, schema.schema(), conflicts, conflictAttributes, reason);
        }
        if (!failed.isEmpty()) {
            Map<String, String> failureAttributes = new HashMap<>(attributes);
            String reason = failed.size() + " change records cannot be decided on; see each record's 'error'";
            failureAttributes.put(BisyncAttributes.REASON, reason);
            outputs.send(FAILURE, failed.get(0).getSchema(), failed, failureAttributes, reason);
            getLogger().warn("{} of {}: {}", reason, flowFile, failed.get(0).getAsString(ChangeFields.ERROR));
        }
        if (success.isEmpty() && conflicts.isEmpty() && failed.isEmpty()) {
            getLogger().debug("Dropping {}: {}", flowFile, tally.describe());
        }
        outputs.finish();
    }

    /**
     * Takes out, as failed, the records of tables whose rows cannot be matched across the systems (their sync key of
     * different kinds of type, or missing, in some system), with a message naming the table, the field and the systems.
     * A system that cannot be reached leaves the check to ApplyBidirectionalChanges, which makes it too, so that one
     * system down does not hold up the others.
     */
    private void withoutUnmatchableKeys(Map<String, List<ChangeRecordIO.Incoming>> byTable, List<Record> failed) {
        SyncKeyAgreement agreement = keyAgreement;
        if (agreement == null) {
            agreement = SyncKeyAgreement.resolvingIn(topology, this::openSystem);
            keyAgreement = agreement;
        }
        SyncKeyAgreement.Check check = agreement.check(byTable.keySet());
        check.unchecked().forEach((table, error) ->
                getLogger().debug("Cannot compare the key types of table {} across the systems yet: {}", table, error));
        check.refused().forEach((table, refusal) -> byTable.remove(table)
                .forEach(r -> failed.add(ChangeRecordIO.withError(r.raw(), "Record " + r.index() + ": " + refusal))));
    }

    private Connection openSystem(String system) throws SQLException {
        try {
            return service.getConnectionPool(system).getConnection();
        } catch (ProcessException | IllegalArgumentException e) {
            throw new SQLException("Cannot reach system '" + system + "': " + e.getMessage(), e);
        }
    }

    /** The record's table: its name as known to its source system, or the canonical name. */
    private Optional<TableSettings> tableOf(ChangeRecord change) {
        Optional<TableSettings> byLocal = topology.tableByLocalName(change.table, change.sourceSystem);
        return byLocal.isPresent() ? byLocal : topology.table(change.table);
    }

    /**
     * Takes out the changes the target already decided (acknowledged to their source): only a replay brings one back,
     * and after a purged tombstone it would look like a new insert. STALE, not acknowledged again.
     *
     * @return how many were taken out
     */
    private int withoutDecidedReplays(Map<String, List<ChangeRecordIO.Incoming>> byTable) {
        List<ChangeRecord> all = new ArrayList<>();
        byTable.values().forEach(records -> records.forEach(incoming -> all.add(incoming.change())));
        Set<ChangeRecord> decided = DecidedReplays.find(service, targetSystem, all, getLogger());
        if (decided.isEmpty()) {
            return 0;
        }
        byTable.values().forEach(records -> records.removeIf(incoming -> decided.contains(incoming.change())));
        byTable.values().removeIf(List::isEmpty);
        getLogger().warn("{} change(s) already decided by system '{}' were replayed: removed as stale", decided.size(), targetSystem);
        return decided.size();
    }

    private static void count(ProcessSession session, OutcomeTally tally) {
        adjust(session, COUNTER_FAST_FORWARDED, tally.of(Outcome.FAST_FORWARDED));
        adjust(session, COUNTER_WON, tally.of(Outcome.CONFLICT_WON));
        adjust(session, COUNTER_LOST, tally.of(Outcome.CONFLICT_LOST));
        adjust(session, COUNTER_MERGED, tally.of(Outcome.MERGED));
        adjust(session, COUNTER_HELD, tally.of(Outcome.HELD_FOR_REVIEW));
        adjust(session, COUNTER_STALE, tally.stale());
        adjust(session, COUNTER_NEAR_TIES, tally.nearTies());
        adjust(session, COUNTER_RESOLUTIONS, tally.of(Outcome.RESOLUTION_PASSED));
        adjust(session, COUNTER_FAILED, tally.failed());
        adjust(session, COUNTER_EXTRA_DELETED, tally.extraRowsDeleted());
    }

    private static void adjust(ProcessSession session, String counter, int delta) {
        if (delta > 0) {
            session.adjustCounter(counter, delta, false);
        }
    }

    private Map<String, String> attributes(OutcomeTally tally) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BisyncAttributes.TARGET_SYSTEM, targetSystem);
        attributes.put(BisyncAttributes.APPLIED, String.valueOf(tally.applied()));
        attributes.put(BisyncAttributes.MERGED, String.valueOf(tally.of(Outcome.MERGED)));
        attributes.put(BisyncAttributes.STALE, String.valueOf(tally.stale()));
        attributes.put(BisyncAttributes.CONFLICTS, String.valueOf(tally.of(Outcome.HELD_FOR_REVIEW)));
        attributes.put(BisyncAttributes.FAILED, String.valueOf(tally.failed()));
        attributes.put(CONFLICTS_WON, String.valueOf(tally.of(Outcome.CONFLICT_WON)));
        attributes.put(CONFLICTS_LOST, String.valueOf(tally.of(Outcome.CONFLICT_LOST)));
        attributes.put(NEAR_TIES, String.valueOf(tally.nearTies()));
        return attributes;
    }
}
