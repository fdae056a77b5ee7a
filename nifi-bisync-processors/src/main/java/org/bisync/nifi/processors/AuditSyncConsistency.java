/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
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
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.audit.AuditReportSchema;
import org.bisync.nifi.audit.ConsistencyAudit;
import org.bisync.nifi.audit.Difference;
import org.bisync.nifi.audit.TableAuditor;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.TableRecordSchemas;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Tags({"bisync", "sync", "audit", "consistency", "compare", "checksum", "repair", "database"})
@CapabilityDescription("Compares each synced table across the systems of the sync topology without reading whole tables "
        + "into NiFi: every database hashes a canonical text of each row (the same text on PostgreSQL, MariaDB and SQLite) "
        + "and summarises buckets of rows grouped by the hash of their key; only buckets that differ are narrowed down and "
        + "compared row by row. Writes a report of missing, extra and differing rows (key, system, both rows, both "
        + "versions) to 'report', and, when Emit Repairs is on, repair changes per target system to 'repair', to be routed "
        + "into that system's ResolveConflicts. Runs on its timer or once by hand (Run Once).")
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@PrimaryNodeOnly
@TriggerSerially
@DefaultSchedule(period = "1 day")
@SeeAlso({ResolveConflicts.class, ApplyBidirectionalChanges.class, CaptureTriggerHistory.class})
@WritesAttributes({
        @WritesAttribute(attribute = BisyncAttributes.TABLE, description = "The audited table (canonical name)"),
        @WritesAttribute(attribute = BisyncAttributes.TARGET_SYSTEM, description = "On 'repair': the system the repair changes go to"),
        @WritesAttribute(attribute = AuditSyncConsistency.REFERENCE_SYSTEM, description = "The system the others were compared with"),
        @WritesAttribute(attribute = AuditSyncConsistency.MISSING, description = "On 'report': rows the reference has and another system lacks"),
        @WritesAttribute(attribute = AuditSyncConsistency.EXTRA, description = "On 'report': rows another system has and the reference lacks"),
        @WritesAttribute(attribute = AuditSyncConsistency.DIFFERING, description = "On 'report': rows whose values differ from the reference's"),
        @WritesAttribute(attribute = AuditSyncConsistency.ROWS_COMPARED, description = "On 'report': rows of the table summed over the systems"),
        @WritesAttribute(attribute = AuditSyncConsistency.TRUNCATED, description = "On 'report': true when the audit stopped at Max Differing Keys"),
        @WritesAttribute(attribute = BisyncAttributes.RECORD_COUNT, description = "Records in the FlowFile"),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "The Record Writer's MIME type")})
public class AuditSyncConsistency extends AbstractProcessor {

    static final String REFERENCE_SYSTEM = "bisync.audit.reference.system";
    static final String MISSING = "bisync.audit.missing";
    static final String EXTRA = "bisync.audit.extra";
    static final String DIFFERING = "bisync.audit.differing";
    static final String ROWS_COMPARED = "bisync.audit.rows.compared";
    static final String TRUNCATED = "bisync.audit.truncated";

    static final String COUNTER_TABLES = "Tables audited";
    static final String COUNTER_MISSING = "Rows missing";
    static final String COUNTER_EXTRA = "Rows extra";
    static final String COUNTER_DIFFERING = "Rows differing";
    static final String COUNTER_REPAIRS = "Repair changes emitted";

    public static final PropertyDescriptor TABLES = new PropertyDescriptor.Builder()
            .name("Tables")
            .description("Comma-separated canonical names of the tables to audit; empty audits every table of the topology "
                    + "except views.")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor REFERENCE = new PropertyDescriptor.Builder()
            .name("Reference System ID")
            .description("The system the others are compared with (the report says what each other system lacks, has extra, or "
                    + "holds differently). Empty: the source of a one-way table, else the hub, else the first system.")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final PropertyDescriptor EMIT_REPAIRS = new PropertyDescriptor.Builder()
            .name("Emit Repairs")
            .description("Whether to write repair changes to 'repair': per differing key, the state of the system holding the "
                    + "greatest version (ties: the reference; no version anywhere: the reference's row, or the row of a "
                    + "system that has one, so a row is copied rather than deleted), as reviewed conflicts (resolution "
                    + "TAKE_INCOMING) into every system holding something else. ResolveConflicts passes a repair on only "
                    + "while the target still holds what the audit saw.")
            .required(true).allowableValues("true", "false").defaultValue("false")
            .build();

