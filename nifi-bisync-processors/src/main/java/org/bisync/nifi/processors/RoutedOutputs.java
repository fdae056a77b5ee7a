/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the routed subsets of one incoming FlowFile: the first subset goes into the incoming FlowFile itself (a
 * ROUTE event), the others into children created from it before it is changed; when nothing is sent the incoming
 * FlowFile is removed (a DROP event).
 */
final class RoutedOutputs {

    private record Send(Relationship relationship, RecordSchema schema, List<Record> records, Map<String, String> attributes,
                        String details) {
    }

    private final ProcessSession session;
    private final RecordSetWriterFactory writerFactory;
    private final ComponentLog log;
    private final List<Send> sends = new ArrayList<>();
    private FlowFile original;

    RoutedOutputs(ProcessSession session, FlowFile original, RecordSetWriterFactory writerFactory, ComponentLog log) {
        this.session = session;
        this.original = original;
        this.writerFactory = writerFactory;
        this.log = log;
    }

    void removeAttributes(Set<String> names) {
        original = session.removeAllAttributes(original, names);
    }

    void send(Relationship relationship, RecordSchema schema, List<Record> records, Map<String, String> attributes, String details) {
        sends.add(new Send(relationship, schema, records, attributes, details));
    }

    /**
     * Sends the incoming FlowFile on as it is, with {@code attributes} and its record count, when its content is what
     * the writer would write of its {@code records} records (nothing was taken out or changed): no rewrite. Returns
     * false, sending nothing, when the writer would write it differently; then use {@link #send} and {@link #finish}.
     */
    boolean passUnchanged(Relationship relationship, RecordSchema schema, int records, Map<String, String> attributes, String details) {
        if (!sends.isEmpty() || !ChangeRecordIO.writtenAlike(original, writerFactory, schema, log)) {
            return false;
        }
        Map<String, String> all = new HashMap<>(attributes);
        all.put(BisyncAttributes.RECORD_COUNT, String.valueOf(records));
        original = session.putAllAttributes(original, all);
        session.getProvenanceReporter().route(original, relationship, details);
        session.transfer(original, relationship);
        return true;
    }

    /** Writes and transfers everything sent; removes the incoming FlowFile when nothing was. */
    void finish() {
        if (sends.isEmpty()) {
            session.remove(original);
            return;
        }
        Map<String, String> incoming = Map.copyOf(original.getAttributes());
        List<FlowFile> targets = new ArrayList<>();
        targets.add(original);
        for (int i = 1; i < sends.size(); i++) {
            targets.add(session.create(original));
        }
        for (int i = 0; i < sends.size(); i++) {
            Send send = sends.get(i);
            FlowFile target = ChangeRecordIO.writeInto(session, targets.get(i), writerFactory, send.schema(), send.records(),
                    incoming, send.attributes(), log);
            session.getProvenanceReporter().route(target, send.relationship(), send.details());
            session.transfer(target, send.relationship());
        }
    }
}
