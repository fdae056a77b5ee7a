/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.SchemaIdentifier;
import org.apache.nifi.serialization.record.type.RecordDataType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordSchemaJsonTest {

    @Test
    void namesFormatsAliasesDefaultsAndNullabilitySurvive() {
        final SimpleRecordSchema schema = new SimpleRecordSchema(List.of(
                new RecordField("ts", RecordFieldType.TIMESTAMP.getDataType("yyyy/MM/dd HH:mm")),
                new RecordField("n", RecordFieldType.INT.getDataType(), 5, Set.of("N", "num"), false),
                new RecordField("price", RecordFieldType.DECIMAL.getDecimalDataType(5, 2), new BigDecimal("1.00")),
                new RecordField("list", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.LONG.getDataType(), true)),
                new RecordField("map", RecordFieldType.MAP.getMapDataType(RecordFieldType.DOUBLE.getDataType(), true))));
        schema.setSchemaName("thing");
        schema.setSchemaNamespace("org.example");

        final RecordSchema back = RecordSchemaJson.fromJson(RecordSchemaJson.toJson(schema));

        assertEquals(schema, back);
        assertEquals(schema.getSchemaName(), back.getSchemaName());
        assertEquals(schema.getSchemaNamespace(), back.getSchemaNamespace());
        for (RecordField field : schema.getFields()) {
            final RecordField other = back.getField(field.getFieldName()).orElseThrow();
            assertEquals(field.getDataType(), other.getDataType(), field.getFieldName());
            assertEquals(field.isNullable(), other.isNullable(), field.getFieldName());
            assertEquals(field.getAliases(), other.getAliases(), field.getFieldName());
            assertEquals(field.getDefaultValue(), other.getDefaultValue(), field.getFieldName());
        }
    }

    @Test
    void handWrittenSchemaTakesNiFiDefaults() {
        final RecordSchema schema = RecordSchemaJson.fromJson(
                "{\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"ARRAY\",\"elementType\":\"STRING\"}}]}");
        assertEquals(RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.STRING.getDataType()),
                schema.getDataType("a").orElseThrow());
        assertEquals(true, schema.getField("a").orElseThrow().isNullable());
    }

    @Test
    void recursiveSchemasAreRejected() {
        final List<RecordField> fields = new ArrayList<>();
        final SimpleRecordSchema node = new SimpleRecordSchema(SchemaIdentifier.EMPTY);
        fields.add(new RecordField("child", new RecordDataType(() -> node)));
        node.setFields(fields);
        assertThrows(IllegalArgumentException.class, () -> RecordSchemaJson.toJson(node));
    }
}
