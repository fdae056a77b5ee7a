/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonRecordServicesInTestRunnerTest {

    /** Reads the FlowFile's records with the reader and writes them with the writer, as record processors do. */
    public static class CopyRecords extends AbstractProcessor {
        static final PropertyDescriptor READER = new PropertyDescriptor.Builder().name("Record Reader")
                .identifiesControllerService(RecordReaderFactory.class).required(true).build();
        static final PropertyDescriptor WRITER = new PropertyDescriptor.Builder().name("Record Writer")
                .identifiesControllerService(RecordSetWriterFactory.class).required(true).build();
        static final Relationship SUCCESS = new Relationship.Builder().name("success").build();

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(READER, WRITER);
        }

        @Override
        public Set<Relationship> getRelationships() {
            return Set.of(SUCCESS);
        }

        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) throws ProcessException {
            FlowFile flowFile = session.get();
            if (flowFile == null) {
                return;
            }
            final RecordReaderFactory readerFactory = context.getProperty(READER).asControllerService(RecordReaderFactory.class);
            final RecordSetWriterFactory writerFactory = context.getProperty(WRITER).asControllerService(RecordSetWriterFactory.class);
            final Map<String, String> attributes = new HashMap<>();
            final FlowFile original = flowFile;
            flowFile = session.write(flowFile, (InputStream in, OutputStream out) -> {
                try (RecordReader reader = readerFactory.createRecordReader(original, in, getLogger());
                     RecordSetWriter writer = writerFactory.createWriter(getLogger(),
                             writerFactory.getSchema(original.getAttributes(), reader.getSchema()), out, original)) {
                    writer.beginRecordSet();
                    Record record;
                    while ((record = reader.nextRecord()) != null) {
                        writer.write(record);
                    }
                    final WriteResult result = writer.finishRecordSet();
                    attributes.putAll(result.getAttributes());
                    attributes.put("record.count", String.valueOf(result.getRecordCount()));
                } catch (Exception e) {
                    throw new ProcessException(e);
                }
            });
            session.transfer(session.putAllAttributes(flowFile, attributes), SUCCESS);
        }
    }

    @Test
    void readerAndWriterWorkAsControllerServices() throws Exception {
        final RecordSchema schema = JsonRecordRoundTripTest.schema(
                new RecordField("id", RecordFieldType.LONG.getDataType(), false),
                new RecordField("price", RecordFieldType.DECIMAL.getDecimalDataType(8, 3)),
                new RecordField("name", RecordFieldType.STRING.getDataType()));
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        final Map<String, String> attributes;
        try (JsonRecordSetWriter writer = new JsonRecordSetWriter(schema, content)) {
            writer.beginRecordSet();
            writer.write(new MapRecord(schema, new HashMap<>(Map.of("id", 1L, "price", new BigDecimal("2.500"), "name", "Åsa"))));
            writer.write(new MapRecord(schema, new HashMap<>(Map.of("id", 2L, "name", ""))));
            attributes = writer.finishRecordSet().getAttributes();
        }

        final TestRunner runner = TestRunners.newTestRunner(CopyRecords.class);
        final JsonRecordReaderService reader = new JsonRecordReaderService();
        final JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("reader", reader);
        runner.addControllerService("writer", writer);
        runner.enableControllerService(reader);
        runner.enableControllerService(writer);
        runner.setProperty(CopyRecords.READER, "reader");
        runner.setProperty(CopyRecords.WRITER, "writer");

        runner.enqueue(content.toByteArray(), attributes);
        runner.run();

        runner.assertAllFlowFilesTransferred(CopyRecords.SUCCESS, 1);
        final MockFlowFile out = runner.getFlowFilesForRelationship(CopyRecords.SUCCESS).getFirst();
        out.assertContentEquals("[{\"id\":1,\"price\":2.500,\"name\":\"Åsa\"},{\"id\":2,\"price\":null,\"name\":\"\"}]",
                StandardCharsets.UTF_8);
        out.assertAttributeEquals("mime.type", "application/json");
        out.assertAttributeEquals("record.count", "2");
        assertEquals(schema, RecordSchemaJson.fromJson(out.getAttribute(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE)));
    }
}
