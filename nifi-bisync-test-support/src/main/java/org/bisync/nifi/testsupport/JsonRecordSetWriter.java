/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.nifi.serialization.AbstractRecordSetWriter;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Writes records as JSON: a record set as an array of objects ("[]" when empty), a record written outside a record
 * set as one object. Each object has the fields of the write schema (or of the record's own schema when none was
 * given), in schema order. The attributes carry the schema ({@value JsonRecordSetWriterService#SCHEMA_ATTRIBUTE})
 * and mime.type.
 */
public class JsonRecordSetWriter extends AbstractRecordSetWriter {

    private final JsonGenerator generator;
    private RecordSchema schema;

    /** @param schema the write schema, or null to use the schema of the first record */
    public JsonRecordSetWriter(final RecordSchema schema, final OutputStream out) throws IOException {
        super(out);
        this.schema = schema;
        this.generator = JsonSupport.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
    }

    @Override
    protected void onBeginRecordSet() throws IOException {
        generator.writeStartArray();
    }

    @Override
    protected Map<String, String> writeRecord(final Record record) throws IOException {
        if (schema == null) {
            schema = record.getSchema();
        }
        JsonValueWriter.writeRecord(generator, record, schema);
        return isActiveRecordSet() ? Map.of() : attributes();
    }

    @Override
    protected Map<String, String> onFinishRecordSet() throws IOException {
        generator.writeEndArray();
        generator.flush();
        return attributes();
    }

    @Override
    public String getMimeType() {
        return JsonRecordSetWriterService.MIME_TYPE;
    }

    @Override
    public void flush() throws IOException {
        generator.flush();
        super.flush();
    }

    @Override
    public void close() throws IOException {
        generator.close();
        super.close();
    }

    private Map<String, String> attributes() {
        return schema == null
                ? Map.of("mime.type", JsonRecordSetWriterService.MIME_TYPE)
                : Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(schema),
                        "mime.type", JsonRecordSetWriterService.MIME_TYPE);
    }
}
