/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Test {@link RecordReaderFactory} for the JSON of {@link JsonRecordSetWriterService}. The schema is the one fixed
 * at construction ({@link #withSchema(RecordSchema)}) or else the FlowFile attribute
 * {@value JsonRecordSetWriterService#SCHEMA_ATTRIBUTE}. No properties.
 */
public class JsonRecordReaderService extends AbstractControllerService implements RecordReaderFactory {

    private final RecordSchema fixedSchema;

    /** Takes the schema from the attribute {@value JsonRecordSetWriterService#SCHEMA_ATTRIBUTE}. */
    public JsonRecordReaderService() {
        this(null);
    }

    /** @param fixedSchema the schema of all content, used before any attribute; null for the attribute */
    public JsonRecordReaderService(final RecordSchema fixedSchema) {
        this.fixedSchema = fixedSchema;
    }

    public static JsonRecordReaderService withSchema(final RecordSchema schema) {
        return new JsonRecordReaderService(java.util.Objects.requireNonNull(schema, "schema"));
    }

    @Override
    public RecordReader createRecordReader(final Map<String, String> variables, final InputStream in,
                                           final long inputLength, final ComponentLog logger)
            throws IOException, SchemaNotFoundException {
        return new JsonRecordReader(schema(variables), in);
    }

    private RecordSchema schema(final Map<String, String> variables) throws SchemaNotFoundException {
        if (fixedSchema != null) {
            return fixedSchema;
        }
        final String schemaText = variables == null ? null : variables.get(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE);
        if (schemaText == null || schemaText.isBlank()) {
            throw new SchemaNotFoundException("No schema: the reader has no fixed schema and the FlowFile has no "
                    + JsonRecordSetWriterService.SCHEMA_ATTRIBUTE + " attribute");
        }
        try {
            return RecordSchemaJson.fromJson(schemaText);
        } catch (IllegalArgumentException e) {
            throw new SchemaNotFoundException("Bad " + JsonRecordSetWriterService.SCHEMA_ATTRIBUTE + " attribute", e);
        }
    }
}