    public static final PropertyDescriptor LEAF_ROWS = new PropertyDescriptor.Builder()
            .name("Rows Per Compared Bucket")
            .description("A differing bucket is split into 256 smaller ones while it holds more rows than this; at or below, "
                    + "its rows are compared one by one (key and row hash). Also sets how many buckets the first pass uses "
                    + "(about rows / this, at most 4096).")
            .required(true).defaultValue("256")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final PropertyDescriptor MAX_DIFFERING_KEYS = new PropertyDescriptor.Builder()
            .name("Max Differing Keys")
            .description("The audit of a table stops after this many differing keys (the report and the repairs stay bounded "
                    + "in memory); the report then says truncated, and the next run finds the rest.")
            .required(true).defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    public static final Relationship REPORT = new Relationship.Builder().name("report")
            .description("One FlowFile per audited table: a record per difference (kind, system, reference system, key, both "
                    + "rows, both versions); no records when the systems agree").build();
    public static final Relationship REPAIR = new Relationship.Builder().name("repair")
            .description("Repair changes, one FlowFile per table and target system (attribute bisync.target.system): route "
                    + "each into the ResolveConflicts of that target").build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(BisyncProperties.SYNC_TOPOLOGY, BisyncProperties.RECORD_WRITER,
            TABLES, REFERENCE, EMIT_REPAIRS, LEAF_ROWS, MAX_DIFFERING_KEYS);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(REPORT, REPAIR);
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> results = new ArrayList<>();
        TopologyValidation.checkSystem(context, REFERENCE, results);
        TopologyValidation.checkTables(context, TABLES, results);
        return results;
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        SyncTopologyService service = context.getProperty(BisyncProperties.SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        RecordSetWriterFactory writer = context.getProperty(BisyncProperties.RECORD_WRITER).asControllerService(RecordSetWriterFactory.class);
        SyncTopology topology = service.getTopology();
        boolean repairs = context.getProperty(EMIT_REPAIRS).asBoolean();
        String reference = context.getProperty(REFERENCE).getValue();
        ConsistencyAudit audit = new ConsistencyAudit(context.getProperty(LEAF_ROWS).asInteger(), context.getProperty(MAX_DIFFERING_KEYS).asInteger());
        TableAuditor auditor = new TableAuditor(topology, system -> service.getConnectionPool(system).getConnection(), audit,
                () -> System.currentTimeMillis() * 1000L);
        for (String table : tables(context, topology)) {
            TableAuditor.Result result;
            try {
                result = auditor.audit(table, reference, repairs);
            } catch (SQLException | IllegalStateException | IllegalArgumentException | ProcessException e) {
                throw new ProcessException("Cannot audit table '" + table + "': " + e.getMessage(), e);
            }
            report(session, writer, result);
            if (repairs) {
                repair(session, writer, result);
            }
        }
    }

    private static List<String> tables(ProcessContext context, SyncTopology topology) {
        String configured = context.getProperty(TABLES).getValue();
        if (configured == null || configured.isBlank()) {
            return topology.tables().stream().filter(t -> !t.isView()).map(TableSettings::name).toList();
        }
        List<String> names = Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String name : names) {
            if (topology.table(name).isEmpty()) {
                throw new ProcessException("Table '" + name + "' of property Tables is not part of the sync topology");
            }
        }
        return names;
    }

    private void report(ProcessSession session, RecordSetWriterFactory writer, TableAuditor.Result result) {
        SyncedTable reference = result.tables().get(result.referenceSystem());
        ChangeRecordSchema tableSchema = TableRecordSchemas.changeSchema(reference, result.dialects().get(result.referenceSystem()).types());
        AuditReportSchema schema = new AuditReportSchema(tableSchema.keySchema(), tableSchema.rowSchema());
        List<Record> records = result.differences().stream().map(schema::toRecord).toList();
        long missing = result.count(Difference.Kind.MISSING);
        long extra = result.count(Difference.Kind.EXTRA);
        long differing = result.count(Difference.Kind.DIFFERENT);
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BisyncAttributes.TABLE, result.table());
        attributes.put(REFERENCE_SYSTEM, result.referenceSystem());
        attributes.put(MISSING, String.valueOf(missing));
        attributes.put(EXTRA, String.valueOf(extra));
        attributes.put(DIFFERING, String.valueOf(differing));
        attributes.put(ROWS_COMPARED, String.valueOf(result.statistics().rowsCompared()));
        attributes.put(TRUNCATED, String.valueOf(result.statistics().truncated()));
        FlowFile flowFile = ChangeRecordIO.write(session, null, writer, schema.schema(), records, attributes, getLogger());
        String details = "table " + result.table() + " against " + result.referenceSystem() + ": " + missing + " missing, " + extra
                + " extra, " + differing + " differing of " + result.statistics().rowsCompared() + " rows"
                + (result.statistics().truncated() ? " (stopped at the limit of differing keys)" : "");
        session.getProvenanceReporter().create(flowFile, details);
        session.adjustCounter(COUNTER_TABLES, 1, false);
        session.adjustCounter(COUNTER_MISSING, missing, false);
        session.adjustCounter(COUNTER_EXTRA, extra, false);
        session.adjustCounter(COUNTER_DIFFERING, differing, false);
        if (missing + extra + differing > 0) {
            getLogger().warn("Audit of {}", details);
        } else {
            getLogger().info("Audit of {}", details);
        }
        session.transfer(flowFile, REPORT);
    }

    private void repair(ProcessSession session, RecordSetWriterFactory writer, TableAuditor.Result result) {
        result.repairs().forEach((target, changes) -> {
            SyncedTable table = result.tables().get(target);
            ChangeRecordSchema schema = TableRecordSchemas.changeSchema(table, result.dialects().get(target).types());
            List<Record> records = new ArrayList<>();
            for (ChangeRecord change : changes) {
                records.add(schema.toRecord(change));
            }
            Map<String, String> attributes = new HashMap<>();
            attributes.put(BisyncAttributes.TABLE, result.table());
            attributes.put(BisyncAttributes.TARGET_SYSTEM, target);
            attributes.put(REFERENCE_SYSTEM, result.referenceSystem());
            FlowFile flowFile = ChangeRecordIO.write(session, null, writer, schema.schema(), records, attributes, getLogger());
            session.getProvenanceReporter().create(flowFile, changes.size() + " repair change(s) of table " + result.table()
                    + " into system " + target);
            session.adjustCounter(COUNTER_REPAIRS, changes.size(), false);
            session.transfer(flowFile, REPAIR);
        });
    }
}
