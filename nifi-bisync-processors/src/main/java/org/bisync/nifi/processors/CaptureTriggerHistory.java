/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.Stateful;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.annotation.lifecycle.OnStopped;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.DataUnit;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.bisync.nifi.capture.CaptureLease;
import org.bisync.nifi.capture.CaptureMaintenance;
import org.bisync.nifi.capture.CapturePoll;
import org.bisync.nifi.capture.InitialLoad;
import org.bisync.nifi.capture.PendingRelease;
import org.bisync.nifi.capture.ViewPoller;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

@Tags({"bisync", "cdc", "change data capture", "trigger", "history", "database", "sync", "replication"})
@CapabilityDescription("Captures the changes of a system's synced tables from the history table its triggers fill. "
        + "Installs and maintains the triggers (or only verifies them), reads every unreleased change whatever its "
        + "commit order (gap-free, at-least-once), and emits one FlowFile of change records per table and batch, in "
        + "capture order, with the table's own column types. Released history rows are kept for the configured "
        + "retention, unread ones always. Also measures the database clock against NiFi's and keeps the triggers' clock "
        + "correction, and can emit the existing rows of each table as SNAPSHOT changes for an initial load.")
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@PrimaryNodeOnly
@TriggerSerially
@Stateful(scopes = Scope.CLUSTER, description = "The history ids emitted in the last committed session, released in the "
        + "database at the next run (so a restart never loses nor, normally, repeats a change), and the tables whose "
        + "position of an initial load (the last key emitted) and the tables whose initial load is done.")
@WritesAttributes({
        @WritesAttribute(attribute = BisyncAttributes.TABLE, description = "The table's canonical name"),
        @WritesAttribute(attribute = BisyncAttributes.SOURCE_SYSTEM, description = "The system the changes were captured from"),
        @WritesAttribute(attribute = BisyncAttributes.RECORD_COUNT, description = "Number of change records"),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "The Record Writer's MIME type"),
        @WritesAttribute(attribute = BisyncAttributes.FIRST_SEQUENCE, description = "The first history id in the FlowFile"),
        @WritesAttribute(attribute = BisyncAttributes.LAST_SEQUENCE, description = "The last history id in the FlowFile"),
        @WritesAttribute(attribute = BisyncAttributes.CLOCK_OFFSET, description = "The database clock minus NiFi's, in microseconds, at the last measurement"),
        @WritesAttribute(attribute = BisyncAttributes.SNAPSHOT_AFTER, description = "On a page of the initial load: the key "
                + "(encoded) the page starts after; absent on the first page"),
        @WritesAttribute(attribute = BisyncAttributes.SNAPSHOT_LAST, description = "On a page of the initial load: the key "
                + "(encoded) of its last row; absent on the last page, which reaches the end of the table"),
        @WritesAttribute(attribute = BisyncAttributes.REASON, description = "On failure: why the history rows could not be decoded")
})
@SeeAlso({PreventLoops.class, ResolveConflicts.class, ApplyBidirectionalChanges.class, ManageSyncTriggers.class, PurgeTombstones.class})
public class CaptureTriggerHistory extends AbstractProcessor implements TimerClockAware {

    static final AllowableValue INSTALL = new AllowableValue("Install and Maintain", "Install and Maintain",
            "Creates the bisync tables, version tables and triggers when missing, and rebuilds a table's triggers when its "
                    + "columns or its sync settings change, or when one of them is found dropped or disabled (with a warning "
                    + "naming it). Users' writes during a rebuild are all captured.");
    static final AllowableValue VERIFY = new AllowableValue("Verify Only", "Verify Only",
            "Never changes the database: refuses to start, naming what is missing or outdated, unless a DBA installed "
                    + "exactly what this configuration needs (see ManageSyncTriggers' Generate SQL), and stops at a maintenance "
                    + "run, naming it, when that changes or a trigger is dropped or disabled.");

    static final AllowableValue LOAD_NONE = new AllowableValue("None", "None", "Capture only changes made from now on.");
    static final AllowableValue LOAD_EXISTING = new AllowableValue("Existing Rows", "Existing Rows",
            "Once per table, emit every existing row as a SNAPSHOT change (streamed), then go on with the changes.");

    public static final PropertyDescriptor SYNC_TOPOLOGY = BisyncProperties.SYNC_TOPOLOGY;
    public static final PropertyDescriptor SYSTEM_ID = BisyncProperties.SOURCE_SYSTEM;
    public static final PropertyDescriptor RECORD_WRITER = BisyncProperties.RECORD_WRITER;

