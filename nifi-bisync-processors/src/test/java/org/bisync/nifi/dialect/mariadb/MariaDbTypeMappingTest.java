/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TypeMappingContract;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbTypeMappingTest extends TypeMappingContract {

    private static final List<String> COLUMNS = List.of("id", "si", "i", "bi", "ubi", "ui", "ti", "dec1", "fl", "db", "bo", "bt", "ch", "vc",
            "tx", "js", "en", "uu", "d", "tm", "dt", "ts", "dt0", "bin", "bl");

    @Override
    protected DialectFixture createFixture(String name) {
        return new DialectFixture(new MariaDbDialect(), EngineFixture.start("MariaDB", "maria_" + name));
    }

    @Override
    protected String everyTypeColumns() {
        return "id INT PRIMARY KEY, si SMALLINT, i INT, bi BIGINT, ubi BIGINT UNSIGNED, ui INT UNSIGNED, "
                + "ti TINYINT, dec1 DECIMAL(20,6), fl FLOAT, db DOUBLE, bo TINYINT(1), bt BIT(1), ch CHAR(5), vc VARCHAR(20), tx TEXT, "
                + "js JSON, en ENUM('a','b c'), uu UUID, d DATE, tm TIME(6), dt DATETIME(6), ts TIMESTAMP(6) NULL, dt0 DATETIME, "
                + "bin VARBINARY(16), bl BLOB";
    }

    /** Row 1 holds the edge values, row 2 nulls, row 3 zeros and empty values; written in a session at +05:00. */
    @Override
    protected void insertEveryTypeRows() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "SET time_zone = '+05:00'",
                    "INSERT INTO every_type VALUES (1, -32768, -2147483648, -9223372036854775808, 18446744073709551615, 4294967295, -128, "
                            + "-12345678901234.123456, 3.1415927, 0.1, 1, b'1', '', 'ü 🎉 ''\"; x', '', '{\"a\": [1, 2.50, \"x\"]}', 'b c', "
                            + "'0e3f6f8e-4c1e-4b5a-9e2a-5d1f0c9b8a71', '1000-01-01', '-12:34:56.000001', '9999-12-31 23:59:59.999999', "
                            + "'2024-03-31 02:30:00.123456', '2024-01-01 00:00:01', x'00ff0041ff00', x'00ff')",
                    "INSERT INTO every_type (id) VALUES (2)",
                    "INSERT INTO every_type VALUES (3, 0, 0, 0, 0, 0, 0, 0.000001, -2.5e-30, 1.2345678901234567e300, 0, b'0', 'ab', '', 'x', "
                            + "'\"just text\"', 'a', NULL, '2024-02-29', '23:59:59.999999', '1970-01-01 00:00:00', '1970-01-01 05:00:01', "
                            + "'1000-01-01 00:00:00', x'', x'')");
        }
    }

    @Override
    protected String portableTable() {
        return "CREATE TABLE portable (id BIGINT PRIMARY KEY, c_int INT, c_bigint BIGINT, c_decimal DECIMAL(20,6), c_double DOUBLE, "
                + "c_bool BOOLEAN, c_text VARCHAR(40), c_date DATE, c_timestamp DATETIME(6), c_binary VARBINARY(16))";
    }

    @Override
    protected String binaryLiteral(String hex) {
        return "x'" + hex + "'";
    }

    @Override
    protected String readingTimeZone() {
        return "SET time_zone = '-03:00'";
    }

    @Override
    protected String writingTimeZone() {
        return "SET time_zone = '+07:00'";
    }

    /** Byte for byte: each row of one table without a twin in the other. */
    @Override
    protected String storedDifferences() {
        String same = String.join(" AND ", COLUMNS.stream().map(n -> "CAST(t." + n + " AS BINARY) <=> CAST(c." + n + " AS BINARY)").toList());
        return "SELECT (SELECT COUNT(*) FROM every_type t WHERE NOT EXISTS (SELECT 1 FROM every_type_copy c WHERE " + same + "))"
                + " + (SELECT COUNT(*) FROM every_type_copy c WHERE NOT EXISTS (SELECT 1 FROM every_type t WHERE " + same + "))";
    }

    @Override
    protected Map<String, String> expectedCatalog() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("bo", "BOOLEAN");
        expected.put("bt", "BOOLEAN");
        expected.put("js", "JSON");
        expected.put("ubi", "BIGINT_UNSIGNED");
        expected.put("ts", "TIMESTAMP");
        expected.put("uu", "TEXT");
        expected.put("en", "TEXT");
        expected.put("vc", "VARCHAR(20,0)");
        return expected;
    }

    @Override
    protected Map<String, DataType> expectedRecordTypes() {
        Map<String, DataType> expected = new LinkedHashMap<>();
        expected.put("ubi", RecordFieldType.DECIMAL.getDecimalDataType(20, 0));
        expected.put("bo", RecordFieldType.BOOLEAN.getDataType());
        expected.put("bl", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType()));
        return expected;
    }

    @Override
    protected List<Bind> binds() {
        return List.of(refused("vc", "x".repeat(21), null),
                refused("dec1", new BigDecimal("1.1234567"), null),
                refused("ti", 128, null),
                refused("ubi", -1, null),
                refused("si", 40000L, null),
                refused("dt0", Timestamp.valueOf("2024-01-01 00:00:01.5"), null),
                refused("tm", "10:00:00.1234567", null),
                refused("bin", new byte[17], null));
    }

    @Test
    void edgeValuesReadAsTheirRecordValues() throws SQLException {
        List<Map<String, Object>> rows = readRows(db, "every_type");
        Map<String, Object> first = rows.get(0);
        assertEquals(Timestamp.valueOf(LocalDateTime.parse("2024-03-30T21:30:00.123456")), first.get("ts"), "TIMESTAMP carried as UTC");
        assertEquals(new BigDecimal("18446744073709551615"), first.get("ubi"));
        assertEquals(3.1415927f, first.get("fl"));
        assertEquals(true, first.get("bt"));
        assertEquals("-12:34:56.000001", first.get("tm"));
        assertEquals("", first.get("ch"), "empty string stays empty");
        assertNull(rows.get(1).get("ch"), "NULL stays NULL");
        assertEquals("ü 🎉 '\"; x", first.get("vc"));
        assertTrue(DialectFixture.json(db.history("every_type").get(0).get("after_data")).get("js").isTextual(),
                "a JSON column travels as its text");
        assertEquals("{\"a\": [1, 2.50, \"x\"]}", first.get("js"));
    }

    @Test
    void clearOriginRestoresTheSessionTimeZone() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, writingTimeZone());
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            db.dialect.apply().clearOrigin(c);
            c.commit();
            assertEquals("+07:00", Jdbc.value(c, "SELECT @@session.time_zone"));
        }
    }

    @Test
    void datetimeWithoutFractionRejectsMicrosecondsBeforeTheServerCouldRoundThem() throws SQLException {
        assertTrue(Jdbc.value(db.dataSource(), "SELECT @@sql_mode").toString().contains("STRICT_TRANS_TABLES"));
        ColumnInfo dt0 = column("dt0");
        assertEquals(0, dt0.scale(), "DATETIME(0) precision from the catalog");
        assertEquals(6, column("dt").scale());
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("UPDATE every_type SET dt0 = ? WHERE id = 3")) {
            assertThrows(ValueRejectedException.class, () -> types.bind(ps, 1, LocalDateTime.parse("2024-01-01T00:00:01.000001"), dt0));
            types.bind(ps, 1, LocalDateTime.parse("2024-01-01T00:00:02"), dt0);
            assertEquals(1, ps.executeUpdate());
        }
    }

    @Test
    void timestampReadThroughTheSelectExpressionIsUtcInAnySessionTimeZone() throws SQLException {
        ColumnInfo ts = column("ts");
        try (Connection c = db.connect()) {
            Jdbc.exec(c, readingTimeZone());
            try (PreparedStatement ps = c.prepareStatement("SELECT " + types.selectExpression("`ts`", ts) + " FROM every_type WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(Timestamp.valueOf("2024-03-30 21:30:00.123456"), types.read(rs, 1, ts));
            }
        }
    }
}
