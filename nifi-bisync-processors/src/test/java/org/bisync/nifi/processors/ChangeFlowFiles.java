/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordParser;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.testsupport.JsonRecordReader;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.version.Version;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Change records of a small {@code customer(id int, name text, email text)} table as FlowFiles, and back. */
final class ChangeFlowFiles {

    static final RecordSchema KEY = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false)));
    static final RecordSchema ROW = new SimpleRecordSchema(List.of(
            new RecordField("id", RecordFieldType.INT.getDataType(), false),
            new RecordField("name", RecordFieldType.STRING.getDataType(), true),
            new RecordField("email", RecordFieldType.STRING.getDataType(), true)));
    static final ChangeRecordSchema SCHEMA = new ChangeRecordSchema(KEY, ROW);

    private ChangeFlowFiles() {
    }

    static ChangeRecord change(int id, String name, Version version, Version prev, String origin) {
        return ChangeRecordBuilder.change("customer", prev == null ? Operation.INSERT : Operation.UPDATE).key("id", id)
                .after("name", name).after("email", name == null ? null : name.toLowerCase() + "@example.com")
                .version(version).prev(prev).from(origin).changed("name", "email").build();
    }

    static void enqueue(TestRunner runner, List<ChangeRecord> changes) {
        enqueue(runner, changes, Map.of());
    }

    static void enqueue(TestRunner runner, List<ChangeRecord> changes, Map<String, String> attributes) {
        enqueue(runner, SCHEMA, "customer", changes, attributes);
    }

    /** Changes of another table, written with that table's change schema. */
    static void enqueue(TestRunner runner, ChangeRecordSchema schema, String table, List<ChangeRecord> changes, Map<String, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = new JsonRecordSetWriterService().createWriter(null, schema.schema(), out, Map.of())) {
            writer.beginRecordSet();
            for (ChangeRecord change : changes) {
                writer.write(schema.toRecord(change));
            }
            writer.finishRecordSet();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> all = new LinkedHashMap<>(attributes);
        all.put(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(schema.schema()));
        all.put("bisync.table", table);
        runner.enqueue(out.toByteArray(), all);
    }

    /** The records of an output FlowFile, read with the schema it carries. */
    static List<Record> records(MockFlowFile flowFile) {
        RecordSchema schema = RecordSchemaJson.fromJson(flowFile.getAttribute(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE));
        List<Record> records = new ArrayList<>();
        try (JsonRecordReader reader = new JsonRecordReader(schema, new ByteArrayInputStream(flowFile.toByteArray()))) {
            Record record;
            while ((record = reader.nextRecord()) != null) {
                records.add(record);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return records;
    }

    static List<ChangeRecord> changes(MockFlowFile flowFile) {
        return records(flowFile).stream().map(ChangeRecordParser::parse).toList();
    }

    static String topology(String strategy) {
        return "{\"systems\": [{\"id\": \"A\", \"priority\": 1}, {\"id\": \"B\", \"priority\": 2}],"
                + " \"tables\": [{\"name\": \"customer\", \"strategy\": \"" + strategy + "\"}]}";
    }
}
