/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TypeMappingContract;
import org.bisync.nifi.testsupport.EngineFixture;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PostgresTypeMappingTest extends TypeMappingContract {

    @Override
    protected DialectFixture createFixture(String name) {
        return new DialectFixture(new PostgresDialect(), EngineFixture.start("PostgreSQL", "pg_" + name));
    }

    @Override
    protected String everyTypeColumns() {
        return "id int PRIMARY KEY, c_smallint smallint, c_int integer, c_bigint bigint, "
                + "c_numeric numeric(20,6), c_numeric_free numeric, c_real real, c_double double precision, c_bool boolean, "
                + "c_char char(5), c_varchar varchar(10), c_text text, c_date date, c_time time, c_time3 time(3), c_ts timestamp, "
                + "c_tstz timestamptz, c_ts0 timestamp(0), c_bytea bytea, c_json json, c_jsonb jsonb, c_uuid uuid, c_enum mood";
    }

    /** Row 1 is null but for its key; row 2 holds the least values, row 3 the greatest and the odd ones. */
    @Override
    protected void insertEveryTypeRows() throws SQLException {
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

    @Override
    protected String portableTable() {
        return "CREATE TABLE portable (id bigint PRIMARY KEY, c_int integer, c_bigint bigint, c_decimal numeric(20,6), "
                + "c_double double precision, c_bool boolean, c_text varchar(40), c_date date, c_timestamp timestamp(6), c_binary bytea)";
    }

    @Override
    protected String binaryLiteral(String hex) {
        return "'\\x" + hex + "'::bytea";
    }

    @Override
    protected String readingTimeZone() {
        return "SET TimeZone = 'Pacific/Honolulu'";
    }

    @Override
    protected String writingTimeZone() {
        return "SET TimeZone = 'America/New_York'";
    }

    @Override
    protected List<String> userTypes() {
        return List.of("CREATE TYPE mood AS ENUM ('happy', 'sad''s; x')");
    }

    @Override
    protected String storedDifferences() {
        return "SELECT count(*) FROM every_type e FULL JOIN every_type_copy c USING (id) WHERE e::text IS DISTINCT FROM c::text";
    }

    @Override
    protected Map<String, String> expectedCatalog() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("id", "int4");
        expected.put("c_numeric", "numeric(20,6)");
        expected.put("c_numeric_free", "numeric(0,0)");
        expected.put("c_varchar", "varchar(10,0)");
        expected.put("c_char", "bpchar(5,0)");
        expected.put("c_time3", "time(12,3)");
        expected.put("c_tstz", "timestamptz(35,6)");
        expected.put("c_ts0", "timestamp(22,0)");
        expected.put("c_enum", "mood");
        return expected;
    }

    @Override
    protected Map<String, DataType> expectedRecordTypes() {
        Map<String, DataType> expected = new LinkedHashMap<>();
        expected.put("c_smallint", RecordFieldType.INT.getDataType());
        expected.put("c_bigint", RecordFieldType.LONG.getDataType());
        expected.put("c_numeric", RecordFieldType.DECIMAL.getDecimalDataType(20, 6));
        expected.put("c_real", RecordFieldType.FLOAT.getDataType());
        expected.put("c_double", RecordFieldType.DOUBLE.getDataType());
        expected.put("c_bool", RecordFieldType.BOOLEAN.getDataType());
        expected.put("c_time", RecordFieldType.STRING.getDataType());
        expected.put("c_tstz", RecordFieldType.TIMESTAMP.getDataType());
        expected.put("c_bytea", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType()));
        expected.put("c_jsonb", RecordFieldType.STRING.getDataType());
        expected.put("c_uuid", RecordFieldType.STRING.getDataType());
        return expected;
    }

    @Override
    protected List<Bind> binds() {
        return List.of(refused("c_varchar", "12345678901", null),
                refused("c_numeric", new BigDecimal("1.1234567"), null),
                refused("c_numeric", new BigDecimal("123456789012345"), null),
                refused("c_smallint", 40000, null),
                refused("c_int", 2147483648L, null),
                refused("c_ts0", "2024-01-01 00:00:00.5", null),
                refused("c_time3", "10:00:00.0001", null),
                refused("c_uuid", "not-a-uuid", null),
                refused("c_text", "nul \0 inside", null),
                taken("c_varchar", "1234567890"),
                taken("c_numeric", new BigDecimal("1.10")),
                taken("c_numeric_free", new BigDecimal("1E-40")));
    }

    @Test
    void edgeValuesReadAsTheirRecordValues() throws SQLException {
        List<Map<String, Object>> rows = readRows(db, "every_type");
        Map<String, Object> edge = rows.get(2);
        assertEquals(Timestamp.valueOf(LocalDateTime.parse("2024-06-30T18:29:59.999999")), edge.get("c_tstz"), "timestamptz as UTC");
        assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", edge.get("c_uuid"));
        assertEquals("ab🚀  ", edge.get("c_char"));
        assertArrayEquals(new byte[]{0, (byte) 0xff, 0x10, (byte) 0xab, 0}, (byte[]) edge.get("c_bytea"));
        assertEquals(new BigDecimal("123456789012345678901234567890.123456789012345678901"), edge.get("c_numeric_free"));
        assertEquals("", rows.get(1).get("c_text"));
        assertNull(rows.get(0).get("c_text"));
    }

    @Test
    void updateOfAJsonColumnIsCapturedAndSettingItsOwnTextIsNot() throws SQLException {
        int before = db.history().size();
        db.exec("UPDATE every_type SET c_json = c_json WHERE id = 3", "UPDATE every_type SET c_json = '{\"b\": 2}' WHERE id = 3");
        List<Map<String, Object>> history = db.history();
        assertEquals(before + 1, history.size());
        assertEquals("{\"b\": 2}", DialectFixture.json(history.get(before).get("after_data")).get("c_json").asText());
    }
}
