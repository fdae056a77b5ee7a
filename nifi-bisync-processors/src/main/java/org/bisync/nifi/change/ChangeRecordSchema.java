/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bisync.nifi.change.ChangeFields.AFTER;
import static org.bisync.nifi.change.ChangeFields.BEFORE;
import static org.bisync.nifi.change.ChangeFields.CAPTURED_AT;
import static org.bisync.nifi.change.ChangeFields.CHANGED_FIELDS;
import static org.bisync.nifi.change.ChangeFields.DECISION;
import static org.bisync.nifi.change.ChangeFields.ERROR;
import static org.bisync.nifi.change.ChangeFields.EXPECTED_VERSION;
import static org.bisync.nifi.change.ChangeFields.EXPECTED_VERSION_ORIGIN;
import static org.bisync.nifi.change.ChangeFields.FIELD_VERSIONS;
import static org.bisync.nifi.change.ChangeFields.KEY;
import static org.bisync.nifi.change.ChangeFields.OPERATION;
import static org.bisync.nifi.change.ChangeFields.ORIGIN;
import static org.bisync.nifi.change.ChangeFields.PREV_VERSION;
import static org.bisync.nifi.change.ChangeFields.PREV_VERSION_ORIGIN;
import static org.bisync.nifi.change.ChangeFields.RESOLUTION;
import static org.bisync.nifi.change.ChangeFields.SEQUENCE;
import static org.bisync.nifi.change.ChangeFields.SOURCE_SYSTEM;
import static org.bisync.nifi.change.ChangeFields.SUPERSEDES;
import static org.bisync.nifi.change.ChangeFields.TABLE;
import static org.bisync.nifi.change.ChangeFields.TARGET_ROW;
import static org.bisync.nifi.change.ChangeFields.TARGET_VERSION;
import static org.bisync.nifi.change.ChangeFields.TARGET_VERSION_ORIGIN;
import static org.bisync.nifi.change.ChangeFields.TOMBSTONE_VERSION;
import static org.bisync.nifi.change.ChangeFields.TOMBSTONE_VERSION_ORIGIN;
import static org.bisync.nifi.change.ChangeFields.TRANSACTION_ID;
import static org.bisync.nifi.change.ChangeFields.VERSION;
import static org.bisync.nifi.change.ChangeFields.VERSION_ORIGIN;
import static org.bisync.nifi.change.ChangeFields.V_NUMBER;
import static org.bisync.nifi.change.ChangeFields.V_ORIGIN;

/**
 * The NiFi record schema of a table's change records, with {@code key}, {@code before}, {@code after} and
 * {@code target_row} typed by the table's own columns, and the conversion between {@link ChangeRecord} and
 * NiFi {@link Record}.
 */
public final class ChangeRecordSchema {

    private static final RecordSchema VERSION_SCHEMA = new SimpleRecordSchema(List.of(
            new RecordField(V_NUMBER, RecordFieldType.LONG.getDataType(), false),
            new RecordField(V_ORIGIN, RecordFieldType.STRING.getDataType(), false)));

    /**
     * The change-record schema built for each incoming schema: the reader builds an equal one for every FlowFile, and
     * the same instance is then found at once (see {@link RecurringSchemas}), with no schema built again.
     */
    private static final Map<RecordSchema, ChangeRecordSchema> FROM_INCOMING = new ConcurrentHashMap<>();
    private static final int FROM_INCOMING_LIMIT = 256;

    private final RecordSchema keySchema;
    private final RecordSchema rowSchema;
    private final RecordSchema schema;

