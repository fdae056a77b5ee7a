/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * Test {@link RecordSetWriterFactory} writing a JSON array of objects (like NiFi's JsonRecordSetWriter with "Array"
 * output) and carrying the schema in the attribute {@value #SCHEMA_ATTRIBUTE} (JSON, see {@link RecordSchemaJson}),
 * which {@link JsonRecordReaderService} reads. No properties.
 */
public class JsonRecordSetWriterService extends AbstractControllerService implements RecordSetWriterFactory {

    /** NiFi's writers use avro.schema; nifi-avro-record-utils is not published for 2.8.0, so this is our own. */
    public static final String SCHEMA_ATTRIBUTE = "bisync.schema";
    public static final String MIME_TYPE = "application/json";

    /** The processors pass the schema they built; it is the write schema as is. */
    @Override
    public RecordSchema getSchema(final Map<String, String> variables, final RecordSchema readSchema)
            throws SchemaNotFoundException {
        if (readSchema != null) {
            return readSchema;
        }
        final String schemaText = variables == null ? null : variables.get(SCHEMA_ATTRIBUTE);
        if (schemaText == null) {
            throw new SchemaNotFoundException("No schema given and no " + SCHEMA_ATTRIBUTE + " attribute");
        }
        return RecordSchemaJson.fromJson(schemaText);
    }

    @Override
    public RecordSetWriter createWriter(final ComponentLog logger, final RecordSchema schema, final OutputStream out,
                                        final Map<String, String> variables) throws IOException {
        return new JsonRecordSetWriter(schema, out);
    }
}
