/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.type.ArrayDataType;
import org.apache.nifi.serialization.record.type.ChoiceDataType;
import org.apache.nifi.serialization.record.type.DecimalDataType;
import org.apache.nifi.serialization.record.type.EnumDataType;
import org.apache.nifi.serialization.record.type.MapDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A NiFi {@link RecordSchema} as JSON text (this project's own format; NiFi's Avro schema utilities are not published
 * for NiFi 2.8.0). Example:
 * <pre>{"name":"person","fields":[
 *   {"name":"id","type":"LONG","nullable":false},
 *   {"name":"amount","type":{"type":"DECIMAL","precision":12,"scale":2}},
 *   {"name":"tags","type":{"type":"ARRAY","elementType":"STRING","elementsNullable":true}},
 *   {"name":"attrs","type":{"type":"MAP","valueType":"STRING","valuesNullable":true}},
 *   {"name":"address","type":{"type":"RECORD","schema":{"fields":[...]}}},
 *   {"name":"either","type":{"type":"CHOICE","subTypes":["INT","STRING"]}},
 *   {"name":"color","type":{"type":"ENUM","symbols":["RED","GREEN"]}},
 *   {"name":"ts","type":{"type":"TIMESTAMP","format":"yyyy-MM-dd HH:mm:ss"}},
 *   {"name":"x","type":"INT","aliases":["X"],"default":0}]}</pre>
 * A simple type is its RecordFieldType name; "format" is written only when it is not the type's default; "nullable"
 * is written only when false. Absent flags take NiFi's defaults (fields nullable, array elements and map values not).
 * Recursive schemas are rejected.
 */
public final class RecordSchemaJson {

    private RecordSchemaJson() {
    }

