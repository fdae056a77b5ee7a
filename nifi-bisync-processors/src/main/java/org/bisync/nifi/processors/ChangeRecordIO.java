/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.bisync.nifi.change.ChangeFields;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordParser;
import org.bisync.nifi.change.InvalidChangeException;
import org.bisync.nifi.change.RecurringSchemas;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads FlowFiles of change records and writes routed subsets of them. */
public final class ChangeRecordIO {

    /**
     * One incoming record: parsed into a change, or with the reason it could not be.
     *
     * @param index  position in the FlowFile, from 0
     * @param raw    the record as read
     * @param change the parsed change, null when {@code error} is set
     * @param error  why it could not be parsed
     */
    public record Incoming(int index, Record raw, ChangeRecord change, InvalidChangeException error) {
        public boolean valid() {
            return error == null;
        }
    }

    /** All records of a FlowFile and the schema they were read with. */
    public record Batch(RecordSchema schema, List<Incoming> records) {
    }

    private ChangeRecordIO() {
    }

    public static Batch read(ProcessSession session, FlowFile flowFile, RecordReaderFactory readerFactory, ComponentLog log) {
        List<Incoming> records = new ArrayList<>();
        RecordSchema[] schema = new RecordSchema[1];
        session.read(flowFile, in -> {
            try (RecordReader reader = readerFactory.createRecordReader(flowFile, in, log)) {
                schema[0] = reader.getSchema();
                Record record;
                int index = 0;
                while ((record = reader.nextRecord()) != null) {
                    try {
                        records.add(new Incoming(index, record, ChangeRecordParser.parse(record), null));
                    } catch (InvalidChangeException e) {
                        records.add(new Incoming(index, record, null,
                                new InvalidChangeException(e.field(), "Record " + index + ": " + e.getMessage())));
                    }
                    index++;
                }
            } catch (ProcessException e) {
                throw e;
            } catch (Exception e) {
                // a reader's message may quote the content it could not read (a row value): only its kind goes to logs
                throw new ProcessException("Cannot read change records: the record reader failed (" + e.getClass().getSimpleName()
                        + "); see the FlowFile's content", e);
            }
        });
        // the instance every processor writes records of this schema with (see RecurringSchemas)
        return new Batch(RecurringSchemas.of(schema[0]), records);
    }

    /**
     * Writes records into a new child FlowFile of {@code parent} (a new FlowFile when it is null), with the writer's attributes, {@code record.count}
     * and the given attributes.
     */
    public static FlowFile write(ProcessSession session, FlowFile parent, RecordSetWriterFactory writerFactory, RecordSchema schema,
                                 List<Record> records, Map<String, String> attributes, ComponentLog log) {
        FlowFile child = parent == null ? session.create() : session.create(parent);
        Map<String, String> variables = parent == null ? Map.of() : parent.getAttributes();
        return writeInto(session, child, writerFactory, schema, records, variables, attributes, log);
    }

    /**
     * Replaces the content of {@code target} with the records, and sets the writer's attributes, {@code record.count},
     * {@code mime.type} and the given attributes. {@code variables} are what the writer may evaluate (the incoming
     * FlowFile's attributes).
     */
    public static FlowFile writeInto(ProcessSession session, FlowFile target, RecordSetWriterFactory writerFactory, RecordSchema schema,
                                     List<Record> records, Map<String, String> variables, Map<String, String> attributes, ComponentLog log) {
        Map<String, String> written = new HashMap<>();
        FlowFile result = session.write(target, (OutputStream out) -> {
            try {
                RecordSchema writeSchema = writerFactory.getSchema(variables, schema);
                try (RecordSetWriter writer = writerFactory.createWriter(log, writeSchema, out, variables)) {
                    writer.beginRecordSet();
                    for (Record record : records) {
                        writer.write(record);
                    }
                    WriteResult writeResult = writer.finishRecordSet();
                    written.putAll(writeResult.getAttributes());
                    written.put(BisyncAttributes.RECORD_COUNT, String.valueOf(writeResult.getRecordCount()));
                    written.put(BisyncAttributes.MIME_TYPE, writer.getMimeType());
                }
            } catch (ProcessException e) {
                throw e;
            } catch (Exception e) {
                throw new ProcessException("Cannot write change records: " + e.getMessage(), e);
            }
        });
        written.putAll(attributes);
        return session.putAllAttributes(result, written);
    }

    /**
     * Whether {@code flowFile}'s content can go on as it is where {@code writerFactory} would write its records again,
     * unchanged, with {@code schema}: the writer's MIME type and every attribute it would set (the schema it carries,
     * record.count aside) are what the FlowFile already has. False whenever that cannot be told.
     */
    public static boolean writtenAlike(FlowFile flowFile, RecordSetWriterFactory writerFactory, RecordSchema schema, ComponentLog log) {
        Map<String, String> variables = flowFile.getAttributes();
        try {
            RecordSchema writeSchema = writerFactory.getSchema(variables, schema);
            try (RecordSetWriter writer = writerFactory.createWriter(log, writeSchema, OutputStream.nullOutputStream(), variables)) {
                writer.beginRecordSet();
                WriteResult result = writer.finishRecordSet();
                if (!writer.getMimeType().equals(flowFile.getAttribute(BisyncAttributes.MIME_TYPE))) {
                    return false;
                }
                return result.getAttributes().entrySet().stream().allMatch(e -> e.getKey().equals(BisyncAttributes.RECORD_COUNT)
                        || e.getValue().equals(flowFile.getAttribute(e.getKey())));
            }
        } catch (Exception e) {
            return false; // the records are written again, which reports any real problem
        }
    }

    /** A record that could not be parsed, with an {@code error} field added for the user. */
    public static Record withError(Record raw, String error) {
        List<RecordField> fields = new ArrayList<>(raw.getSchema().getFields());
        if (raw.getSchema().getField(ChangeFields.ERROR).isEmpty()) {
            fields.add(new RecordField(ChangeFields.ERROR, RecordFieldType.STRING.getDataType(), true));
        }
        Map<String, Object> values = new LinkedHashMap<>(raw.toMap());
        values.put(ChangeFields.ERROR, error);
        return new MapRecord(new SimpleRecordSchema(fields), values);
    }
}
