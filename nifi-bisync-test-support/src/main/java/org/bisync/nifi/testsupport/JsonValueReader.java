/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.type.ArrayDataType;
import org.apache.nifi.serialization.record.type.ChoiceDataType;
import org.apache.nifi.serialization.record.type.EnumDataType;
import org.apache.nifi.serialization.record.type.MapDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;
import org.apache.nifi.serialization.record.util.DataTypeUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Converts JSON (as written by {@link JsonValueWriter}) back to record values of the schema's types: DECIMAL as a
 * BigDecimal with the scale written, DATE/TIME/TIMESTAMP as java.sql.Date/Time/Timestamp, ARRAY as Object[] (so an
 * array of BYTE is an Object[] of Byte, as NiFi's JSON readers give it), MAP as a LinkedHashMap, RECORD as a
 * MapRecord. Fields of the content that the schema does not have are dropped.
 */
final class JsonValueReader {

    private JsonValueReader() {
    }

    static Record readRecord(final JsonNode object, final RecordSchema schema) {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (RecordField field : schema.getFields()) {
            final JsonNode node = fieldNode(object, field);
            if (node != null) {
                values.put(field.getFieldName(), read(node, field.getDataType(), field.getFieldName()));
            }
        }
        return new MapRecord(schema, values);
    }

    static Object read(final JsonNode node, final DataType type, final String fieldName) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (type.getFieldType()) {
            case STRING -> node.isTextual() ? node.textValue() : node.isValueNode() ? node.asText() : node.toString();
            case CHAR -> DataTypeUtils.toCharacter(node.asText(), fieldName);
            case ENUM -> DataTypeUtils.toEnum(node.asText(), (EnumDataType) type, fieldName);
            case UUID -> UUID.fromString(node.asText());
            case BOOLEAN -> node.isBoolean() ? node.booleanValue() : DataTypeUtils.toBoolean(node.asText(), fieldName);
            case FLOAT -> node.isNumber() ? node.floatValue() : DataTypeUtils.toFloat(node.asText(), fieldName);
            case DOUBLE -> node.isNumber() ? node.doubleValue() : DataTypeUtils.toDouble(node.asText(), fieldName);
            case DECIMAL -> node.isNumber() ? node.decimalValue() : DataTypeUtils.toBigDecimal(node.asText(), fieldName);
            case BYTE, SHORT, INT, LONG, BIGINT -> DataTypeUtils.convertType(scalar(node), type, fieldName);
            case DATE -> node.isTextual() ? TemporalText.parseDate(node.textValue())
                    : new java.sql.Date(node.longValue());
            case TIME -> node.isTextual() ? TemporalText.parseTime(node.textValue())
                    : new java.sql.Time(node.longValue());
            case TIMESTAMP -> node.isTextual() ? TemporalText.parseTimestamp(node.textValue())
                    : new java.sql.Timestamp(node.longValue());
            case ARRAY -> readArray(node, ((ArrayDataType) type).getElementType(), fieldName);
            case MAP -> readMap(node, ((MapDataType) type).getValueType(), fieldName);
            case RECORD -> node.isObject() ? readRecord(node, ((RecordDataType) type).getChildSchema())
                    : DataTypeUtils.convertType(plain(node), type, fieldName);
            case CHOICE -> readChoice(node, (ChoiceDataType) type, fieldName);
        };
    }

    private static JsonNode fieldNode(final JsonNode object, final RecordField field) {
        final JsonNode node = object.get(field.getFieldName());
        if (node != null) {
            return node;
        }
        for (String alias : field.getAliases()) {
            final JsonNode aliased = object.get(alias);
            if (aliased != null) {
                return aliased;
            }
        }
        return null;
    }

    private static Object readArray(final JsonNode node, final DataType elementType, final String fieldName) {
        if (!node.isArray()) {
            return DataTypeUtils.convertType(plain(node), new ArrayDataType(elementType), fieldName);
        }
        final Object[] elements = new Object[node.size()];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = read(node.get(i), elementType, fieldName);
        }
        return elements;
    }

    private static Object readMap(final JsonNode node, final DataType valueType, final String fieldName) {
        if (!node.isObject()) {
            return DataTypeUtils.convertType(plain(node), new MapDataType(valueType), fieldName);
        }
        final Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            map.put(entry.getKey(), read(entry.getValue(), valueType, fieldName));
        }
        return map;
    }

    private static Object readChoice(final JsonNode node, final ChoiceDataType type, final String fieldName) {
        final Object plain = plain(node);
        final DataType chosen = DataTypeUtils.chooseDataType(plain, type);
        return chosen == null ? plain : read(node, chosen, fieldName);
    }

    private static Object scalar(final JsonNode node) {
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    /** JSON as plain Java: String, Number, Boolean, Map, Object[]; for choosing a CHOICE subtype and conversions. */
    private static Object plain(final JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            final Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(entry -> map.put(entry.getKey(), plain(entry.getValue())));
            return map;
        }
        if (node.isArray()) {
            final List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(plain(element)));
            return list.toArray();
        }
        return scalar(node);
    }
}
