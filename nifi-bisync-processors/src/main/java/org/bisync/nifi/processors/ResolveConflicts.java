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
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.change.KeyCodec;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.resolve.BatchResolution;
import org.bisync.nifi.resolve.ExtraTargetRows;
import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.resolve.Outcome;
import org.bisync.nifi.resolve.Verdict;
import org.bisync.nifi.schema.NotInstalledException;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncKeyAgreement;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
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
        + "'expected_version' into every record for ApplyBidirectionalChanges.")
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
    private volatile long nearTieMicros;
    private volatile SyncKeyAgreement keyAgreement;
    private volatile SyncedTableCache tables;

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

    private volatile DecisionAcks acks;

    /**
     * How long a target may lack its installation before that is an error: when a group starts for the first time, the
     * target's own CaptureTriggerHistory installs it within seconds, while the other side's initial load may already
     * be here. Until then a warning says the changes wait.
     */
    static final long NOT_INSTALLED_GRACE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** When the target was first found without its installation, in {@link #nanoTime()}; null while it has one. */
    private volatile Long notInstalledSince;

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
        nearTieMicros = context.getProperty(NEAR_TIE_TOLERANCE).asTimePeriod(TimeUnit.MICROSECONDS);
        tables = null; // resolved again against the database: its tables may have changed while stopped
        keyAgreement = null;
        notInstalledSince = null;
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
        BatchResolution.Result resolved = new BatchResolution.Result(List.of(), List.of());
        List<ChangeRecord> extraRowDeletes = List.of();
        long started = System.nanoTime();
        for (int retry = 1; !pending.isEmpty(); retry++) {
            try (Connection connection = pool.getConnection()) {
                SyncedTableCache cache = cache(connection);
                resolved = new BatchResolution(new VersionOrder(topology::rank), targetSystem, nearTieMicros).resolve(connection, cache, pending);
                extraRowDeletes = extraTargetRows(connection, cache, byTable, flowFile);
                notInstalledSince = null;
                break;
            } catch (NotInstalledException e) {
                // the target lacks its installation: nothing can be decided until it is there; the FlowFile waits
                long now = nanoTime();
                if (notInstalledSince == null) {
                    notInstalledSince = now;
                }
                if (now - notInstalledSince < NOT_INSTALLED_GRACE_NANOS) {
                    getLogger().warn("Cannot decide {} into system '{}' yet, it stays queued and is retried (its capture may still be "
                            + "installing it): {}", flowFile, targetSystem, e.getMessage());
                } else {
                    getLogger().error("Cannot decide {} into system '{}', it stays queued and is retried: {}", flowFile, targetSystem,
                            e.getMessage());
                }
                session.rollback(true);
                context.yield();
                return;
            } catch (SQLException | ProcessException e) {
                if (transientError(e) && TransientRetry.DEFAULT.awaitRetry(started, retry)) {
                    continue; // a transient error (a lost connection, a lock timeout) is read again at once, within about a second
                }
                // nothing was decided: the whole FlowFile waits and is read again, against the tables as they are then
                // (a column dropped or added in the target fails the read until the cache is refreshed)
                SyncedTableCache used = tables;
                tables = null;
                keyAgreement = null;
                String error = e instanceof SQLException sql
                        ? (used == null ? DatabaseErrors.generic(sql) : used.dialect().errors().describe(sql)) : e.getMessage();
                getLogger().error("Cannot read the versions of target '{}' for {}; it stays queued and is retried: {}",
                        targetSystem, flowFile, error);
                session.rollback(true);
                context.yield();
                return;
            }
        }
        resolved.failed().forEach(f -> failed.add(ChangeRecordIO.withError(raw.get(f.index()), f.error())));
        Tally tally = new Tally();
        List<Record> success = new ArrayList<>();
        List<Record> conflicts = new ArrayList<>();
        List<String> conflictNotes = new ArrayList<>();
        List<ChangeRecord> stale = new ArrayList<>();
        for (BatchResolution.Decided decided : resolved.decided()) {
            ChangeRecord change = decided.change();
            Verdict verdict = decided.verdict();
            tally.add(verdict);
            switch (verdict.outcome().decision()) {
                case APPLY, MERGE -> success.add(schema.toRecord(change));
                case CONFLICT -> {
                    conflicts.add(schema.toRecord(change));
                    if (conflictNotes.size() < 10) {
                        conflictNotes.add(decided.table() + change.key + " incoming " + change.version + " vs target " + change.targetVersion);
                    }
                }
                case STALE -> stale.add(change); // removed; counted and acknowledged
            }
            if (verdict.nearTie() || verdict.outcome() == Outcome.CONFLICT_LOST || verdict.outcome() == Outcome.CONFLICT_WON) {
                getLogger().debug("{} {}: {}{}", decided.table(), ChangeRecord.keyColumns(change.key), verdict.reason(),
                        verdict.nearTie() ? " (near-tie)" : "");
            }
        }
        extraRowDeletes.forEach(delete -> success.add(schema.toRecord(delete)));
        tally.extraRowsDeleted = extraRowDeletes.size();
        acks.acknowledge(service, targetSystem, stale);
        tally.replays = replayed;
        tally.failed = failed.size();
        tally.count(session);
        Map<String, String> attributes = tally.attributes(targetSystem);
        RoutedOutputs outputs = new RoutedOutputs(session, flowFile, writerFactory, getLogger());
        outputs.removeAttributes(Set.of(BisyncAttributes.REASON));
        if (!success.isEmpty()) {
            outputs.send(SUCCESS, schema.schema(), success, attributes, tally.describe());
        }
        if (!conflicts.isEmpty()) {
            Map<String, String> conflictAttributes = new HashMap<>(attributes);
            String reason = conflicts.size() + " conflicts held for review: " + String.join("; ", conflictNotes);
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

    private boolean transientError(Exception e) {
        SyncedTableCache cache = tables;
        return cache != null && e instanceof SQLException sql && cache.dialect().apply().isTransient(sql);
    }

    private SyncedTableCache cache(Connection connection) throws SQLException {
        SyncedTableCache cache = tables;
        if (cache == null) {
            Dialect dialect = Dialects.forConnection(connection);
            cache = new SyncedTableCache(topology, targetSystem, dialect);
            tables = cache;
        }
        return cache;
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
        for (java.util.Iterator<Map.Entry<String, List<ChangeRecordIO.Incoming>>> it = byTable.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, List<ChangeRecordIO.Incoming>> table = it.next();
            Optional<String> refusal;
            try {
                refusal = agreement.refusal(table.getKey());
            } catch (SQLException e) {
                getLogger().debug("Cannot compare the key types of table {} across the systems yet: {}", table.getKey(), e.getMessage());
                continue;
            }
            if (refusal.isPresent()) {
                table.getValue().forEach(r -> failed.add(ChangeRecordIO.withError(r.raw(), "Record " + r.index() + ": " + refusal.get())));
                it.remove();
            }
        }
    }

    private Connection openSystem(String system) throws SQLException {
        try {
            return service.getConnectionPool(system).getConnection();
        } catch (ProcessException | IllegalArgumentException e) {
            throw new SQLException("Cannot reach system '" + system + "': " + e.getMessage(), e);
        }
    }

    /**
     * For a page of a one-way table's initial load, where the table says its target's extra rows go: DELETE changes for
     * the rows the target holds in the page's key range that the source lacks (see {@link ExtraTargetRows}).
     */
    private List<ChangeRecord> extraTargetRows(Connection connection, SyncedTableCache cache, Map<String, List<ChangeRecordIO.Incoming>> byTable,
                                               FlowFile flowFile) throws SQLException {
        List<ChangeRecord> deletes = new ArrayList<>();
        for (Map.Entry<String, List<ChangeRecordIO.Incoming>> entry : byTable.entrySet()) {
            TableSettings settings = topology.table(entry.getKey()).orElse(null);
            if (settings == null || !settings.deleteTargetExtraRows() || settings.flowsFrom(targetSystem)) {
                continue;
            }
            List<ChangeRecord> page = entry.getValue().stream().map(ChangeRecordIO.Incoming::change)
                    .filter(c -> c.operation == Operation.SNAPSHOT).toList();
            if (page.isEmpty()) {
                continue;
            }
            SyncedTable table;
            try {
                table = cache.installedTable(connection, entry.getKey());
            } catch (SchemaMismatchException e) {
                continue; // its records failed with the reason already
            }
            List<String> keyFields = table.keyColumns().stream().map(SyncedColumn::canonical).toList();
            Set<KeyValues> pageKeys = new java.util.HashSet<>();
            entry.getValue().forEach(incoming -> pageKeys.add(KeyValues.of(incoming.change().key, keyFields)));
            String after = flowFile.getAttribute(BisyncAttributes.SNAPSHOT_AFTER);
            String last = flowFile.getAttribute(BisyncAttributes.SNAPSHOT_LAST);
            for (ChangeRecord delete : new ExtraTargetRows(cache.dialect()).deletes(connection, table, settings.source(),
                    after == null ? null : KeyCodec.decode(after), last == null ? null : KeyCodec.decode(last), pageKeys,
                    System.currentTimeMillis() * 1000L)) {
                delete.table = page.get(0).table;
                deletes.add(delete);
            }
        }
        return deletes;
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

    /** Counts of one FlowFile's outcomes. */
    private static final class Tally {
        final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        int nearTies;
        int failed;
        int replays; // already decided by the target, replayed: stale
        int extraRowsDeleted; // a one-way target's rows the source lacks at the initial load

        void add(Verdict verdict) {
            outcomes.merge(verdict.outcome(), 1, Integer::sum);
            if (verdict.nearTie()) {
                nearTies++;
            }
        }

        int of(Outcome outcome) {
            return outcomes.getOrDefault(outcome, 0);
        }

        int applied() {
            return of(Outcome.FAST_FORWARDED) + of(Outcome.CONFLICT_WON) + of(Outcome.RESOLUTION_PASSED);
        }

        int stale() {
            return of(Outcome.STALE) + of(Outcome.CONFLICT_LOST) + replays;
        }

        void count(ProcessSession session) {
            adjust(session, COUNTER_FAST_FORWARDED, of(Outcome.FAST_FORWARDED));
            adjust(session, COUNTER_WON, of(Outcome.CONFLICT_WON));
            adjust(session, COUNTER_LOST, of(Outcome.CONFLICT_LOST));
            adjust(session, COUNTER_MERGED, of(Outcome.MERGED));
            adjust(session, COUNTER_HELD, of(Outcome.HELD_FOR_REVIEW));
            adjust(session, COUNTER_STALE, stale());
            adjust(session, COUNTER_NEAR_TIES, nearTies);
            adjust(session, COUNTER_RESOLUTIONS, of(Outcome.RESOLUTION_PASSED));
            adjust(session, COUNTER_FAILED, failed);
            adjust(session, COUNTER_EXTRA_DELETED, extraRowsDeleted);
        }

        private static void adjust(ProcessSession session, String counter, int delta) {
            if (delta > 0) {
                session.adjustCounter(counter, delta, false);
            }
        }

        Map<String, String> attributes(String target) {
            Map<String, String> attributes = new HashMap<>();
            attributes.put(BisyncAttributes.TARGET_SYSTEM, target);
            attributes.put(BisyncAttributes.APPLIED, String.valueOf(applied()));
            attributes.put(BisyncAttributes.MERGED, String.valueOf(of(Outcome.MERGED)));
            attributes.put(BisyncAttributes.STALE, String.valueOf(stale()));
            attributes.put(BisyncAttributes.CONFLICTS, String.valueOf(of(Outcome.HELD_FOR_REVIEW)));
            attributes.put(BisyncAttributes.FAILED, String.valueOf(failed));
            attributes.put(CONFLICTS_WON, String.valueOf(of(Outcome.CONFLICT_WON)));
            attributes.put(CONFLICTS_LOST, String.valueOf(of(Outcome.CONFLICT_LOST)));
            attributes.put(NEAR_TIES, String.valueOf(nearTies));
            return attributes;
        }

        String describe() {
            return "applied " + applied() + " (fast-forwarded " + of(Outcome.FAST_FORWARDED) + ", conflicts won "
                    + of(Outcome.CONFLICT_WON) + ", reviewed resolutions " + of(Outcome.RESOLUTION_PASSED) + "), merged "
                    + of(Outcome.MERGED) + ", removed as stale " + stale() + " (conflicts lost " + of(Outcome.CONFLICT_LOST)
                    + ", replays " + replays + "), extra target rows deleted " + extraRowsDeleted + ", held for review "
                    + of(Outcome.HELD_FOR_REVIEW) + ", failed " + failed + ", near-ties " + nearTies;
        }
    }
}
