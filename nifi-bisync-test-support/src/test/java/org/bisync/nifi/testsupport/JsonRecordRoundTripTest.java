/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.WriteResult;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.MapRecord;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.serialization.record.type.ArrayDataType;
import org.apache.nifi.serialization.record.type.MapDataType;
import org.apache.nifi.serialization.record.type.RecordDataType;
import org.apache.nifi.schema.access.SchemaNotFoundException;
import org.apache.nifi.util.MockComponentLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonRecordRoundTripTest {

    static final String UNICODE = "Zoë → 東京 ✓ \uD83D\uDE00 \"quoted\" \\ back\nslash\ttab \u0000 nul";

    static final RecordSchema GEO = schema(
            new RecordField("lat", RecordFieldType.DECIMAL.getDecimalDataType(9, 6)),
            new RecordField("lon", RecordFieldType.DECIMAL.getDecimalDataType(9, 6)));
    static final RecordSchema ADDRESS = schema(
            new RecordField("street", RecordFieldType.STRING.getDataType()),
            new RecordField("zip", RecordFieldType.INT.getDataType()),
            new RecordField("geo", RecordFieldType.RECORD.getRecordDataType(GEO)));
    static final RecordSchema CONTACT = schema(
            new RecordField("name", RecordFieldType.STRING.getDataType(), false),
            new RecordField("email", RecordFieldType.STRING.getDataType()));

    static final RecordSchema SCHEMA = schema(
            new RecordField("id", RecordFieldType.LONG.getDataType(), false),
            new RecordField("b", RecordFieldType.BYTE.getDataType()),
            new RecordField("sh", RecordFieldType.SHORT.getDataType()),
            new RecordField("i", RecordFieldType.INT.getDataType()),
            new RecordField("big", RecordFieldType.BIGINT.getDataType()),
            new RecordField("flag", RecordFieldType.BOOLEAN.getDataType()),
            new RecordField("f", RecordFieldType.FLOAT.getDataType()),
            new RecordField("d", RecordFieldType.DOUBLE.getDataType()),
            new RecordField("amount", RecordFieldType.DECIMAL.getDecimalDataType(20, 6)),
            new RecordField("tiny", RecordFieldType.DECIMAL.getDecimalDataType(38, 30)),
            new RecordField("thousands", RecordFieldType.DECIMAL.getDecimalDataType(10, 0)),
            new RecordField("text", RecordFieldType.STRING.getDataType()),
            new RecordField("empty", RecordFieldType.STRING.getDataType()),
            new RecordField("nothing", RecordFieldType.STRING.getDataType()),
            new RecordField("day", RecordFieldType.DATE.getDataType()),
            new RecordField("clock", RecordFieldType.TIME.getDataType()),
            new RecordField("at", RecordFieldType.TIMESTAMP.getDataType()),
            new RecordField("bytes", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType())),
            new RecordField("byteObjects", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType())),
            new RecordField("uuid", RecordFieldType.UUID.getDataType()),
            new RecordField("letter", RecordFieldType.CHAR.getDataType()),
            new RecordField("color", RecordFieldType.ENUM.getEnumDataType(List.of("RED", "GREEN"))),
            new RecordField("address", RecordFieldType.RECORD.getRecordDataType(ADDRESS)),
            new RecordField("contacts", RecordFieldType.MAP.getMapDataType(RecordFieldType.RECORD.getRecordDataType(CONTACT))),
            new RecordField("people", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.RECORD.getRecordDataType(CONTACT))),
            new RecordField("tags", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.STRING.getDataType())),
            new RecordField("matrix", RecordFieldType.ARRAY.getArrayDataType(
                    RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.INT.getDataType()))),
            new RecordField("attrs", RecordFieldType.MAP.getMapDataType(RecordFieldType.STRING.getDataType())),
            new RecordField("either", RecordFieldType.CHOICE.getChoiceDataType(
                    RecordFieldType.INT.getDataType(), RecordFieldType.STRING.getDataType())));

    @Test
    void everyTypeSurvivesWriterThenReader() throws Exception {
        final List<Record> records = List.of(fullRecord(), edgeRecord(), allNullRecord());

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final WriteResult result;
        final JsonRecordSetWriterService writerService = new JsonRecordSetWriterService();
        final RecordSchema writeSchema = writerService.getSchema(Map.of(), SCHEMA);
        assertEquals(SCHEMA, writeSchema);
        try (RecordSetWriter writer = writerService.createWriter(new MockComponentLog("w", this), writeSchema, out, Map.of())) {
            writer.beginRecordSet();
            for (Record record : records) {
                writer.write(record);
            }
            result = writer.finishRecordSet();
            assertEquals("application/json", writer.getMimeType());
        }
        assertEquals(3, result.getRecordCount());
        assertEquals("application/json", result.getAttributes().get("mime.type"));
        final String schemaText = result.getAttributes().get(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE);
        assertNotNull(schemaText);
        assertEquals(SCHEMA, RecordSchemaJson.fromJson(schemaText), "schema survives the attribute");

        final String json = out.toString(StandardCharsets.UTF_8);
        assertTrue(json.startsWith("[{\"id\":1,"), json);
        assertTrue(json.contains("\"amount\":12345.678900"), "decimal as an exact number: " + json);
        assertTrue(json.contains("\"at\":\"2024-03-10 12:34:56.123456\""), json);
        assertTrue(json.contains("\"bytes\":[0,-1,127,-128]"), "bytes as numbers: " + json);

        final List<Record> read = new ArrayList<>();
        try (RecordReader reader = new JsonRecordReaderService().createRecordReader(result.getAttributes(),
                new ByteArrayInputStream(out.toByteArray()), out.size(), new MockComponentLog("r", this))) {
            assertEquals(SCHEMA, reader.getSchema());
            Record record;
            while ((record = reader.nextRecord()) != null) {
                read.add(record);
            }
        }
        assertEquals(records.size(), read.size());
        for (int i = 0; i < records.size(); i++) {
            assertRecordEquals(records.get(i), read.get(i), SCHEMA, "record[" + i + "]");
        }

        final Record first = read.getFirst();
        assertInstanceOf(BigDecimal.class, first.getValue("amount"));
        assertEquals(6, ((BigDecimal) first.getValue("amount")).scale());
        assertInstanceOf(Timestamp.class, first.getValue("at"));
        assertEquals(123_456_000, ((Timestamp) first.getValue("at")).getNanos());
        assertInstanceOf(Date.class, first.getValue("day"));
        assertInstanceOf(Time.class, first.getValue("clock"));
        assertInstanceOf(Object[].class, first.getValue("bytes"));
        assertInstanceOf(Byte.class, ((Object[]) first.getValue("bytes"))[0]);
        assertInstanceOf(MapRecord.class, first.getValue("address"));
        assertEquals("", first.getValue("empty"));
        assertNull(first.getValue("nothing"));
    }

    @Test
    void fixedSchemaReaderConvertsAndDropsUnknownFields() throws Exception {
        final RecordSchema schema = schema(
                new RecordField("id", RecordFieldType.INT.getDataType()),
                new RecordField("price", RecordFieldType.DECIMAL.getDecimalDataType(10, 2)),
                new RecordField("at", RecordFieldType.TIMESTAMP.getDataType()),
                new RecordField("missing", RecordFieldType.STRING.getDataType()));
        final String json = "[{\"id\": \"7\", \"price\": 10.50, \"at\": \"2024-01-02T03:04:05.5\", \"extra\": {\"x\": 1}},"
                + " {\"id\": 8, \"price\": \"0.10\", \"at\": \"2024-01-02 03:04:05\"}]";
        final JsonRecordReaderService service = JsonRecordReaderService.withSchema(schema);
        try (RecordReader reader = service.createRecordReader(Map.of(), new ByteArrayInputStream(
                json.getBytes(StandardCharsets.UTF_8)), json.length(), new MockComponentLog("r", this))) {
            final Record first = reader.nextRecord();
            assertEquals(7, first.getValue("id"));
            assertBigDecimal(new BigDecimal("10.50"), first.getValue("price"), "price");
            assertEquals(Timestamp.valueOf("2024-01-02 03:04:05.5"), first.getValue("at"));
            assertNull(first.getValue("missing"));
            assertEquals(List.of("id", "price", "at", "missing"), first.getSchema().getFieldNames());
            assertNull(first.getValue("extra"));
            assertTrue(first.toMap().keySet().stream().noneMatch("extra"::equals));
            final Record second = reader.nextRecord();
            assertBigDecimal(new BigDecimal("0.10"), second.getValue("price"), "price");
            assertNull(reader.nextRecord());
        }
    }

    @Test
    void readerWithoutSchemaOrAttributeFails() {
        assertThrows(SchemaNotFoundException.class, () -> new JsonRecordReaderService().createRecordReader(
                Map.of(), new ByteArrayInputStream(new byte[0]), 0, new MockComponentLog("r", this)));
    }

    @Test
    void emptyRecordSetIsAnEmptyArrayAndReadsAsNoRecords() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final WriteResult result;
        try (RecordSetWriter writer = new JsonRecordSetWriter(CONTACT, out)) {
            writer.beginRecordSet();
            result = writer.finishRecordSet();
        }
        assertEquals("[]", out.toString(StandardCharsets.UTF_8));
        assertEquals(0, result.getRecordCount());
        try (JsonRecordReader reader = new JsonRecordReader(CONTACT, new ByteArrayInputStream(out.toByteArray()))) {
            assertNull(reader.nextRecord());
        }
    }

    @Test
    void recordsWrittenOutsideARecordSetAreObjectsOneAfterTheOther() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = new JsonRecordSetWriter(null, out)) {
            final WriteResult first = writer.write(contact("A", "a@x"));
            assertEquals(1, first.getRecordCount());
            assertEquals(CONTACT, RecordSchemaJson.fromJson(
                    first.getAttributes().get(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE)), "schema of the record");
            writer.write(contact("B", null));
        }
        assertEquals("{\"name\":\"A\",\"email\":\"a@x\"} {\"name\":\"B\",\"email\":null}",
                out.toString(StandardCharsets.UTF_8));
        try (JsonRecordReader reader = new JsonRecordReader(CONTACT, new ByteArrayInputStream(out.toByteArray()))) {
            assertEquals("A", reader.nextRecord().getValue("name"));
            assertEquals("B", reader.nextRecord().getValue("name"));
            assertNull(reader.nextRecord());
        }
    }

    @Test
    void malformedContentIsAMalformedRecordException() throws Exception {
        try (JsonRecordReader reader = new JsonRecordReader(CONTACT, new ByteArrayInputStream(
                "[{\"name\": \"A\"}, 42]".getBytes(StandardCharsets.UTF_8)))) {
            assertEquals("A", reader.nextRecord().getValue("name"));
            assertThrows(org.apache.nifi.serialization.MalformedRecordException.class, reader::nextRecord);
        }
    }

    // ---- data

    private static Record fullRecord() {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", 1L);
        v.put("b", (byte) -7);
        v.put("sh", (short) 30000);
        v.put("i", Integer.MIN_VALUE);
        v.put("big", new BigInteger("123456789012345678901234567890"));
        v.put("flag", true);
        v.put("f", 0.1f);
        v.put("d", 0.1 + 0.2);
        v.put("amount", new BigDecimal("12345.678900"));
        v.put("tiny", new BigDecimal("-0.000000000000000000123456789000"));
        v.put("thousands", new BigDecimal("1E+3"));
        v.put("text", UNICODE);
        v.put("empty", "");
        v.put("nothing", null);
        v.put("day", Date.valueOf("2024-02-29"));
        v.put("clock", new Time(Time.valueOf("23:59:58").getTime() + 123));
        v.put("at", Timestamp.valueOf("2024-03-10 12:34:56.123456"));
        v.put("bytes", new byte[] {0, -1, 127, -128});
        v.put("byteObjects", new Object[] {(byte) 1, (byte) 2, (byte) -3});
        v.put("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        v.put("letter", 'ß');
        v.put("color", "GREEN");
        v.put("address", new MapRecord(ADDRESS, new LinkedHashMap<>(Map.of("street", "Hauptstraße 1", "zip", 10115,
                "geo", new MapRecord(GEO, new LinkedHashMap<>(Map.of(
                        "lat", new BigDecimal("52.520008"), "lon", new BigDecimal("13.404954"))))))));
        final Map<String, Object> contacts = new LinkedHashMap<>();
        contacts.put("home", contact("Ann", "ann@example.org"));
        contacts.put("work", contact("Bob", ""));
        contacts.put("none", null);
        v.put("contacts", contacts);
        v.put("people", new Object[] {contact("Cé", null), contact("東", "e@x")});
        v.put("tags", new Object[] {"a", "", null, UNICODE});
        v.put("matrix", new Object[] {new Object[] {1, 2}, new Object[] {}, null});
        final Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("k", "v");
        attrs.put("blank", "");
        attrs.put("null", null);
        v.put("attrs", attrs);
        v.put("either", "abc");
        return new MapRecord(SCHEMA, v);
    }

    private static Record edgeRecord() {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", Long.MAX_VALUE);
        v.put("i", 0);
        v.put("flag", false);
        v.put("f", Float.POSITIVE_INFINITY);
        v.put("d", Double.NaN);
        v.put("amount", new BigDecimal("-0.000000"));
        v.put("thousands", BigDecimal.ZERO);
        v.put("text", " ");
        v.put("empty", "");
        v.put("day", Date.valueOf("1900-01-01"));
        v.put("clock", Time.valueOf("00:00:00"));
        v.put("at", Timestamp.valueOf("1970-01-01 00:00:00.000001"));
        v.put("bytes", new byte[0]);
        v.put("contacts", Map.of());
        v.put("people", new Object[0]);
        v.put("tags", new Object[0]);
        v.put("attrs", Map.of());
        v.put("either", 42);
        return new MapRecord(SCHEMA, v);
    }

    private static Record allNullRecord() {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", -1L);
        return new MapRecord(SCHEMA, v);
    }

    private static Record contact(final String name, final String email) {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", name);
        v.put("email", email);
        return new MapRecord(CONTACT, v);
    }

    static RecordSchema schema(final RecordField... fields) {
        return new SimpleRecordSchema(Arrays.asList(fields));
    }

    // ---- deep comparison by schema

    static void assertRecordEquals(final Record expected, final Record actual, final RecordSchema schema,
                                   final String path) {
        for (RecordField field : schema.getFields()) {
            assertValueEquals(expected.getValue(field), actual.getValue(field), field.getDataType(),
                    path + "." + field.getFieldName());
        }
    }

    static void assertValueEquals(final Object expected, final Object actual, final DataType type, final String path) {
        if (expected == null) {
            assertNull(actual, path);
            return;
        }
        assertNotNull(actual, path);
        switch (type.getFieldType()) {
            case DECIMAL -> assertBigDecimal((BigDecimal) expected, actual, path);
            case RECORD -> assertRecordEquals((Record) expected, assertInstanceOf(Record.class, actual, path),
                    ((RecordDataType) type).getChildSchema(), path);
            case ARRAY -> {
                final Object[] expectedElements = elements(expected);
                final Object[] actualElements = assertInstanceOf(Object[].class, actual, path);
                assertEquals(expectedElements.length, actualElements.length, path + " length");
                for (int i = 0; i < expectedElements.length; i++) {
                    assertValueEquals(expectedElements[i], actualElements[i], ((ArrayDataType) type).getElementType(),
                            path + "[" + i + "]");
                }
            }
            case MAP -> {
                final Map<?, ?> expectedMap = (Map<?, ?>) expected;
                final Map<?, ?> actualMap = assertInstanceOf(Map.class, actual, path);
                assertEquals(expectedMap.keySet(), actualMap.keySet(), path + " keys");
                for (Map.Entry<?, ?> entry : expectedMap.entrySet()) {
                    assertValueEquals(entry.getValue(), actualMap.get(entry.getKey()),
                            ((MapDataType) type).getValueType(), path + "{" + entry.getKey() + "}");
                }
            }
            case CHAR -> assertEquals(expected, actual, path);
            default -> {
                assertEquals(expected, actual, path);
                assertEquals(expected.getClass(), actual.getClass(), path + " class");
            }
        }
    }

    static void assertBigDecimal(final BigDecimal expected, final Object actual, final String path) {
        final BigDecimal decimal = assertInstanceOf(BigDecimal.class, actual, path);
        assertEquals(0, expected.compareTo(decimal), path + ": " + expected + " vs " + decimal);
        assertEquals(expected.scale(), decimal.scale(), path + " scale: " + expected + " vs " + decimal);
    }

    private static Object[] elements(final Object array) {
        if (array instanceof byte[] bytes) {
            final Object[] boxed = new Object[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                boxed[i] = bytes[i];
            }
            return boxed;
        }
        assertArrayEquals((Object[]) array, (Object[]) array);
        return (Object[]) array;
    }
}
