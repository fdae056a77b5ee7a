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
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
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
import org.bisync.nifi.apply.ApplyOutcome;
import org.bisync.nifi.apply.ApplyStatus;
import org.bisync.nifi.apply.RetryBackoff;
import org.bisync.nifi.apply.TargetApplier;
import org.bisync.nifi.apply.TransactionLimits;
import org.bisync.nifi.apply.UnknownFields;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

@InputRequirement(InputRequirement.Requirement.INPUT_REQUIRED)
@Stateful(scopes = Scope.LOCAL, description = "Acknowledgements of decided changes that could not be written into their "
        + "source's bisync_ack yet (the source was unreachable): written with the next ones, kept across restarts.")
@Tags({"bisync", "sync", "bidirectional", "replication", "database", "apply", "upsert", "cdc", "conflict"})
@CapabilityDescription("Writes change records (as captured by CaptureTriggerHistory and decided by ResolveConflicts) into the "
        + "target system's database in short transactions (bounded by keys and by Maximum Transaction Duration), with "
        + "multi-row statements, locking rows in the order the capture triggers do (a row before its version row, in key "
        + "order), so the applications' own writes never deadlock with it. Every write is "
        + "conditional on versions: a change is written only when its version is greater than the target's (so duplicates, "
        + "echoes and late older changes change nothing), merges and review resolutions compare-and-set on the version "
        + "they were decided against. The transaction carries the origin marker so the target's triggers do not capture "
        + "the sync's own writes; the version rows and data rows are read back and checked before COMMIT. Bad records fail "
        + "alone, foreign-key violations go to retry (counted, with exponential back-off), transient errors (deadlock, lock "
        + "timeout) are retried in place within about a second and go to retry only when they persist, lost "
        + "compare-and-sets to re-resolve. Past the Foreign Key Retry Limit, a parent deleted on one side while a child of it "
        + "was written on the other is settled by the greater version, identically on both sides.")
@ReadsAttributes({
        @ReadsAttribute(attribute = BisyncAttributes.TABLE, description = "Informational; the table of each record is read from its 'table' field."),
        @ReadsAttribute(attribute = BisyncAttributes.RETRY_COUNT, description = "How often the records were sent to retry before; "
                + "at the Foreign Key Retry Limit, foreign-key conflicts are settled."),
        @ReadsAttribute(attribute = BisyncAttributes.RETRY_NOT_BEFORE, description = "Epoch millis before which the FlowFile goes "
                + "back to retry (penalized) without touching the database.")
})
@WritesAttributes({
        @WritesAttribute(attribute = BisyncAttributes.TABLE, description = "The table of the records (when the FlowFile held one table)."),
        @WritesAttribute(attribute = BisyncAttributes.TARGET_SYSTEM, description = "The system the changes were applied to."),
        @WritesAttribute(attribute = BisyncAttributes.REASON, description = "On failure, retry and re-resolve, and on the success "
                + "FlowFile of settled foreign-key conflicts: why (the first record's reason)."),
        @WritesAttribute(attribute = BisyncAttributes.APPLIED, description = "How many records of the incoming FlowFile were applied."),
        @WritesAttribute(attribute = BisyncAttributes.STALE, description = "How many were stale (dropped: the target already held them or newer)."),
        @WritesAttribute(attribute = BisyncAttributes.FAILED, description = "How many failed."),
        @WritesAttribute(attribute = BisyncAttributes.SETTLED, description = "On the success FlowFile of settled foreign-key conflicts: "
                + "how many records it holds; each record's 'error' field says what was decided."),
        @WritesAttribute(attribute = BisyncAttributes.RETRY_COUNT, description = "On retry: the incoming count plus one (removed from "
                + "the other relationships)."),
        @WritesAttribute(attribute = BisyncAttributes.RETRY_NOT_BEFORE, description = "On retry: epoch millis before which the "
                + "FlowFile is not tried again: now + Retry Back-off Base * 2^(count-1), at most Retry Back-off Maximum."),
        @WritesAttribute(attribute = BisyncAttributes.LATENCY_MILLIS,
                description = "On success: milliseconds from the capture of the newest applied change to its apply."),
        @WritesAttribute(attribute = BisyncAttributes.RECORD_COUNT, description = "Records in the FlowFile."),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "The record writer's MIME type.")
})
@SeeAlso({ResolveConflicts.class, CaptureTriggerHistory.class, PurgeTombstones.class, AuditSyncConsistency.class})
public class ApplyBidirectionalChanges extends AbstractProcessor implements TimerClockAware {