    public static final PropertyDescriptor MAX_CHANGES_PER_FLOWFILE = new PropertyDescriptor.Builder()
            .name("Max Changes Per FlowFile")
            .description("The most change records one FlowFile holds.")
            .required(true).defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_CHANGES_PER_POLL = new PropertyDescriptor.Builder()
            .name("Max Changes Per Poll")
            .description("The most history rows read in one run; the rest are read in the next runs.")
            .required(true).defaultValue("50000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_BYTES_PER_POLL = new PropertyDescriptor.Builder()
            .name("Max Bytes Per Poll")
            .description("The most history read in one run, measured as the text of its row images (key, before, after): "
                    + "wide rows are read in fewer per run, the rest in the next runs. A single row larger than this is "
                    + "still read, alone. Bounds the memory a run takes together with Max Changes Per Poll.")
            .required(true).defaultValue("32 MB")
            .addValidator(StandardValidators.DATA_SIZE_VALIDATOR)
            .build();

    public static final PropertyDescriptor TRIGGER_MANAGEMENT = new PropertyDescriptor.Builder()
            .name("Trigger Management")
            .description("Whether this processor installs and maintains the triggers or only verifies them.")
            .required(true).allowableValues(INSTALL, VERIFY).defaultValue(INSTALL.getValue())
            .build();

    public static final PropertyDescriptor HISTORY_RETENTION = new PropertyDescriptor.Builder()
            .name("History Retention")
            .description("How long released history rows are kept (for audit or replay) once every system they travel to "
                    + "has acknowledged them (ApplyBidirectionalChanges, ResolveConflicts and PreventLoops acknowledge what "
                    + "they decided). 0 sec deletes them at the next maintenance run after the last acknowledgement. "
                    + "Unreleased and unacknowledged rows are never removed, whatever this says: a target that is down holds "
                    + "the history back, as tombstone purge needs.")
            .required(true).defaultValue("0 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor INITIAL_LOAD = new PropertyDescriptor.Builder()
            .name("Initial Load")
            .description("Whether to emit the rows that exist when capture starts.")
            .required(true).allowableValues(LOAD_NONE, LOAD_EXISTING).defaultValue(LOAD_NONE.getValue())
            .build();

    public static final PropertyDescriptor UNACKNOWLEDGED_WARNING = new PropertyDescriptor.Builder()
            .name("Unacknowledged History Warning")
            .description("A bulletin naming the systems that hold released history back is raised when a released row has "
                    + "waited this long beyond the History Retention for their acknowledgement (a target whose flow is stopped, "
                    + "or a system in the topology that no longer syncs). The row is kept whatever this says.")
            .required(true).defaultValue("1 hour")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor CLOCK_CORRECTION = new PropertyDescriptor.Builder()
            .name("Clock Correction")
            .description("Whether to keep the triggers' clock correction so the database clock follows NiFi's (versions of "
                    + "concurrent edits then compare across systems whatever the servers' clocks say).")
            .required(true).allowableValues("true", "false").defaultValue("true")
            .build();

    public static final PropertyDescriptor CLOCK_SLEW = new PropertyDescriptor.Builder()
            .name("Max Clock Correction Step")
            .description("The most the clock correction moves per check, so versions never jump.")
            .required(true).defaultValue("1 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor CLOCK_WARNING = new PropertyDescriptor.Builder()
            .name("Clock Offset Warning")
            .description("A bulletin is raised when the database clock differs from NiFi's by more than this.")
            .required(true).defaultValue("2 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAINTENANCE_INTERVAL = new PropertyDescriptor.Builder()
            .name("Maintenance Interval")
            .description("How often the installation check (a table's columns, its sync settings, and each trigger's "
                    + "presence and enabled state in the catalog: rebuilt in Install and Maintain, capture stopped in Verify "
                    + "Only), the clock check, the backlog gauge and the purge of released history run: at start, then after this "
                    + "interval give or take up to a quarter of it at random, so captures started together do not hold back "
                    + "their polls at the same moment.")
            .required(true).defaultValue("10 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor VIEW_POLL_INTERVAL = new PropertyDescriptor.Builder()
            .name("View Poll Interval")
            .description("How often views configured as one-way sources are compared with what was seen before (each "
                    + "poll reads the whole view: views carry no triggers).")
            .required(true).defaultValue("10 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final PropertyDescriptor LEASE_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Lease Timeout")
            .description("Only one CaptureTriggerHistory may read a system's history: a second one (a copied process group, a "
                    + "second NiFi during a migration) would release changes the first never emitted. The reader that runs holds "
                    + "a lease in the system's bisync_config and renews it at a third of this period; another reader refuses to "
                    + "run, with a bulletin naming the holder, until the holder stops (which gives the lease up) or its heartbeat "
                    + "has stood still for this long. Keep it above the Run Schedule and the longest run of this processor.")
            .required(true).defaultValue("2 min")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();

    public static final Relationship SUCCESS = new Relationship.Builder().name("success")
            .description("Change records, one FlowFile per table and batch, in capture order.").build();
    public static final Relationship FAILURE = new Relationship.Builder().name("failure")
            .description("History rows that could not be decoded (for example of a table no longer configured): a JSON array "
                    + "with, per row, its reason and every column of bisync_history as stored (JSON columns as their raw text), "
                    + "so it can be inspected, repaired and replayed; the first reason is also in bisync.reason. They are "
                    + "released: nothing is lost, it is here.").build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(SYNC_TOPOLOGY, SYSTEM_ID, RECORD_WRITER, MAX_CHANGES_PER_FLOWFILE,
            MAX_CHANGES_PER_POLL, MAX_BYTES_PER_POLL, TRIGGER_MANAGEMENT, HISTORY_RETENTION, UNACKNOWLEDGED_WARNING, INITIAL_LOAD, CLOCK_CORRECTION,
            CLOCK_SLEW, CLOCK_WARNING, MAINTENANCE_INTERVAL, VIEW_POLL_INTERVAL, LEASE_TIMEOUT);
    private static final Set<Relationship> RELATIONSHIPS = Set.of(SUCCESS, FAILURE);

    static final String STATE_PENDING_RELEASE = PendingRelease.STATE_RELEASE;
    static final String STATE_PENDING_DROP = PendingRelease.STATE_DROP;
    static final String STATE_SNAPSHOT_DONE = InitialLoad.STATE_DONE;
    static final String STATE_SNAPSHOT_AFTER = InitialLoad.STATE_AFTER;

    private volatile CaptureSession capture;

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
        TopologyValidation.checkSystem(context, SYSTEM_ID, results);
        return results;
    }

    @OnScheduled
    public void onScheduled(ProcessContext context) throws SQLException {
        SyncTopologyService service = context.getProperty(SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        SyncTopology topology = service.getTopology();
        String systemId = context.getProperty(SYSTEM_ID).getValue();
        topology.system(systemId);
        CaptureSession session = new CaptureSession(service, topology, systemId);
        try (Connection connection = session.connection()) {
            Dialect dialect = Dialects.forConnection(connection);
            session.open(dialect, connection.getMetaData().getURL());
            session.lease(new CaptureLease(dialect.capture(), new CaptureLease.Holder(getIdentifier(), nodeName()),
                    context.getProperty(LEASE_TIMEOUT).asTimePeriod(TimeUnit.MICROSECONDS), this::leaseClockMicros));
            session.maintenance(maintenance(context, session));
            if (installs(context)) {
                session.maintenance().installSharedTables(connection); // where the lease lives
            } else {
                prepare(session, connection); // reads only: refuses at once when the installation is not there
            }
            if (holdsLease(session, connection) && !session.isPrepared()) {
                prepare(session, connection);
            }
        }
        capture = session;
    }

    private static boolean installs(ProcessContext context) {
        return INSTALL.getValue().equals(context.getProperty(TRIGGER_MANAGEMENT).getValue());
    }

    private CaptureMaintenance maintenance(ProcessContext context, CaptureSession session) {
        CaptureMaintenance.Settings settings = new CaptureMaintenance.Settings(installs(context),
                context.getProperty(CLOCK_CORRECTION).asBoolean(),
                context.getProperty(CLOCK_SLEW).asTimePeriod(TimeUnit.MICROSECONDS),
                context.getProperty(HISTORY_RETENTION).asTimePeriod(TimeUnit.MICROSECONDS),
                context.getProperty(UNACKNOWLEDGED_WARNING).asTimePeriod(TimeUnit.MICROSECONDS));
        return new CaptureMaintenance(session.dialect(), session.topology(), session.systemId(), settings,
                CaptureTriggerHistory::nowMicros, this::nifiClockMicros);
    }

    /** What a reader does once, when it first holds the lease: checks the tables, installs or verifies the triggers. */
    private void prepare(CaptureSession session, Connection connection) throws SQLException {
        List<SyncedTable> tables = session.resolveAll(connection);
        reports().unconfigured(session.systemId(), session.maintenance().unconfiguredTables(connection));
        reports().triggers(session.maintenance().installTriggers(connection, tables), session.systemId(), false);
        session.prepared();
    }

    /** Takes or renews the lease; while another reader holds it, says so in a bulletin (once per lease timeout). */
    private boolean holdsLease(CaptureSession session, Connection connection) throws SQLException {
        CaptureLease.Status lease = session.lease().acquire(connection);
        reports().lease(session.systemId(), lease, !lease.held() && session.refusalDue(lease.holder(), leaseClockMicros()));
        return lease.held();
    }

    private CaptureReports reports() {
        return new CaptureReports(getLogger());
    }

    @OnStopped
    public void onStopped() {
        CaptureSession current = capture;
        capture = null;
        if (current == null || current.lease() == null || !current.lease().held()) {
            return;
        }
        try (Connection connection = current.connection()) {
            current.lease().release(connection);
        } catch (SQLException | RuntimeException e) {
            getLogger().warn("Could not give up the capture lease of system {}; another reader takes it over after the Lease Timeout: {}",
                    current.systemId(), e.getMessage());
        }
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        CaptureSession current = capture;
        Map<String, String> newState;
        int emitted = 0;
        try (Connection connection = current.connection()) {
            if (!holdsLease(current, connection)) {
                context.yield();
                return;
            }
            if (!current.isPrepared()) {
                prepare(current, connection);
            }
            newState = readState(session);
            PendingRelease.releasePrevious(connection, current.reader(), newState, nowMicros());
            current.dialect().capture().clearLeftoverOriginMarker(connection);
            maintain(context, session, current, connection);
            CaptureOutput output = new CaptureOutput(session, context.getProperty(RECORD_WRITER).asControllerService(RecordSetWriterFactory.class),
                    current, context.getProperty(MAX_CHANGES_PER_FLOWFILE).asInteger(), getLogger());
            emitted += initialLoad(context, session, current, connection, newState, output);
            CapturePoll.Result result = current.poll().poll(connection, (c, local) -> current.byLocalName(c, local),
                    context.getProperty(MAX_CHANGES_PER_POLL).asInteger(),
                    context.getProperty(MAX_BYTES_PER_POLL).asDataSize(DataUnit.B).longValue());
            result.batches().forEach(batch -> output.changes(batch.table(), batch.changes(), "changes", Map.of()));
            if (!result.failed().isEmpty()) {
                output.undecodable(result.failed());
            }
            emitted += result.emitted() + result.failed().size();
            emitted += pollViews(context, session, current, connection, output);
            PendingRelease.remember(newState, result);
            session.adjustCounter("Changes captured", result.emitted(), false);
            if (result.notSent() > 0) {
                session.adjustCounter("Changes not sent (one-way)", result.notSent(), false);
            }
        } catch (SQLException e) {
            current.tables().invalidate();
            // value-free text; the cause (with the driver's own message) goes to the stack trace only
            throw new ProcessException("Capture from system " + current.systemId() + " failed: " + current.dialect().errors().describe(e), e);
        }
        try {
            session.setState(newState, Scope.CLUSTER);
        } catch (IOException e) {
            throw new ProcessException("Cannot store the processor's cluster state", e);
        }
        if (emitted == 0 && !PendingRelease.any(newState)) {
            context.yield();
        }
    }

    private static Map<String, String> readState(ProcessSession session) {
        try {
            return new HashMap<>(session.getState(Scope.CLUSTER).toMap());
        } catch (IOException e) {
            throw new ProcessException("Cannot read the processor's cluster state", e);
        }
    }

    /** Where this processor runs, for the message of a reader refused the lease. */
    private String nodeName() {
        java.util.Optional<String> node = getNodeTypeProvider() == null ? java.util.Optional.empty() : getNodeTypeProvider().getCurrentNode();
        if (node.isPresent()) {
            return "NiFi node " + node.get();
        }
        try {
            return "NiFi host " + java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown NiFi host";
        }
    }

    /** The clock of the capture lease (NiFi's); tests stand in their own, so no test waits for a lease to go stale. */
    protected long leaseClockMicros() {
        return leaseClock.getAsLong();
    }

    /** The lease's clock, epoch micros; NiFi's real clock stays in {@link #nifiClockMicros} for the clock correction. */
    private volatile LongSupplier leaseClock = CaptureTriggerHistory::nowMicros;

    @Override
    public void setTimerClock(LongSupplier epochMillis) {
        leaseClock = () -> epochMillis.getAsLong() * 1000L;
    }

    /** The installation check, then the clock, the purge and the gauges, once per Maintenance Interval. */
    private void maintain(ProcessContext context, ProcessSession session, CaptureSession current, Connection connection) throws SQLException {
        if (!current.maintenanceDue(context.getProperty(MAINTENANCE_INTERVAL).asTimePeriod(TimeUnit.MILLISECONDS))) {
            return;
        }
        boolean done = false;
        try {
            current.tables().invalidate();
            reports().triggers(current.maintenance().installTriggers(connection, current.resolveAll(connection)), current.systemId(), true);
            CaptureMaintenance.Report report = current.maintenance().run(connection, current.reader());
            current.clockOffsetMicros(report.clock().offsetMicros());
            reports().maintenance(session, current.systemId(), report, context.getProperty(CLOCK_WARNING).asTimePeriod(TimeUnit.MICROSECONDS));
            done = true;
        } finally {
            if (!done) {
                current.maintenanceFailed(); // the next run tries again: Verify Only keeps refusing until the triggers are back
            }
        }
    }

    /** The initial load's next pages (see {@link InitialLoad}), each in a FlowFile with its key range. */
    private int initialLoad(ProcessContext context, ProcessSession session, CaptureSession current, Connection connection,
                            Map<String, String> state, CaptureOutput output) throws SQLException {
        if (!LOAD_EXISTING.getValue().equals(context.getProperty(INITIAL_LOAD).getValue())) {
            return 0;
        }
        InitialLoad load = new InitialLoad(current.dialect(), current.systemId(), CaptureTriggerHistory::nowMicros);
        return load.next(connection, current.resolveAll(connection), state, context.getProperty(MAX_CHANGES_PER_POLL).asInteger(),
                context.getProperty(MAX_CHANGES_PER_FLOWFILE).asInteger(), page -> {
                    if (!page.changes().isEmpty()) {
                        Map<String, String> range = new HashMap<>();
                        if (page.after() != null) {
                            range.put(BisyncAttributes.SNAPSHOT_AFTER, page.after());
                        }
                        if (page.last() != null) {
                            range.put(BisyncAttributes.SNAPSHOT_LAST, page.last());
                        }
                        output.changes(page.table(), page.changes(), "initial load", range);
                    }
                    session.adjustCounter("Rows loaded initially", page.changes().size(), false);
                });
    }

    private int pollViews(ProcessContext context, ProcessSession session, CaptureSession current, Connection connection,
                          CaptureOutput output) throws SQLException {
        if (!current.viewPollDue(context.getProperty(VIEW_POLL_INTERVAL).asTimePeriod(TimeUnit.MILLISECONDS))) {
            return 0;
        }
        int emitted = 0;
        for (TableSettings settings : current.topology().tables()) {
            if (!settings.isView() || !settings.flowsFrom(current.systemId())) {
                continue;
            }
            SyncedTable view = current.tables().table(connection, settings.name());
            ViewPoller poller = new ViewPoller(current.dialect(), current.systemId(), CaptureTriggerHistory::nowMicros);
            ViewPoller.Poll poll = poller.poll(connection, view);
            if (poll.changes().isEmpty()) {
                continue;
            }
            output.changes(view, poll.changes(), "view changes", Map.of());
            emitted += poll.changes().size();
            session.adjustCounter("View changes captured", poll.changes().size(), false);
            // remembered only once the FlowFiles are committed: a failure before that finds the same changes again
            session.commitAsync(() -> {
                try (Connection after = current.connection()) {
                    poller.remember(after, view.localName(), poll.stateChanges());
                } catch (SQLException e) {
                    getLogger().warn("Could not remember the state of view {}; its changes will be emitted again", view.localName(), e);
                }
            });
        }
        return emitted;
    }

    /** NiFi's clock, which database clocks are measured against; tests stand in a skewed one. */
    protected long nifiClockMicros() {
        return nowMicros();
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
