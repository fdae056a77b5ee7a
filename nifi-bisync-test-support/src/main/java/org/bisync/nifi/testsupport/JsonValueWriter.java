/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.type.ArrayDataType;
import org.apache.nifi.serialization.record.type.ChoiceDataType;
import org.apache.nifi.serialization.record.type.MapDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;
import org.apache.nifi.serialization.record.util.DataTypeUtils;

import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

/**
 * Writes record values as JSON according to their schema type: DECIMAL as an exact JSON number, DATE/TIME/TIMESTAMP
 * as text (see {@link TemporalText}), byte arrays as arrays of numbers (like NiFi's JsonRecordSetWriter), RECORD and
 * MAP as objects, ARRAY as arrays, null as null. Values of another Java type than the schema's are converted with
 * NiFi's DataTypeUtils.
 */
final class JsonValueWriter {

    private JsonValueWriter() {
    }

    /** Writes the fields of the schema, in schema order, taking each value from the record (aliases apply). */
    static void writeRecord(final JsonGenerator out, final Record record, final RecordSchema schema) throws IOException {
        out.writeStartObject();
        for (RecordField field : schema.getFields()) {
            out.writeFieldName(field.getFieldName());
            write(out, record.getValue(field), field.getDataType(), field.getFieldName());
        }
        out.writeEndObject();
    }

    static void write(final JsonGenerator out, final Object value, final DataType type, final String fieldName)
            throws IOException {
        if (value == null) {
            out.writeNull();
            return;
        }
        switch (type.getFieldType()) {
            case STRING -> out.writeString(value instanceof String text ? text : DataTypeUtils.toString(value, (String) null));
            case CHAR, ENUM, UUID -> out.writeString(value.toString());
            case BOOLEAN -> out.writeBoolean(DataTypeUtils.toBoolean(value, fieldName));
            case BYTE, SHORT, INT, LONG -> out.writeNumber(DataTypeUtils.toLong(value, fieldName));
            case BIGINT -> out.writeNumber(DataTypeUtils.toBigInt(value, fieldName));
            case FLOAT -> {
                float f = DataTypeUtils.toFloat(value, fieldName);
                if (isNegativeZero(f)) {
                    out.writeString("-0.0");
                } else {
                    out.writeNumber(f);
                }
            }
            case DOUBLE -> {
                double d = DataTypeUtils.toDouble(value, fieldName);
                if (isNegativeZero(d)) {
                    out.writeString("-0.0");
                } else {
                    out.writeNumber(d);
                }
            }
            case DECIMAL -> out.writeNumber(value instanceof BigDecimal decimal ? decimal
                    : DataTypeUtils.toBigDecimal(value, fieldName));
            case DATE -> writeText(out, TemporalText.formatDate(value), value);
            case TIME -> writeText(out, TemporalText.formatTime(value), value);
            case TIMESTAMP -> writeText(out, TemporalText.formatTimestamp(value), value);
            case ARRAY -> writeArray(out, value, ((ArrayDataType) type).getElementType(), fieldName);
            case MAP -> writeMap(out, value, ((MapDataType) type).getValueType(), fieldName);
            case RECORD -> {
                final RecordSchema childSchema = ((RecordDataType) type).getChildSchema();
                final Record record = value instanceof Record r ? r : DataTypeUtils.toRecord(value, childSchema, fieldName);
                writeRecord(out, record, childSchema == null ? record.getSchema() : childSchema);
            }
            case CHOICE -> {
                final DataType chosen = DataTypeUtils.chooseDataType(value, (ChoiceDataType) type);
                write(out, value, chosen == null ? inferred(value) : chosen, fieldName);
            }
        }
    }

    private static void writeText(final JsonGenerator out, final String formatted, final Object value)
            throws IOException {
        out.writeString(formatted != null ? formatted : value.toString());
    }

    private static void writeArray(final JsonGenerator out, final Object value, final DataType elementType,
                                   final String fieldName) throws IOException {
        out.writeStartArray();
        if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                write(out, element, elementType, fieldName);
            }
        } else if (value.getClass().isArray()) {
            final int length = Array.getLength(value); // Object[], byte[] and the other primitive arrays
            for (int i = 0; i < length; i++) {
                write(out, Array.get(value, i), elementType, fieldName);
            }
        } else {
            for (Object element : DataTypeUtils.toArray(value, fieldName, elementType)) {
                write(out, element, elementType, fieldName);
            }
        }
        out.writeEndArray();
    }

    private static void writeMap(final JsonGenerator out, final Object value, final DataType valueType,
                                 final String fieldName) throws IOException {
        final Map<?, ?> map = value instanceof Map<?, ?> m ? m
                : value instanceof MapRecord record ? record.toMap() : DataTypeUtils.toMap(value, fieldName);
        out.writeStartObject();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            out.writeFieldName(String.valueOf(entry.getKey()));
            write(out, entry.getValue(), valueType, fieldName);
        }
        out.writeEndObject();
    }

    private static DataType inferred(final Object value) {
        return DataTypeUtils.inferDataType(value, RecordFieldType.STRING.getDataType());
    }

    /** The reader parses numbers as BigDecimal, which has no negative zero: -0.0 travels as text, like NaN. */
    private static boolean isNegativeZero(double value) {
        return value == 0.0 && Double.doubleToRawLongBits(value) != 0L;
    }
}