    /**
     * @param keySchema canonical key fields with their types
     * @param rowSchema canonical synced fields with their types
     */
    public ChangeRecordSchema(RecordSchema keySchema, RecordSchema rowSchema) {
        this.keySchema = keySchema;
        this.rowSchema = rowSchema;
        DataType row = RecordFieldType.RECORD.getRecordDataType(rowSchema);
        DataType version = RecordFieldType.RECORD.getRecordDataType(VERSION_SCHEMA);
        DataType string = RecordFieldType.STRING.getDataType();
        DataType longType = RecordFieldType.LONG.getDataType();
        List<RecordField> fields = new ArrayList<>();
        fields.add(new RecordField(TABLE, string, false));
        fields.add(new RecordField(OPERATION, string, false));
        fields.add(new RecordField(KEY, RecordFieldType.RECORD.getRecordDataType(keySchema), false));
        fields.add(new RecordField(BEFORE, row, true));
        fields.add(new RecordField(AFTER, row, true));
        fields.add(new RecordField(CHANGED_FIELDS, RecordFieldType.ARRAY.getArrayDataType(string), true));
        fields.add(new RecordField(VERSION, longType, false));
        fields.add(new RecordField(VERSION_ORIGIN, string, false));
        fields.add(new RecordField(PREV_VERSION, longType, true));
        fields.add(new RecordField(PREV_VERSION_ORIGIN, string, true));
        fields.add(new RecordField(FIELD_VERSIONS, RecordFieldType.MAP.getMapDataType(version), true));
        fields.add(new RecordField(SUPERSEDES, RecordFieldType.ARRAY.getArrayDataType(version), true));
        fields.add(new RecordField(TOMBSTONE_VERSION, longType, true));
        fields.add(new RecordField(TOMBSTONE_VERSION_ORIGIN, string, true));
        fields.add(new RecordField(ORIGIN, string, false));
        fields.add(new RecordField(SOURCE_SYSTEM, string, false));
        fields.add(new RecordField(TRANSACTION_ID, string, true));
        fields.add(new RecordField(SEQUENCE, longType, false));
        fields.add(new RecordField(CAPTURED_AT, longType, false));
        fields.add(new RecordField(DECISION, string, true));
        fields.add(new RecordField(EXPECTED_VERSION, longType, true));
        fields.add(new RecordField(EXPECTED_VERSION_ORIGIN, string, true));
        fields.add(new RecordField(TARGET_ROW, row, true));
        fields.add(new RecordField(TARGET_VERSION, longType, true));
        fields.add(new RecordField(TARGET_VERSION_ORIGIN, string, true));
        fields.add(new RecordField(RESOLUTION, string, true));
        fields.add(new RecordField(ERROR, string, true));
        this.schema = RecurringSchemas.of(new SimpleRecordSchema(fields));
    }

    /**
     * The change-record schema of incoming records, taking the key and row types from the incoming schema (as the
     * previous processor's writer carried it).
     */
    public static ChangeRecordSchema fromIncoming(RecordSchema incoming) {
        if (FROM_INCOMING.size() > FROM_INCOMING_LIMIT) {
            FROM_INCOMING.clear(); // schemas of columns that changed: only the current ones come again
        }
        return FROM_INCOMING.computeIfAbsent(incoming, ChangeRecordSchema::buildFromIncoming);
    }

    private static ChangeRecordSchema buildFromIncoming(RecordSchema incoming) {
        RecordSchema key = childSchema(incoming, KEY);
        RecordSchema row = childSchema(incoming, AFTER);
        if (row == null) {
            row = childSchema(incoming, BEFORE);
        }
        if (key == null || row == null) {
            throw new InvalidChangeException(key == null ? KEY : AFTER, "The incoming schema has no record type for '"
                    + (key == null ? KEY : AFTER) + "': is the reader using the schema the writer carried?");
        }
        return new ChangeRecordSchema(key, row);
    }

    private static RecordSchema childSchema(RecordSchema schema, String field) {
        return schema.getField(field)
                .map(RecordField::getDataType)
                .map(ChangeRecordSchema::recordSchemaOf)
                .orElse(null);
    }

