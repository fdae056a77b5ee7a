/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.sqlite.SqliteFixture.history;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.json;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.rows;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteTypesTest {

    private static final String COLUMNS = "(id INTEGER NOT NULL PRIMARY KEY, i INT, s SMALLINT, b BIGINT, d DECIMAL(12,3), n NUMERIC,"
            + " r REAL, f DOUBLE, flag BOOLEAN, name VARCHAR(10), txt TEXT, dt DATE, tm TIME, ts TIMESTAMP, tstz TIMESTAMPTZ,"
            + " bin BLOB, doc JSON, u UUID)";

    private SqliteFixture db;
    private TypeMapping types;

    @BeforeEach
    void setUp(TestInfo info) throws SQLException {
        String name = "types_" + info.getTestMethod().orElseThrow().getName();
        db = new SqliteFixture(name.length() > 60 ? name.substring(0, 60) : name);
        types = db.dialect.types();
    }

    private static Map<String, Object> edgeRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 1L);
        row.put("i", Integer.MIN_VALUE);
        row.put("s", -32768);
        row.put("b", Long.MAX_VALUE);
        row.put("d", new BigDecimal("-123456789.125"));
        row.put("n", new BigDecimal("12345678901234567"));
        row.put("r", 0.1 + 0.2);
        row.put("f", -1e300);
        row.put("flag", true);
        row.put("name", "Zoë 😀 ü");
        row.put("txt", "");
        row.put("dt", Date.valueOf("1999-12-31"));
        row.put("tm", "23:59:59.123456");
        row.put("ts", Timestamp.valueOf("2024-02-29 13:14:15.123456"));
        row.put("tstz", Timestamp.valueOf("1970-01-01 00:00:00.000001"));
        row.put("bin", new byte[]{0x00, (byte) 0xFF, 0x10, 0x00});
        row.put("doc", "{\"a\": [1, 2.50, \"x\"], \"q\": \"it's\"}");
        row.put("u", "123e4567-e89b-12d3-a456-426614174000");
        return row;
    }

    private static Map<String, Object> otherRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 3L);
        row.put("i", 0);
        row.put("s", 32767);
        row.put("b", -1L);
        row.put("d", new BigDecimal("123.450"));
        row.put("n", new BigDecimal("-0.5"));
        row.put("r", Double.POSITIVE_INFINITY);
        row.put("f", 5.0);
        row.put("flag", false);
        row.put("name", "");
        row.put("txt", "it's; \"q\" -- ✓");
        row.put("dt", Date.valueOf("2024-01-01"));
        row.put("tm", "00:00:00");
        row.put("ts", Timestamp.valueOf("2024-01-01 00:00:00"));
        row.put("tstz", Timestamp.valueOf("2038-01-19 03:14:08.5"));
        row.put("bin", new byte[0]);
        row.put("doc", "123");
        row.put("u", "00000000-0000-0000-0000-00000000000A");
        return row;
    }

    private static Map<String, Object> nullRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        edgeRow().keySet().forEach(k -> row.put(k, null));
        row.put("id", 2L);
        return row;
    }

    private void insert(Connection c, SyncedTable table, Map<String, Object> row) throws SQLException {
        List<SyncedColumn> columns = table.columns();
        String sql = "INSERT INTO " + SqliteSql.q(table.localName()) + " VALUES (" + SqliteSql.placeholders(columns.size()) + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < columns.size(); i++) {
                types.bind(ps, i + 1, row.get(columns.get(i).local()), columns.get(i).column());
            }
            ps.executeUpdate();
        }
    }

    private List<Map<String, Object>> readAll(Connection c, SyncedTable table) throws SQLException {
        List<Map<String, Object>> result = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + SqliteSql.q(table.localName()) + " ORDER BY id")) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < table.columns().size(); i++) {
                    row.put(table.columns().get(i).local(), comparable(types.read(rs, i + 1, table.columns().get(i).column())));
                }
                result.add(row);
            }
        }
        return result;
    }

    private static Object comparable(Object value) {
        return value instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : value;
    }

    private static Map<String, Object> comparable(Map<String, Object> row) {
        Map<String, Object> result = new LinkedHashMap<>();
        row.forEach((k, v) -> result.put(k, comparable(v)));
        return result;
    }

    @Test
    void everyTypeRoundTripsThroughImagesReadAndBind() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE all_types " + COLUMNS, "CREATE TABLE all_types_copy " + COLUMNS);
            SyncedTable table = db.install(c, TableSettings.twoWay("all_types"));
            SyncedTable copy = db.resolve(c, TableSettings.twoWay("all_types_copy"));
            for (Map<String, Object> row : List.of(edgeRow(), nullRow(), otherRow())) {
                insert(c, table, row);
            }
            List<Map<String, Object>> read = readAll(c, table);

            Map<String, Object> expectedEdge = comparable(edgeRow());
            assertEquals(expectedEdge, read.get(0), "what bind stored reads back as the same record values");
            Map<String, Object> expectedOther = comparable(otherRow());
            expectedOther.put("u", "00000000-0000-0000-0000-00000000000a");
            assertEquals(expectedOther, read.get(2));
            assertEquals(comparable(nullRow()), read.get(1));
            assertEquals("", read.get(2).get("name"), "empty string is not NULL");

            List<Map<String, Object>> h = history(c);
            for (int r = 0; r < 3; r++) {
                JsonNode after = json(h.get(r).get("after_data"));
                Map<String, Object> fromImage = new LinkedHashMap<>();
                for (SyncedColumn column : table.columns()) {
                    fromImage.put(column.local(), comparable(types.fromImage(after.get(column.local()), column.column())));
                }
                assertEquals(read.get(r), fromImage, "history image of row " + r + " decodes to what read gives");
            }

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM all_types ORDER BY id")) {
                while (rs.next()) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (int i = 0; i < table.columns().size(); i++) {
                        values.put(table.columns().get(i).local(), types.read(rs, i + 1, table.columns().get(i).column()));
                    }
                    insert(c, copy, values);
                    for (SyncedColumn column : table.columns()) {
                        Object value = values.get(column.local());
                        assertEquals(comparable(value), comparable(types.fromImage(json(types.toImage(value, column.column()).toString()),
                                column.column())), "toImage/fromImage of " + column.local());
                    }
                }
            }
            assertEquals(read, readAll(c, copy));
            String typed = "SELECT " + String.join(", ", table.columns().stream().map(col -> "typeof(" + col.local() + "), " + col.local()).toList());
            assertEquals(0, SqliteFixture.count(c, "SELECT count(*) FROM (" + typed + " FROM all_types EXCEPT " + typed + " FROM all_types_copy)"),
                    "identical stored values and storage classes");
            assertEquals(3, SqliteFixture.count(c, "SELECT count(*) FROM all_types_copy"));
        }
    }

    @Test
    void decimalsKeepTheirDeclaredScaleAndLongWholeNumbersExactly() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE money (id INTEGER NOT NULL PRIMARY KEY, amount DECIMAL(12,3), big NUMERIC(20,0))");
            SyncedTable table = db.install(c, TableSettings.twoWay("money"));
            ColumnInfo amount = table.columns().get(1).column();
            ColumnInfo big = table.columns().get(2).column();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO money VALUES (1, ?, ?)")) {
                types.bind(ps, 1, new BigDecimal("123.450"), amount);
                types.bind(ps, 2, new BigDecimal("9223372036854775807"), big);
                ps.executeUpdate();
            }
            assertEquals(List.of(Map.of("a", "real", "b", "integer")), rows(c, "SELECT typeof(amount) AS a, typeof(big) AS b FROM money"));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT amount, big FROM money")) {
                rs.next();
                BigDecimal read = (BigDecimal) types.read(rs, 1, amount);
                assertEquals("123.450", read.toPlainString());
                assertEquals(new BigDecimal("9223372036854775807"), types.read(rs, 2, big));
            }
            JsonNode after = json(history(c).get(0).get("after_data"));
            assertEquals("123.450", ((BigDecimal) types.fromImage(after.get("amount"), amount)).toPlainString());
            assertEquals(RecordFieldType.DECIMAL.getDecimalDataType(12, 3), types.recordType(amount));
        }
    }

    @Test
    void bindRejectsWhatTheColumnCannotHoldNamingTheColumn() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE strict_t (id INTEGER PRIMARY KEY, name VARCHAR(5), amount DECIMAL(12,3), wide DECIMAL(30,4),"
                    + " i INT, s SMALLINT, r REAL, ts TIMESTAMP, ts3 TIMESTAMP(3), u UUID, flag BOOLEAN)");
            SyncedTable table = db.resolve(c, TableSettings.twoWay("strict_t"));
            try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
                assertRejected(ps, table, "name", "toolong", "at most 5");
                types.bind(ps, 1, "😀😀😀😀😀", column(table, "name")); // five code points fit
                assertRejected(ps, table, "amount", new BigDecimal("1.2345"), "3 decimal places");
                assertRejected(ps, table, "amount", new BigDecimal("12345678901.5"), "12 digits");
                assertRejected(ps, table, "wide", new BigDecimal("12345678901234.5678"), "15 significant digits");
                assertRejected(ps, table, "i", 2_147_483_648L, "-2147483648 to 2147483647");
                assertRejected(ps, table, "s", 40_000, "-32768 to 32767");
                assertRejected(ps, table, "r", Double.NaN, "NaN");
                assertRejected(ps, table, "ts", Timestamp.valueOf("2024-01-01 00:00:00.123456789"), "6 fractional");
                assertRejected(ps, table, "ts3", Timestamp.valueOf("2024-01-01 00:00:00.1234"), "3 fractional");
                assertRejected(ps, table, "u", "not-a-uuid", "UUID");
                assertRejected(ps, table, "flag", "maybe", "true or false");
            }
        }
    }

    private void assertRejected(PreparedStatement ps, SyncedTable table, String column, Object value, String why) {
        ValueRejectedException e = assertThrows(ValueRejectedException.class, () -> types.bind(ps, 1, value, column(table, column)),
                column + " should reject " + value);
        assertEquals(column, e.column());
        assertTrue(e.getMessage().contains("'" + column + "'") && e.getMessage().contains(why), e.getMessage());
    }

    private static ColumnInfo column(SyncedTable table, String name) {
        return table.byLocal(name).orElseThrow().column();
    }

    @Test
    void wholeDecimalBeyond64BitsIsRejected() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE w (id INTEGER PRIMARY KEY, wide DECIMAL(30,4))");
            SyncedTable table = db.resolve(c, TableSettings.twoWay("w"));
            try (PreparedStatement ps = c.prepareStatement("SELECT ?")) {
                assertRejected(ps, table, "wide", new BigDecimal("12345678901234567890"), "15 significant digits");
                types.bind(ps, 1, new BigDecimal("1234567890123456789"), column(table, "wide"));
            }
        }
    }

    @Test
    void valuesOtherApplicationsStoredAreReadByDeclaredTypeOrRejected() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE foreign_writes (id INTEGER PRIMARY KEY, n INT, ts DATETIME, jd DATETIME, t TEXT, u UUID)");
            SyncedTable table = db.install(c, TableSettings.twoWay("foreign_writes"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO foreign_writes VALUES (1, 'abc', ?, "
                    + "julianday('2024-05-06 07:08:09.500'), x'C3BC', ?)")) {
                ps.setTimestamp(1, new Timestamp(1_700_000_000_123L)); // the driver stores epoch millis
                ps.setBytes(2, new byte[]{0x12, 0x3e, 0x45, 0x67, (byte) 0xe8, (byte) 0x9b, 0x12, (byte) 0xd3, (byte) 0xa4, 0x56, 0x42,
                        0x66, 0x14, 0x17, 0x40, 0x00});
                ps.executeUpdate();
            }
            JsonNode after = json(history(c).get(0).get("after_data"));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM foreign_writes")) {
                rs.next();
                ValueRejectedException e = assertThrows(ValueRejectedException.class, () -> types.read(rs, 2, column(table, "n")));
                assertTrue(e.getMessage().contains("'n'") && !e.getMessage().contains("abc"), "names the column, never the value: " + e.getMessage());
                assertThrows(ValueRejectedException.class, () -> types.fromImage(after.get("n"), column(table, "n")));
                assertEquals(Timestamp.valueOf("2023-11-14 22:13:20.123"), types.read(rs, 3, column(table, "ts")));
                assertEquals(Timestamp.valueOf("2024-05-06 07:08:09.5"), types.read(rs, 4, column(table, "jd")));
                assertEquals("ü", types.read(rs, 5, column(table, "t")), "a BLOB in a text column reads as UTF-8 text");
                assertEquals("123e4567-e89b-12d3-a456-426614174000", types.read(rs, 6, column(table, "u")));
                for (String name : List.of("ts", "jd", "t")) {
                    assertEquals(types.read(rs, table.columns().indexOf(table.byLocal(name).orElseThrow()) + 1, column(table, name)),
                            types.fromImage(after.get(name), column(table, name)), name);
                }
            }
        }
    }

    @Test
    void recordTypesFollowTheDeclaredType() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE rt " + COLUMNS);
            SyncedTable table = db.resolve(c, TableSettings.twoWay("rt"));
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("id", RecordFieldType.LONG.getDataType());
            expected.put("i", RecordFieldType.INT.getDataType());
            expected.put("s", RecordFieldType.INT.getDataType());
            expected.put("b", RecordFieldType.LONG.getDataType());
            expected.put("d", RecordFieldType.DECIMAL.getDecimalDataType(12, 3));
            expected.put("n", RecordFieldType.DECIMAL.getDecimalDataType(38, 18));
            expected.put("r", RecordFieldType.DOUBLE.getDataType());
            expected.put("f", RecordFieldType.DOUBLE.getDataType());
            expected.put("flag", RecordFieldType.BOOLEAN.getDataType());
            expected.put("name", RecordFieldType.STRING.getDataType());
            expected.put("txt", RecordFieldType.STRING.getDataType());
            expected.put("dt", RecordFieldType.DATE.getDataType());
            expected.put("tm", RecordFieldType.STRING.getDataType());
            expected.put("ts", RecordFieldType.TIMESTAMP.getDataType());
            expected.put("tstz", RecordFieldType.TIMESTAMP.getDataType());
            expected.put("bin", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType()));
            expected.put("doc", RecordFieldType.STRING.getDataType());
            expected.put("u", RecordFieldType.STRING.getDataType());
            Map<String, Object> actual = new LinkedHashMap<>();
            table.columns().forEach(col -> actual.put(col.local(), types.recordType(col.column())));
            assertEquals(expected, actual);
        }
    }

    @Test
    void looseRecordValuesAreConvertedOnBind() throws SQLException {
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE loose (id INTEGER PRIMARY KEY, b BIGINT, ts TIMESTAMP, bin BLOB, d DECIMAL(5,2))");
            SyncedTable table = db.resolve(c, TableSettings.twoWay("loose"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO loose VALUES (1, ?, ?, ?, ?)")) {
                types.bind(ps, 1, 42, column(table, "b"));
                types.bind(ps, 2, "2024-01-02T03:04:05.000006", column(table, "ts"));
                types.bind(ps, 3, new Object[]{(byte) 1, (byte) -1}, column(table, "bin"));
                types.bind(ps, 4, "1.5", column(table, "d"));
                ps.executeUpdate();
            }
            Map<String, Object> row = rows(c, "SELECT b, ts, hex(bin) AS bin, d FROM loose").get(0);
            assertEquals(42, row.get("b"));
            assertEquals("2024-01-02 03:04:05.000006", row.get("ts"));
            assertEquals("01FF", row.get("bin"));
            assertEquals(1.5, row.get("d"));
            assertNull(rows(c, "SELECT * FROM loose WHERE ts IS NULL").isEmpty() ? null : "unexpected");
            assertTrue(Arrays.equals(new byte[]{1, -1}, (byte[]) types.fromImage(json("\"01FF\""), column(table, "bin"))));
        }
    }

    @Test
    void everyDoubleSurvivesTheTriggerImageExactly() throws SQLException {
        List<Double> values = new ArrayList<>(List.of(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE,
                Double.MIN_NORMAL, 1e300, -1e-300, 1e15, 1e-7, 0.1 + 0.2, 123.45, 0.0, Double.NEGATIVE_INFINITY, 4.9e-322));
        java.util.Random random = new java.util.Random(7);
        while (values.size() < 3000) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(d)) {
                values.add(d);
            }
        }
        try (Connection c = db.connect()) {
            run(c, "CREATE TABLE reals (id INTEGER PRIMARY KEY, r REAL, d DECIMAL)");
            SyncedTable table = db.install(c, TableSettings.twoWay("reals"));
            ColumnInfo r = column(table, "r");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO reals (id, r, d) VALUES (?, ?, ?)")) {
                for (int i = 0; i < values.size(); i++) {
                    ps.setInt(1, i);
                    ps.setDouble(2, values.get(i));
                    ps.setDouble(3, values.get(i)); // as another application would
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            List<Map<String, Object>> h = history(c);
            int mismatches = 0;
            StringBuilder firstMisses = new StringBuilder();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT r, d FROM reals ORDER BY id")) {
                for (int i = 0; i < values.size(); i++) {
                    rs.next();
                    JsonNode after = json(h.get(i).get("after_data"));
                    Object image = types.fromImage(after.get("r"), r);
                    boolean same = values.get(i).equals(image) && values.get(i).equals(types.read(rs, 1, r));
                    if (!Double.isInfinite(values.get(i))) { // an infinite REAL in a DECIMAL column is not a decimal
                        same &= types.read(rs, 2, column(table, "d")).equals(types.fromImage(after.get("d"), column(table, "d")));
                    }
                    if (!same && mismatches++ < 5) {
                        firstMisses.append(values.get(i)).append(" -> ").append(after).append("; ");
                    }
                }
            }
            assertEquals(0, mismatches, firstMisses.toString());
        }
    }
}