    public static final PropertyDescriptor MAX_RECORDS_PER_STATEMENT = new PropertyDescriptor.Builder()
            .name("Max Records Per Statement")
            .description("How many rows one multi-row upsert writes, and how many keys one version read locks. Larger batches "
                    + "are faster up to the engine's parameter limits (PostgreSQL allows 65535 parameters per statement).")
            .required(true)
            .defaultValue("500")
            .addValidator(StandardValidators.createLongValidator(1, 10_000, true))
            .build();

    public static final PropertyDescriptor MAX_TRANSACTION_DURATION = new PropertyDescriptor.Builder()
            .name("Maximum Transaction Duration")
            .description("How long one apply transaction should hold its row locks, which the applications' own writes of "
                    + "the same rows wait behind. The records of a FlowFile are applied in transactions of at most Max Records "
                    + "Per Statement keys each; when a table's transactions take longer than this, its next ones take fewer "
                    + "keys (sized to about half of it at the rate just measured, never below 50), and more again while twice "
                    + "the keys would stay within it, or a quarter more while they stay under three quarters of it. When even "
                    + "transactions of 50 keys take longer (round trips, not rows, take the time on a busy database), the bound is "
                    + "twice what they take, at most ten times this. 0 sec: limited by keys only.")
            .required(true)
            .defaultValue("100 millis")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor FOREIGN_KEY_RETRY_LIMIT = new PropertyDescriptor.Builder()
            .name("Foreign Key Retry Limit")
            .description("How many times a record that violates a foreign key goes to retry (its parent may still be on its way) "
                    + "before a conflict between a parent deleted on one system and a child written on another is settled by "
                    + "the greater version: the newer delete removes the children with it, or the newer child keeps the parent "
                    + "and sends it back. Settled records go to success with attribute bisync.settled. 0 settles at the first "
                    + "violation.")
            .required(true)
            .defaultValue("10")
            .addValidator(StandardValidators.createLongValidator(0, 1_000, true))
            .build();

