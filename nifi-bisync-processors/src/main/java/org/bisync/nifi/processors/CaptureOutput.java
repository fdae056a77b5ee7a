/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.capture.HistoryFormatException;
import org.bisync.nifi.capture.UndecodableRows;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.TableRecordSchemas;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The FlowFiles of one CaptureTriggerHistory run: a table's change records, at most so many per FlowFile, each with a
 * RECEIVE provenance event, to success; history rows that could not be decoded, as JSON, to failure.
 */
final class CaptureOutput {

    private final ProcessSession session;
    private final RecordSetWriterFactory writer;
    private final CaptureSession capture;
    private final int perFlowFile;
    private final ComponentLog log;

    CaptureOutput(ProcessSession session, RecordSetWriterFactory writer, CaptureSession capture, int perFlowFile, ComponentLog log) {
        this.session = session;
        this.writer = writer;
        this.capture = capture;
        this.perFlowFile = perFlowFile;
        this.log = log;
    }

    /** Writes {@code changes} of {@code table} ({@code what} they are, for provenance) in FlowFiles of at most the limit. */
    void changes(SyncedTable table, List<ChangeRecord> changes, String what, Map<String, String> extraAttributes) {
        ChangeRecordSchema schema = TableRecordSchemas.changeSchema(table, capture.dialect().types());
        for (int from = 0; from < changes.size(); from += perFlowFile) {
            write(table, schema, changes.subList(from, Math.min(changes.size(), from + perFlowFile)), what, extraAttributes);
        }
    }

    private void write(SyncedTable table, ChangeRecordSchema schema, List<ChangeRecord> changes, String what,
                       Map<String, String> extraAttributes) {
        List<Record> records = changes.stream().map(schema::toRecordTakingMaps).toList(); // the changes are dropped after
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BisyncAttributes.TABLE, table.canonicalName());
        attributes.put(BisyncAttributes.SOURCE_SYSTEM, capture.systemId());
        attributes.put(BisyncAttributes.FIRST_SEQUENCE, String.valueOf(changes.getFirst().sequence));
        attributes.put(BisyncAttributes.LAST_SEQUENCE, String.valueOf(changes.getLast().sequence));
        attributes.put(BisyncAttributes.CLOCK_OFFSET, String.valueOf(capture.clockOffsetMicros()));
        attributes.putAll(extraAttributes);
        FlowFile flowFile = ChangeRecordIO.write(session, null, writer, schema.schema(), records, attributes, log);
        session.getProvenanceReporter().receive(flowFile, capture.transitUri(table.localName()),
                "Captured " + changes.size() + " " + what + " of " + table.canonicalName() + " from system " + capture.systemId());
        session.transfer(flowFile, CaptureTriggerHistory.SUCCESS);
    }

    /** Writes the history rows that could not be decoded, with their reasons, in one FlowFile to failure. */
    void undecodable(List<HistoryFormatException> failures) {
        byte[] rows = UndecodableRows.toJson(failures).getBytes(StandardCharsets.UTF_8);
        FlowFile flowFile = session.create();
        flowFile = session.write(flowFile, out -> out.write(rows));
        flowFile = session.putAttribute(flowFile, BisyncAttributes.SOURCE_SYSTEM, capture.systemId());
        flowFile = session.putAttribute(flowFile, BisyncAttributes.REASON, failures.getFirst().getMessage());
        flowFile = session.putAttribute(flowFile, BisyncAttributes.MIME_TYPE, "application/json");
        session.getProvenanceReporter().receive(flowFile, capture.transitUri("bisync_history"),
                failures.size() + " history rows could not be decoded");
        session.adjustCounter("History rows failed", failures.size(), false);
        log.error("{} history rows of system {} could not be decoded; first: {}", failures.size(), capture.systemId(),
                failures.getFirst().getMessage());
        session.transfer(flowFile, CaptureTriggerHistory.FAILURE);
    }
}
