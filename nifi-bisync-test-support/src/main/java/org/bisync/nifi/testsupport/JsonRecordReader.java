/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.MalformedRecordException;
import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads records from JSON as {@link JsonRecordSetWriter} writes it: an array of objects, or objects one after the
 * other (also a single object). Values are converted to the schema's types; fields the schema lacks are dropped.
 * Streams: one object is parsed at a time.
 */
public class JsonRecordReader implements RecordReader {

    private final RecordSchema schema;
    private final JsonParser parser;
    private boolean started;
    private boolean inArray;
    private boolean finished;

    public JsonRecordReader(final RecordSchema schema, final InputStream in) throws IOException {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.parser = JsonSupport.MAPPER.createParser(in);
    }

    @Override
    public Record nextRecord(final boolean coerceTypes, final boolean dropUnknownFields)
            throws IOException, MalformedRecordException {
        if (finished) {
            return null;
        }
        try {
            final JsonToken token = nextObjectStart();
            if (token == null) {
                finished = true;
                return null;
            }
            final JsonNode object = JsonSupport.MAPPER.readTree(parser);
            return JsonValueReader.readRecord(object, schema);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            finished = true;
            throw new MalformedRecordException("Could not read a record of " + schema + ": " + e.getMessage(), e);
        }
    }

    /** @return START_OBJECT with the parser on it, or null at the end of the records */
    private JsonToken nextObjectStart() throws IOException, MalformedRecordException {
        JsonToken token = parser.nextToken();
        if (!started) {
            started = true;
            if (token == JsonToken.START_ARRAY) {
                inArray = true;
                token = parser.nextToken();
            }
        }
        if (token == null || (inArray && token == JsonToken.END_ARRAY)) {
            return null;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new MalformedRecordException("Expected a JSON object for a record but found " + token
                    + " at " + parser.currentLocation());
        }
        return token;
    }

    @Override
    public RecordSchema getSchema() {
        return schema;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