    public static final PropertyDescriptor RETRY_BACKOFF_BASE = new PropertyDescriptor.Builder()
            .name("Retry Back-off Base")
            .description("How long records sent to retry wait before their first retry; each further retry waits twice as long, "
                    + "up to Retry Back-off Maximum. A FlowFile that comes back earlier goes to retry again, penalized, without "
                    + "touching the database.")
            .required(true)
            .defaultValue("1 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor RETRY_BACKOFF_MAX = new PropertyDescriptor.Builder()
            .name("Retry Back-off Maximum")
            .description("The longest wait between two retries of the same records.")
            .required(true)
            .defaultValue("10 min")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final Relationship SUCCESS = new Relationship.Builder().name("success")
            .description("The records that were applied (their transaction committed), and, in a FlowFile of their own with "
                    + "attribute bisync.settled, the records whose foreign-key conflict was settled past the retry limit. When "
                    + "it is auto-terminated, the applied records are not written out again: its FlowFile shares the incoming "
                    + "content (attribute bisync.applied says how many of them were applied).").build();
    public static final Relationship FAILURE = new Relationship.Builder().name("failure")
            .description("Records that cannot be applied as they are, each with an 'error' field naming the record and the field: "
                    + "a value the target cannot hold, a broken validation rule, an unresolved conflict, a refused table, a "
                    + "database error on that record. Fix and route back, or inspect.").build();
    public static final Relationship RETRY = new Relationship.Builder().name("retry")
            .description("Records worth trying again: a transient database error (connection lost, deadlock, lock timeout) "
                    + "that persisted through the retries in place of about a second (the records of that transaction, nothing "
                    + "of them applied) or a foreign-key violation (that record alone; its parent may still be "
                    + "on its way), or the records of a table whose nifi-bisync installation is missing in the target (its version "
                    + "table or the bisync tables; the reason says what to install). Penalized, with bisync.retry.count and "
                    + "bisync.retry.not-before; loop it back to this processor.").build();
    public static final Relationship RE_RESOLVE = new Relationship.Builder().name("re-resolve")
            .description("Merges and review resolutions whose compare-and-set lost: the target changed after the decision. "
                    + "Wire back to ResolveConflicts, never to plain retry.").build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(BisyncProperties.SYNC_TOPOLOGY, BisyncProperties.TARGET_SYSTEM,
            BisyncProperties.RECORD_READER, BisyncProperties.RECORD_WRITER, MAX_RECORDS_PER_STATEMENT, MAX_TRANSACTION_DURATION, FOREIGN_KEY_RETRY_LIMIT,
            RETRY_BACKOFF_BASE, RETRY_BACKOFF_MAX);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(SUCCESS, FAILURE, RETRY, RE_RESOLVE);

    static final String COUNTER_APPLIED = "Changes applied";
    static final String COUNTER_STALE = "Changes stale";
    static final String COUNTER_FAILED = "Changes failed";
    static final String COUNTER_RETRIED = "Changes retried";
    static final String COUNTER_RE_RESOLVED = "Changes re-resolved";
    static final String COUNTER_SETTLED = "Foreign Key Conflicts Settled";
    static final String COUNTER_UNKNOWN_FIELDS = "Unknown field values dropped";
    private static final Set<String> RETRY_ATTRIBUTES = Set.of(BisyncAttributes.RETRY_COUNT, BisyncAttributes.RETRY_NOT_BEFORE);

    /** The target's tables and two-way key checks, kept across FlowFiles; renewed when scheduled. */
    private volatile TargetApplier applier;
    /** Keys per transaction, per table, adapted to Maximum Transaction Duration across FlowFiles. */
    private volatile TransactionLimits transactionLimits;
    /** Per table, the unknown fields already warned about. */
    private final Map<String, Set<String>> unknownFieldsSeen = new ConcurrentHashMap<>();

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
        long base = context.getProperty(RETRY_BACKOFF_BASE).asTimePeriod(TimeUnit.MILLISECONDS);
        long max = context.getProperty(RETRY_BACKOFF_MAX).asTimePeriod(TimeUnit.MILLISECONDS);
        if (max < base) {
            results.add(new ValidationResult.Builder().subject(RETRY_BACKOFF_MAX.getName()).valid(false)
                    .explanation("Retry Back-off Maximum (" + max + " ms) is shorter than Retry Back-off Base (" + base + " ms)").build());
        }
        TopologyValidation.checkSystem(context, BisyncProperties.TARGET_SYSTEM, results);
        return results;
    }

    private volatile DecisionAcks acks;

    /** Writes the acknowledgements that still wait, so a stop leaves as few as possible behind. */
    @OnStopped
    public void flushAcknowledgements() {
        if (acks != null) {
            acks.flush();
        }
    }

    /** The clock of the retry back-off, epoch millis. */
    private volatile LongSupplier timerClock = System::currentTimeMillis;

