/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.bisync.nifi.version.Version;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record schema of the audit report, one record per {@link Difference}: {@code table}, {@code kind} (MISSING,
 * EXTRA, DIFFERENT), {@code system}, {@code reference_system}, {@code key}, {@code row} and {@code reference_row}
 * (typed by the table's columns; null where the system has no row), {@code version}/{@code version_origin} and
 * {@code reference_version}/{@code reference_version_origin} (null where the system has no version of the key).
 */
public final class AuditReportSchema {

    private final RecordSchema keySchema;
    private final RecordSchema rowSchema;
    private final RecordSchema schema;

    public AuditReportSchema(RecordSchema keySchema, RecordSchema rowSchema) {
        this.keySchema = keySchema;
        this.rowSchema = rowSchema;
        DataType string = RecordFieldType.STRING.getDataType();
        DataType longType = RecordFieldType.LONG.getDataType();
        DataType row = RecordFieldType.RECORD.getRecordDataType(rowSchema);
        this.schema = new SimpleRecordSchema(List.of(
                new RecordField("table", string, false),
                new RecordField("kind", string, false),
                new RecordField("system", string, false),
                new RecordField("reference_system", string, false),
                new RecordField("key", RecordFieldType.RECORD.getRecordDataType(keySchema), false),
                new RecordField("row", row, true),
                new RecordField("reference_row", row, true),
                new RecordField("version", longType, true),
                new RecordField("version_origin", string, true),
                new RecordField("reference_version", longType, true),
                new RecordField("reference_version_origin", string, true)));
    }

    public RecordSchema schema() {
        return schema;
    }

    public Record toRecord(Difference difference) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("table", difference.table());
        values.put("kind", difference.kind().name());
        values.put("system", difference.system());
        values.put("reference_system", difference.referenceSystem());
        values.put("key", new MapRecord(keySchema, new LinkedHashMap<>(difference.key())));
        values.put("row", difference.row() == null ? null : new MapRecord(rowSchema, new LinkedHashMap<>(difference.row())));
        values.put("reference_row", difference.referenceRow() == null ? null
                : new MapRecord(rowSchema, new LinkedHashMap<>(difference.referenceRow())));
        put(values, "version", difference.version());
        put(values, "reference_version", difference.referenceVersion());
        return new MapRecord(schema, values);
    }

    private static void put(Map<String, Object> values, String field, Version version) {
        values.put(field, version == null ? null : version.number());
        values.put(field + "_origin", version == null ? null : version.origin());
    }
}