    public static String toJson(final RecordSchema schema) {
        final StringWriter text = new StringWriter();
        try (JsonGenerator out = JsonSupport.MAPPER.createGenerator(text)) {
            writeSchema(out, schema, Collections.newSetFromMap(new IdentityHashMap<>()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    public static RecordSchema fromJson(final String json) {
        try {
            return readSchema(JsonSupport.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a record schema in JSON: " + json, e);
        }
    }

    private static void writeSchema(final JsonGenerator out, final RecordSchema schema, final Set<RecordSchema> path)
            throws IOException {
        if (!path.add(schema)) {
            throw new IllegalArgumentException("Recursive record schemas are not supported: " + schema);
        }
        out.writeStartObject();
        if (schema.getSchemaName().isPresent()) {
            out.writeStringField("name", schema.getSchemaName().get());
        }
        if (schema.getSchemaNamespace().isPresent()) {
            out.writeStringField("namespace", schema.getSchemaNamespace().get());
        }
        out.writeArrayFieldStart("fields");
        for (RecordField field : schema.getFields()) {
            writeField(out, field, path);
        }
        out.writeEndArray();
        out.writeEndObject();
        path.remove(schema);
    }

    private static void writeField(final JsonGenerator out, final RecordField field, final Set<RecordSchema> path)
            throws IOException {
        out.writeStartObject();
        out.writeStringField("name", field.getFieldName());
        out.writeFieldName("type");
        writeType(out, field.getDataType(), path);
        if (!field.isNullable()) {
            out.writeBooleanField("nullable", false);
        }
        if (!field.getAliases().isEmpty()) {
            out.writeArrayFieldStart("aliases");
            for (String alias : field.getAliases()) {
                out.writeString(alias);
            }
            out.writeEndArray();
        }
        if (field.getDefaultValue() != null) {
            out.writeFieldName("default");
            JsonValueWriter.write(out, field.getDefaultValue(), field.getDataType(), field.getFieldName());
        }
        out.writeEndObject();
    }

    private static void writeType(final JsonGenerator out, final DataType type, final Set<RecordSchema> path)
            throws IOException {
        final RecordFieldType fieldType = type.getFieldType();
        switch (type) {
            case DecimalDataType decimal -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeNumberField("precision", decimal.getPrecision());
                out.writeNumberField("scale", decimal.getScale());
                out.writeEndObject();
            }
            case ArrayDataType array -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeFieldName("elementType");
                writeType(out, array.getElementType(), path);
                out.writeBooleanField("elementsNullable", array.isElementsNullable());
                out.writeEndObject();
            }
            case MapDataType map -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeFieldName("valueType");
                writeType(out, map.getValueType(), path);
                out.writeBooleanField("valuesNullable", map.isValuesNullable());
                out.writeEndObject();
            }
            case RecordDataType record -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeFieldName("schema");
                writeSchema(out, record.getChildSchema(), path);
                out.writeEndObject();
            }
            case ChoiceDataType choice -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeArrayFieldStart("subTypes");
                for (DataType subType : choice.getPossibleSubTypes()) {
                    writeType(out, subType, path);
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            case EnumDataType enumType -> {
                out.writeStartObject();
                out.writeStringField("type", fieldType.name());
                out.writeArrayFieldStart("symbols");
                for (String symbol : enumType.getEnums()) {
                    out.writeString(symbol);
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            default -> {
                if (Objects.equals(type.getFormat(), fieldType.getDefaultFormat())) {
                    out.writeString(fieldType.name());
                } else {
                    out.writeStartObject();
                    out.writeStringField("type", fieldType.name());
                    out.writeStringField("format", type.getFormat());
                    out.writeEndObject();
                }
            }
        }
    }

    private static RecordSchema readSchema(final JsonNode node) {
        final JsonNode fieldsNode = node.get("fields");
        if (fieldsNode == null || !fieldsNode.isArray()) {
            throw new IllegalArgumentException("A record schema needs a \"fields\" array: " + node);
        }
        final List<RecordField> fields = new ArrayList<>();
        for (JsonNode fieldNode : fieldsNode) {
            fields.add(readField(fieldNode));
        }
        final SimpleRecordSchema schema = new SimpleRecordSchema(fields);
        if (node.hasNonNull("name")) {
            schema.setSchemaName(node.get("name").asText());
        }
        if (node.hasNonNull("namespace")) {
            schema.setSchemaNamespace(node.get("namespace").asText());
        }
        return schema;
    }

    private static RecordField readField(final JsonNode node) {
        final String name = requireText(node, "name");
        final DataType type = readType(node.get("type"));
        final boolean nullable = flag(node, "nullable", RecordField.DEFAULT_NULLABLE);
        final Set<String> aliases = new LinkedHashSet<>();
        if (node.has("aliases")) {
            node.get("aliases").forEach(alias -> aliases.add(alias.asText()));
        }
        final Object defaultValue = JsonValueReader.read(node.get("default"), type, name);
        return new RecordField(name, type, defaultValue, aliases, nullable);
    }

    private static DataType readType(final JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("A field needs a \"type\"");
        }
        if (node.isTextual()) {
            return RecordFieldType.valueOf(node.textValue()).getDataType();
        }
        final RecordFieldType fieldType = RecordFieldType.valueOf(requireText(node, "type"));
        return switch (fieldType) {
            case DECIMAL -> fieldType.getDecimalDataType(node.get("precision").asInt(), node.get("scale").asInt());
            case ARRAY -> fieldType.getArrayDataType(readType(node.get("elementType")),
                    flag(node, "elementsNullable", ArrayDataType.DEFAULT_NULLABLE));
            case MAP -> fieldType.getMapDataType(readType(node.get("valueType")),
                    flag(node, "valuesNullable", MapDataType.DEFAULT_NULLABLE));
            case RECORD -> fieldType.getRecordDataType(readSchema(node.get("schema")));
            case CHOICE -> {
                final List<DataType> subTypes = new ArrayList<>();
                node.get("subTypes").forEach(subType -> subTypes.add(readType(subType)));
                yield fieldType.getChoiceDataType(subTypes);
            }
            case ENUM -> {
                final List<String> symbols = new ArrayList<>();
                node.get("symbols").forEach(symbol -> symbols.add(symbol.asText()));
                yield fieldType.getEnumDataType(symbols);
            }
            default -> node.hasNonNull("format") ? fieldType.getDataType(node.get("format").asText())
                    : fieldType.getDataType();
        };
    }

    private static boolean flag(final JsonNode node, final String name, final boolean absent) {
        return node.hasNonNull(name) ? node.get(name).asBoolean() : absent;
    }

    private static String requireText(final JsonNode node, final String name) {
        final JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("Missing text \"" + name + "\" in " + node);
        }
        return value.textValue();
    }
}