    @Override
    public void setTimerClock(LongSupplier epochMillis) {
        this.timerClock = epochMillis;
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) {
        acks = new DecisionAcks(context.getStateManager(), getLogger());
        applier = null; // the tables' columns may have changed while stopped
        transactionLimits = new TransactionLimits(context.getProperty(MAX_RECORDS_PER_STATEMENT).asInteger(),
                context.getProperty(MAX_TRANSACTION_DURATION).asTimePeriod(TimeUnit.MILLISECONDS));
        unknownFieldsSeen.clear();
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        FlowFile flowFile = session.get();
        if (flowFile == null) {
            return;
        }
        RetryState retryState = RetryState.of(flowFile);
        if (!retryState.due(timerClock.getAsLong())) {
            // its back-off has not ended: back to retry as it is, without touching the database
            session.transfer(session.penalize(flowFile), RETRY);
            return;
        }
        boolean settle = retryState.count() >= context.getProperty(FOREIGN_KEY_RETRY_LIMIT).asInteger();
        RetryBackoff backoff = new RetryBackoff(context.getProperty(RETRY_BACKOFF_BASE).asTimePeriod(TimeUnit.MILLISECONDS),
                context.getProperty(RETRY_BACKOFF_MAX).asTimePeriod(TimeUnit.MILLISECONDS));
        SyncTopologyService service = context.getProperty(BisyncProperties.SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        RecordReaderFactory reader = context.getProperty(BisyncProperties.RECORD_READER).asControllerService(RecordReaderFactory.class);
        RecordSetWriterFactory writer = context.getProperty(BisyncProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class);
        String target = context.getProperty(BisyncProperties.TARGET_SYSTEM).getValue();
        int maxRows = context.getProperty(MAX_RECORDS_PER_STATEMENT).asInteger();
        SyncTopology topology = service.getTopology();

        ChangeRecordIO.Batch batch;
        ChangeRecordSchema schema;
        try {
            batch = ChangeRecordIO.read(session, flowFile, reader, getLogger());
            schema = ChangeRecordSchema.fromIncoming(batch.schema());
            topology.system(target);
        } catch (ProcessException | InvalidChangeException | IllegalArgumentException e) {
            getLogger().error("Cannot apply {}: {}", flowFile, e.getMessage());
            session.adjustCounter(COUNTER_FAILED, 1, false);
            session.transfer(withoutRetryAttributes(session, session.putAttribute(flowFile, BisyncAttributes.REASON, e.getMessage())), FAILURE);
            return;
        }

        List<Record> unreadable = new ArrayList<>();
        Map<String, List<ChangeRecord>> byTable = new LinkedHashMap<>();
        for (ChangeRecordIO.Incoming incoming : batch.records()) {
            if (incoming.valid()) {
                byTable.computeIfAbsent(incoming.change().table, t -> new ArrayList<>()).add(incoming.change());
            } else {
                unreadable.add(ChangeRecordIO.withError(incoming.raw(), incoming.error().getMessage()));
            }
        }
        List<ApplyOutcome> replays = withoutDecidedReplays(service, target, byTable);
        List<ApplyOutcome> outcomes = applyAll(session, service, topology, target, maxRows, byTable, settle);
        acks.acknowledge(service, target, outcomes.stream()
                .filter(o -> o.status().isDecided()).map(ApplyOutcome::change).toList());
        outcomes.addAll(replays);

        Map<ApplyStatus, List<ApplyOutcome>> routed = new EnumMap<>(ApplyStatus.class);
        outcomes.forEach(o -> routed.computeIfAbsent(o.status(), s -> new ArrayList<>()).add(o));
        String table = byTable.size() == 1 ? byTable.keySet().iterator().next() : null;
        Map<String, String> common = new HashMap<>();
        common.put(BisyncAttributes.TARGET_SYSTEM, target);
        if (table != null) {
            common.put(BisyncAttributes.TABLE, table);
        }
        int applied = size(routed, ApplyStatus.APPLIED);
        int stale = size(routed, ApplyStatus.STALE);
        int failed = size(routed, ApplyStatus.FAILED) + unreadable.size();
        int retry = size(routed, ApplyStatus.RETRY);
        int reResolve = size(routed, ApplyStatus.RE_RESOLVE);
        int settled = size(routed, ApplyStatus.SETTLED);
        String details = "applied " + applied + ", stale " + stale + ", failed " + failed + ", retry " + retry + ", re-resolve " + reResolve
                + (settled == 0 ? "" : ", foreign-key conflicts settled " + settled)
                        + " into system '" + target + "'" + (table == null ? "" : " table '" + table + "'");

        if (applied > 0) {
            List<ApplyOutcome> ok = routed.get(ApplyStatus.APPLIED);
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.APPLIED, String.valueOf(applied));
            attributes.put(BisyncAttributes.STALE, String.valueOf(stale));
            attributes.put(BisyncAttributes.FAILED, String.valueOf(failed));
            long newest = ok.stream().mapToLong(o -> o.change().capturedAt).max().orElse(0L);
            if (newest > 0) {
                attributes.put(BisyncAttributes.LATENCY_MILLIS, String.valueOf(Math.max(0L, System.currentTimeMillis() - newest / 1000L)));
            }
            FlowFile success;
            if (successDiscarded(context)) {
                // nobody reads them: a clone shares the incoming content (the applied records among the stale ones)
                // instead of writing the applied ones again; the provenance event still shows what came in
                success = withoutRetryAttributes(session, session.putAllAttributes(session.clone(flowFile), attributes));
            } else {
                success = withoutRetryAttributes(session, ChangeRecordIO.write(session, flowFile, writer, schema.schema(),
                        ok.stream().map(o -> schema.toRecord(o.change())).toList(), attributes, getLogger()));
            }
            session.getProvenanceReporter().send(success, "bisync://" + target + "/" + (table == null ? "" : table), details);
            session.transfer(success, SUCCESS);
        }
        if (settled > 0) {
            List<ApplyOutcome> list = routed.get(ApplyStatus.SETTLED);
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.SETTLED, String.valueOf(settled));
            attributes.put(BisyncAttributes.REASON, list.get(0).reason());
            FlowFile settledFlowFile = withoutRetryAttributes(session, ChangeRecordIO.write(session, flowFile, writer, schema.schema(),
                    list.stream().map(o -> schema.toFailedRecord(o.change(), o.reason())).toList(), attributes, getLogger()));
            session.getProvenanceReporter().send(settledFlowFile, "bisync://" + target + "/" + (table == null ? "" : table),
                    settled + " foreign-key conflict(s) settled past the retry limit; first: " + list.get(0).reason());
            session.transfer(settledFlowFile, SUCCESS);
            getLogger().warn("{} foreign-key conflict(s) settled in system '{}'; first: {}", settled, target, list.get(0).reason());
        }
        route(session, flowFile, writer, schema, routed.get(ApplyStatus.FAILED), unreadable, common, FAILURE, true);
        Map<String, String> retryAttributes = new HashMap<>(common);
        retryAttributes.putAll(retryState.next(backoff, timerClock.getAsLong()));
        route(session, flowFile, writer, schema, routed.get(ApplyStatus.RETRY), List.of(), retryAttributes, RETRY, false);
        route(session, flowFile, writer, schema, routed.get(ApplyStatus.RE_RESOLVE), List.of(), common, RE_RESOLVE, false);

