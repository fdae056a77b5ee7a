/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresTypesTest {

    private static final String COLUMNS = "id int PRIMARY KEY, c_smallint smallint, c_int integer, c_bigint bigint, "
            + "c_numeric numeric(20,6), c_numeric_free numeric, c_real real, c_double double precision, c_bool boolean, "
            + "c_char char(5), c_varchar varchar(10), c_text text, c_date date, c_time time, c_time3 time(3), c_ts timestamp, "
            + "c_tstz timestamptz, c_ts0 timestamp(0), c_bytea bytea, c_json json, c_jsonb jsonb, c_uuid uuid, c_enum mood";

    private static PgFixture db;
    private static SyncedTable everyType;
    private static TypeMapping types;

    @BeforeAll
    static void createTables() throws SQLException {
        db = new PgFixture("pg_types_test");
        types = db.dialect.types();
        db.exec("CREATE TYPE mood AS ENUM ('happy', 'sad''s; x')",
                "CREATE TABLE every_type (" + COLUMNS + ")", "CREATE TABLE every_type_copy (" + COLUMNS + ")");
        everyType = db.install(TableSettings.twoWay("every_type"));
        db.exec("SET TimeZone = 'Asia/Kolkata'; INSERT INTO every_type VALUES "
                + "(1, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null), "
                + "(2, -32768, -2147483648, -9223372036854775808, -99999999999999.999999, -0.000000000000000000001, -1.5e-38, -4.9e-324, false, "
                + "'', '', '', '0001-01-01', '00:00:00', '00:00:00', '1900-01-01 00:00:00.000001', '1970-01-01 00:00:00+00', '2000-02-29 23:59:59', "
                + "'\\x'::bytea, '\"\"', '{}', '00000000-0000-0000-0000-000000000000', 'happy'), "
                + "(3, 32767, 2147483647, 9223372036854775807, 99999999999999.999999, 123456789012345678901234567890.123456789012345678901, "
                + "3.4028235e38, 1.7976931348623157e308, true, 'ab🚀', 'ü🚀''x;\"—', 'line\nbreak \\ tab\t \"quoted\" ''single''; DROP TABLE x;', "
                + "'9999-12-31', '23:59:59.999999', '12:34:56.789', '2024-03-31 02:30:00.123456', '2024-06-30 23:59:59.999999+05:30', "
                + "'2024-01-01 00:00:00', '\\x00ff10ab00'::bytea, '{\"b\": 1,  \"a\": [1.10, \"x\"]}', '{\"b\": 1,  \"a\": [1.10, null]}', "
                + "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'sad''s; x')");
    }

    @Test
    void catalogReportsPostgresTypesWithTheirModifiers() {
        Map<String, ColumnInfo> columns = new TreeMap<>();
        everyType.columns().forEach(c -> columns.put(c.local(), c.column()));
        assertEquals("int4", columns.get("id").typeName());
        assertEquals(20, columns.get("c_numeric").size());
        assertEquals(6, columns.get("c_numeric").scale());
        assertEquals(0, columns.get("c_numeric_free").size());
        assertEquals(10, columns.get("c_varchar").size());
        assertEquals(5, columns.get("c_char").size());
        assertEquals(3, columns.get("c_time3").scale());
        assertEquals(6, columns.get("c_tstz").scale());
        assertEquals(0, columns.get("c_ts0").scale());
        assertEquals("mood", columns.get("c_enum").typeName());
    }

    @Test
    void triggerImagesDecodeToWhatTheRowReads() throws SQLException {
        Map<Integer, JsonNode> images = new TreeMap<>();
        for (PgFixture.History history : db.history()) {
            images.put(history.key().get("id").asInt(), history.after());
        }
        List<Map<String, Object>> rows = readRows("every_type");
        assertEquals(3, rows.size());
        for (Map<String, Object> row : rows) {
            JsonNode image = images.get((Integer) row.get("id"));
            for (SyncedColumn column : everyType.columns()) {
                Object fromImage = types.fromImage(image.get(column.local()), column.column());
                assertSame(row.get(column.local()), fromImage, "row " + row.get("id") + " column " + column.local() + " image " + image);
            }
        }
        Map<String, Object> edge = rows.get(2);
        assertEquals(Timestamp.valueOf(LocalDateTime.parse("2024-06-30T18:29:59.999999")), edge.get("c_tstz"), "timestamptz as UTC");
        assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", edge.get("c_uuid"));
        assertEquals("ab🚀  ", edge.get("c_char"));
        assertArrayEquals(new byte[]{0, (byte) 0xff, 0x10, (byte) 0xab, 0}, (byte[]) edge.get("c_bytea"));
        assertEquals(new BigDecimal("123456789012345678901234567890.123456789012345678901"), edge.get("c_numeric_free"));
        assertEquals("", rows.get(1).get("c_text"));
        assertEquals(null, rows.get(0).get("c_text"));
    }

    @Test
    void boundValuesGiveIdenticalRowsInASecondTable() throws SQLException {
        List<Map<String, Object>> rows = readRows("every_type");
        SyncedTable copy = db.resolve(TableSettings.twoWay("every_type_copy"));
        String upsert = db.dialect.apply().upsertRows(copy, copy.writableColumns(), rows.size());
        try (Connection connection = db.connect(); PreparedStatement statement = connection.prepareStatement(upsert)) {
            connection.createStatement().execute("SET TimeZone = 'America/New_York'");
            int index = 1;
            for (Map<String, Object> row : rows) {
                for (SyncedColumn column : copy.writableColumns()) {
                    types.bind(statement, index++, row.get(column.local()), column.column());
                }
            }
            assertEquals(3, statement.executeUpdate());
        }
        List<Map<String, Object>> copied = readRows("every_type_copy");
        for (int i = 0; i < rows.size(); i++) {
            for (String column : rows.get(i).keySet()) {
                assertSame(rows.get(i).get(column), copied.get(i).get(column), column);
            }
        }
        assertEquals(0, db.count("SELECT count(*) FROM every_type e FULL JOIN every_type_copy c USING (id) "
                + "WHERE e::text IS DISTINCT FROM c::text"), "same text of every column");
    }

    @Test
    void toImageAndFromImageRoundTripEveryValue() throws SQLException {
        for (Map<String, Object> row : readRows("every_type")) {
            for (SyncedColumn column : everyType.columns()) {
                Object value = row.get(column.local());
                JsonNode image = types.toImage(value, column.column());
                JsonNode reparsed = PgFixture.json(image.toString());
                assertSame(value, types.fromImage(reparsed, column.column()), column.local());
            }
        }
    }

    @Test
    void bindRejectsWhatTheColumnCannotHoldAndNamesTheColumn() throws SQLException {
        try (Connection connection = db.connect();
             PreparedStatement statement = connection.prepareStatement("SELECT ?")) {
            assertRejected(statement, "c_varchar", "12345678901");
            assertRejected(statement, "c_numeric", new BigDecimal("1.1234567"));
            assertRejected(statement, "c_numeric", new BigDecimal("123456789012345"));
            assertRejected(statement, "c_smallint", 40000);
            assertRejected(statement, "c_int", 2147483648L);
            assertRejected(statement, "c_ts0", "2024-01-01 00:00:00.5");
            assertRejected(statement, "c_time3", "10:00:00.0001");
            assertRejected(statement, "c_uuid", "not-a-uuid");
            assertRejected(statement, "c_text", "nul \0 inside");
            types.bind(statement, 1, "1234567890", column("c_varchar"));
            types.bind(statement, 1, new BigDecimal("1.10"), column("c_numeric"));
            types.bind(statement, 1, new BigDecimal("1E-40"), column("c_numeric_free"));
        }
    }

    @Test
    void updateOfAJsonColumnIsCapturedAndSettingItsOwnTextIsNot() throws SQLException {
        int before = db.history().size();
        db.exec("UPDATE every_type SET c_json = c_json WHERE id = 3", "UPDATE every_type SET c_json = '{\"b\": 2}' WHERE id = 3");
        assertEquals(before + 1, db.history().size());
        assertEquals("{\"b\": 2}", db.history().get(before).after().get("c_json").asText());
    }

    private static void assertRejected(PreparedStatement statement, String column, Object value) {
        ValueRejectedException e = assertThrows(ValueRejectedException.class, () -> types.bind(statement, 1, value, column(column)));
        assertTrue(e.getMessage().contains(column), e.getMessage());
        assertEquals(column, e.column());
    }

    private static ColumnInfo column(String name) {
        return everyType.byLocal(name).orElseThrow().column();
    }

    private static List<Map<String, Object>> readRows(String table) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'Pacific/Honolulu'");
            try (ResultSet rs = statement.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
                while (rs.next()) {
                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                    for (SyncedColumn column : everyType.columns()) {
                        row.put(column.local(), types.read(rs, rs.findColumn(column.local()), column.column()));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** Equality that compares byte arrays by content. */
    private static void assertSame(Object expected, Object actual, String message) {
        if (expected instanceof byte[] bytes) {
            assertInstanceOf(byte[].class, actual, message);
            assertTrue(Arrays.equals(bytes, (byte[]) actual), message);
        } else {
            assertEquals(expected, actual, message);
            if (expected != null) {
                assertEquals(expected.getClass(), actual.getClass(), message);
            }
        }
        assertFalse(expected == null ^ actual == null, message);
    }
}