    private static RecordSchema recordSchemaOf(DataType type) {
        if (type instanceof org.apache.nifi.serialization.record.type.RecordDataType recordType) {
            return recordType.getChildSchema();
        }
        if (type instanceof org.apache.nifi.serialization.record.type.ChoiceDataType choice) {
            for (DataType option : choice.getPossibleSubTypes()) {
                RecordSchema found = recordSchemaOf(option);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The record with an {@code error} field saying why it failed. */
    public Record toFailedRecord(ChangeRecord change, String error) {
        Record record = toRecord(change);
        record.setValue(ERROR, error);
        return record;
    }

    public RecordSchema schema() {
        return schema;
    }

    public RecordSchema rowSchema() {
        return rowSchema;
    }

    public RecordSchema keySchema() {
        return keySchema;
    }

    public Record toRecord(ChangeRecord change) {
        return toRecord(change, true);
    }

    /**
     * The record of a change that is not used afterwards (capture's): the record takes the change's key and row maps
     * instead of copying them.
     */
    public Record toRecordTakingMaps(ChangeRecord change) {
        return toRecord(change, false);
    }

    /**
     * The record's values hold only the fields that are set: a writer that suppresses missing fields (the templates'
     * JsonRecordSetWriter) leaves out the dozen that are null for most changes, while the rows keep their NULL columns,
     * which must be written (a column absent from a row is left as it is at the target).
     */
    private Record toRecord(ChangeRecord change, boolean copyMaps) {
        Map<String, Object> values = new LinkedHashMap<>(64); // 27 fields: no rehashing
        values.put(TABLE, change.table);
        values.put(OPERATION, change.operation.name());
        values.put(KEY, new MapRecord(keySchema, copyMaps ? new LinkedHashMap<>(change.key) : change.key));
        putSet(values, BEFORE, row(change.before, copyMaps));
        putSet(values, AFTER, row(change.after, copyMaps));
        values.put(CHANGED_FIELDS, change.changedFields.toArray());
        values.put(VERSION, change.version.number());
        values.put(VERSION_ORIGIN, change.version.origin());
        putVersion(values, PREV_VERSION, PREV_VERSION_ORIGIN, change.prevVersion);
        if (!change.fieldVersions.isEmpty()) {
            Map<String, Object> fieldVersions = new LinkedHashMap<>();
            change.fieldVersions.forEach((field, v) -> fieldVersions.put(field, versionRecord(v)));
            values.put(FIELD_VERSIONS, fieldVersions);
        }
        if (!change.supersedes.isEmpty()) {
            values.put(SUPERSEDES, change.supersedes.stream().map(ChangeRecordSchema::versionRecord).toArray());
        }
        putVersion(values, TOMBSTONE_VERSION, TOMBSTONE_VERSION_ORIGIN, change.tombstoneVersion);
        values.put(ORIGIN, change.origin);
        values.put(SOURCE_SYSTEM, change.sourceSystem);
        putSet(values, TRANSACTION_ID, change.transactionId);
        values.put(SEQUENCE, change.sequence);
        values.put(CAPTURED_AT, change.capturedAt);
        putSet(values, DECISION, change.decision == null ? null : change.decision.name());
        putVersion(values, EXPECTED_VERSION, EXPECTED_VERSION_ORIGIN, change.expectedVersion);
        putSet(values, TARGET_ROW, row(change.targetRow, copyMaps));
        putVersion(values, TARGET_VERSION, TARGET_VERSION_ORIGIN, change.targetVersion);
        putSet(values, RESOLUTION, change.resolution == null ? null : change.resolution.name());
        return new MapRecord(schema, values);
    }

    private static void putSet(Map<String, Object> values, String field, Object value) {
        if (value != null) {
            values.put(field, value);
        }
    }

    private Record row(Map<String, Object> row, boolean copy) {
        return row == null ? null : new MapRecord(rowSchema, copy ? new LinkedHashMap<>(row) : row);
    }

    private static Record versionRecord(Version v) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(V_NUMBER, v.number());
        values.put(V_ORIGIN, v.origin());
        return new MapRecord(VERSION_SCHEMA, values);
    }

    private static void putVersion(Map<String, Object> values, String numberField, String originField, Version v) {
        if (v != null) {
            values.put(numberField, v.number());
            values.put(originField, v.origin());
        }
    }
}