        session.adjustCounter(COUNTER_APPLIED, applied, false);
        session.adjustCounter(COUNTER_STALE, stale, false);
        session.adjustCounter(COUNTER_FAILED, failed, false);
        session.adjustCounter(COUNTER_RETRIED, retry, false);
        session.adjustCounter(COUNTER_RE_RESOLVED, reResolve, false);
        session.adjustCounter(COUNTER_SETTLED, settled, false);
        getLogger().debug("{}: {}", flowFile, details);
        // the records travel on in the children; stale records end here (a DROP event of the incoming FlowFile)
        session.remove(flowFile);
    }

    /** Whether 'success' is auto-terminated: then its FlowFiles need no content of their own. */
    boolean successDiscarded(ProcessContext context) {
        return context.isAutoTerminated(SUCCESS);
    }

    /** Takes out the changes the target already decided (replays): STALE, already acknowledged, never applied. */
    private List<ApplyOutcome> withoutDecidedReplays(SyncTopologyService service, String target, Map<String, List<ChangeRecord>> byTable) {
        List<ChangeRecord> all = new ArrayList<>();
        byTable.values().forEach(all::addAll);
        Set<ChangeRecord> decided = DecidedReplays.find(service, target, all, getLogger());
        if (decided.isEmpty()) {
            return new ArrayList<>();
        }
        byTable.values().forEach(changes -> changes.removeIf(decided::contains));
        byTable.values().removeIf(List::isEmpty);
        List<ChangeRecord> replayed = all.stream().filter(decided::contains).toList();
        getLogger().warn("{} change(s) already decided by system '{}' were replayed: dropped as stale", replayed.size(), target);
        return TargetApplier.all(replayed, ApplyStatus.STALE, "already decided by the target (a replay)");
    }

    private List<ApplyOutcome> applyAll(ProcessSession session, SyncTopologyService service, SyncTopology topology, String target, int maxRows,
                                        Map<String, List<ChangeRecord>> byTable, boolean settle) {
        TargetApplier current = applier;
        if (current == null || current.topology() != topology || !current.target().equals(target)) {
            current = new TargetApplier(topology, target, system -> connection(service, system), warning -> getLogger().warn(warning),
                    error -> getLogger().error(error));
            applier = current;
        }
        TargetApplier.Result result = current.apply(byTable, maxRows, transactionLimits, settle);
        result.unknownFields().forEach(u -> reportUnknownFields(session, u.table(), u.unknown(), target));
        return new ArrayList<>(result.outcomes());
    }

    private static Connection connection(SyncTopologyService service, String system) throws SQLException {
        try {
            return service.getConnectionPool(system).getConnection();
        } catch (ProcessException | IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    /** Counts the dropped values of unknown fields, and warns once per table and field. */
    private void reportUnknownFields(ProcessSession session, SyncedTable table, UnknownFields unknown, String target) {
        if (unknown.isEmpty()) {
            return;
        }
        session.adjustCounter(COUNTER_UNKNOWN_FIELDS, unknown.values(), false);
        Set<String> seen = unknownFieldsSeen.computeIfAbsent(table.canonicalName(), k -> ConcurrentHashMap.newKeySet());
        List<String> fresh = unknown.names().stream().filter(seen::add).sorted().toList();
        if (!fresh.isEmpty()) {
            getLogger().warn("Changes of table '{}' carry field(s) {} that table '{}' in system '{}' has no column for: their values are "
                    + "dropped (counted in '{}'). Add the column(s) to the target or exclude the field(s) from the sync",
                    table.canonicalName(), fresh, table.localName(), target, COUNTER_UNKNOWN_FIELDS);
        }
    }

    private void route(ProcessSession session, FlowFile parent, RecordSetWriterFactory writer, ChangeRecordSchema schema,
                       List<ApplyOutcome> outcomes, List<Record> unreadable, Map<String, String> common, Relationship relationship,
                       boolean withError) {
        List<ApplyOutcome> list = outcomes == null ? List.of() : outcomes;
        if (!list.isEmpty()) {
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.REASON, list.get(0).reason());
            List<Record> records = list.stream().map(o -> withError ? schema.toFailedRecord(o.change(), o.reason()
                    + (o.field() == null ? "" : " (field '" + o.field() + "')")) : schema.toRecord(o.change())).toList();
            transfer(session, parent, writer, schema.schema(), records, attributes, relationship, list.size());
        }
        if (!unreadable.isEmpty()) {
            Map<String, String> attributes = new HashMap<>(common);
            attributes.put(BisyncAttributes.REASON, String.valueOf(unreadable.get(0).getValue("error")));
            transfer(session, parent, writer, unreadable.get(0).getSchema(), unreadable, attributes, relationship, unreadable.size());
        }
    }

    private void transfer(ProcessSession session, FlowFile parent, RecordSetWriterFactory writer,
                          org.apache.nifi.serialization.record.RecordSchema schema, List<Record> records, Map<String, String> attributes,
                          Relationship relationship, int count) {
        FlowFile child = ChangeRecordIO.write(session, parent, writer, schema, records, attributes, getLogger());
        session.getProvenanceReporter().route(child, relationship, count + " change(s): " + attributes.get(BisyncAttributes.REASON));
        if (relationship == RETRY) {
            child = session.penalize(child);
        } else {
            child = withoutRetryAttributes(session, child);
        }
        session.transfer(child, relationship);
    }

    private static FlowFile withoutRetryAttributes(ProcessSession session, FlowFile flowFile) {
        return session.removeAllAttributes(flowFile, RETRY_ATTRIBUTES);
    }

    private static int size(Map<ApplyStatus, List<ApplyOutcome>> routed, ApplyStatus status) {
        List<ApplyOutcome> list = routed.get(status);
        return list == null ? 0 : list.size();
    }
}
