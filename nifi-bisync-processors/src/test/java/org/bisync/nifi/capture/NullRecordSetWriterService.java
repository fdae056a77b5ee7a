/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.serialization.AbstractRecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.RecordSetWriterFactory;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordSchema;

import java.io.OutputStream;
import java.util.Map;

/** A writer that counts records and writes nothing: lets {@link CaptureBenchmark} measure capture without serialisation. */
public class NullRecordSetWriterService extends AbstractControllerService implements RecordSetWriterFactory {

    @Override
    public RecordSchema getSchema(Map<String, String> variables, RecordSchema readSchema) {
        return readSchema;
    }

    @Override
    public RecordSetWriter createWriter(ComponentLog logger, RecordSchema schema, OutputStream out, Map<String, String> variables) {
        return new AbstractRecordSetWriter(out) {
            @Override
            protected Map<String, String> writeRecord(Record record) {
                return Map.of();
            }

            @Override
            public String getMimeType() {
                return "application/octet-stream";
            }
        };
    }
}
