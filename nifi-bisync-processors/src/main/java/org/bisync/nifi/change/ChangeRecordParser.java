/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.change.ChangeFields.AFTER;
import static org.bisync.nifi.change.ChangeFields.BEFORE;
import static org.bisync.nifi.change.ChangeFields.CAPTURED_AT;
import static org.bisync.nifi.change.ChangeFields.CHANGED_FIELDS;
import static org.bisync.nifi.change.ChangeFields.DECISION;
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

/** Reads a NiFi {@link Record} of the change-record schema back into a {@link ChangeRecord}. */
public final class ChangeRecordParser {

    private ChangeRecordParser() {
    }

    public static ChangeRecord parse(Record record) {
        ChangeRecord c = new ChangeRecord();
        c.table = requiredString(record, TABLE);
        c.operation = enumValue(Operation.class, requiredString(record, OPERATION), OPERATION);
        c.key = row(record, KEY);
        if (c.key == null || c.key.isEmpty()) {
            throw new InvalidChangeException(KEY, "Field 'key' is missing or empty");
        }
        c.before = row(record, BEFORE);
        c.after = row(record, AFTER);
        if (!c.operation.removesRow() && c.after == null) {
            throw new InvalidChangeException(AFTER, "Field 'after' is required for operation " + c.operation);
        }
        c.changedFields = strings(record.getValue(CHANGED_FIELDS));
        c.version = version(record, VERSION, VERSION_ORIGIN, true);
        c.prevVersion = version(record, PREV_VERSION, PREV_VERSION_ORIGIN, false);
        Object fieldVersions = record.getValue(FIELD_VERSIONS);
        if (fieldVersions instanceof Map<?, ?> map) {
            map.forEach((field, v) -> c.fieldVersions.put(String.valueOf(field), nestedVersion(v, FIELD_VERSIONS + "." + field)));
        }
        Object supersedes = record.getValue(SUPERSEDES);
        if (supersedes instanceof Object[] array) {
            for (Object v : array) {
                c.supersedes.add(nestedVersion(v, SUPERSEDES));
            }
        } else if (supersedes instanceof List<?> list) {
            list.forEach(v -> c.supersedes.add(nestedVersion(v, SUPERSEDES)));
        }
        c.tombstoneVersion = version(record, TOMBSTONE_VERSION, TOMBSTONE_VERSION_ORIGIN, false);
        c.origin = requiredString(record, ORIGIN);
        String sourceSystem = string(record, SOURCE_SYSTEM);
        c.sourceSystem = sourceSystem == null ? c.origin : sourceSystem;
        c.transactionId = string(record, TRANSACTION_ID);
        c.sequence = longValue(record, SEQUENCE, 0L);
        c.capturedAt = longValue(record, CAPTURED_AT, 0L);
        String decision = string(record, DECISION);
        c.decision = decision == null || decision.isEmpty() ? null : enumValue(Decision.class, decision, DECISION);
        c.expectedVersion = version(record, EXPECTED_VERSION, EXPECTED_VERSION_ORIGIN, false);
        c.targetRow = row(record, TARGET_ROW);
        c.targetVersion = version(record, TARGET_VERSION, TARGET_VERSION_ORIGIN, false);
        String resolution = string(record, RESOLUTION);
        c.resolution = resolution == null || resolution.isEmpty() ? null : enumValue(Resolution.class, resolution, RESOLUTION);
        return c;
    }

    /**
     * The field's value as text: a String as it is (what a reader of the change-record schema gives), anything else as
     * the record converts it.
     */
    private static String string(Record record, String field) {
        Object value = record.getValue(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        return record.getAsString(field);
    }

    private static String requiredString(Record record, String field) {
        String value = string(record, field);
        if (value == null || value.isEmpty()) {
            throw new InvalidChangeException(field, "Field '" + field + "' is missing");
        }
        return value;
    }

    private static long longValue(Record record, String field, long defaultValue) {
        Object value = record.getValue(field);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new InvalidChangeException(field, "Field '" + field + "' must be a whole number, was '" + value + "'");
        }
    }

    private static Version version(Record record, String numberField, String originField, boolean required) {
        Object number = record.getValue(numberField);
        String origin = string(record, originField);
        if (number == null && origin == null) {
            if (required) {
                throw new InvalidChangeException(numberField, "Field '" + numberField + "' is missing");
            }
            return null;
        }
        if (number == null || origin == null || origin.isEmpty()) {
            throw new InvalidChangeException(number == null ? numberField : originField,
                    "Fields '" + numberField + "' and '" + originField + "' must both be set or both be null");
        }
        return new Version(longValue(record, numberField, 0L), origin);
    }

    private static Version nestedVersion(Object value, String where) {
        if (value instanceof Record nested) {
            return version(nested, V_NUMBER, V_ORIGIN, true);
        }
        if (value instanceof Map<?, ?> map && map.get(V_NUMBER) instanceof Number n && map.get(V_ORIGIN) != null) {
            return new Version(n.longValue(), map.get(V_ORIGIN).toString());
        }
        throw new InvalidChangeException(where, "Field '" + where + "' must hold {version, version_origin} records");
    }

    private static Map<String, Object> row(Record record, String field) {
        Object value = record.getValue(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Record nested) {
            // the record's own values in one copy; a missing one is asked for by name (its schema may give a default)
            Map<String, Object> row = new LinkedHashMap<>(nested.toMap());
            row.replaceAll((name, v) -> v != null ? v : nested.getValue(name));
            return row;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> row = new LinkedHashMap<>();
            map.forEach((k, v) -> row.put(String.valueOf(k), v));
            return row;
        }
        throw new InvalidChangeException(field, "Field '" + field + "' must be a record, was " + value.getClass().getSimpleName());
    }

    private static List<String> strings(Object value) {
        List<String> result = new ArrayList<>();
        if (value instanceof Object[] array) {
            for (Object item : array) {
                result.add(String.valueOf(item));
            }
        } else if (value instanceof List<?> list) {
            list.forEach(item -> result.add(String.valueOf(item)));
        }
        return result;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field) {
        try {
            return Enum.valueOf(type, value.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidChangeException(field, "Field '" + field + "' is '" + value + "', expected one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }
}
