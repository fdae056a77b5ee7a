/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TypeMappingContract;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqliteTypeMappingTest extends TypeMappingContract {

    private static final String COLUMNS = "id INTEGER NOT NULL PRIMARY KEY, i INT, s SMALLINT, b BIGINT, d DECIMAL(12,3), n NUMERIC,"
            + " r REAL, f DOUBLE, flag BOOLEAN, name VARCHAR(10), txt TEXT, dt DATE, tm TIME, ts TIMESTAMP, tstz TIMESTAMPTZ,"
            + " wide DECIMAL(30,4), ts3 TIMESTAMP(3), bin BLOB, doc JSON, u UUID";

    @Override
    protected DialectFixture createFixture(String name) {
        return new DialectFixture(new SqliteDialect(), EngineFixture.start("SQLite", "sqlite_" + name));
    }

    @Override
    protected String everyTypeColumns() {
        return COLUMNS;
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
        row.put("wide", new BigDecimal("-12345678901.1234"));
        row.put("ts3", Timestamp.valueOf("2024-02-29 13:14:15.123"));
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
        row.put("wide", new BigDecimal("1.5000"));
        row.put("ts3", Timestamp.valueOf("1970-01-01 00:00:00.001"));
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

    /** Row 1 holds the edge values, row 2 nulls, row 3 others; written through bind, as apply writes. */
    @Override
    protected void insertEveryTypeRows() throws SQLException {
        List<SyncedColumn> columns = everyType.columns();
        String sql = "INSERT INTO every_type VALUES (" + SqliteSql.placeholders(columns.size()) + ")";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map<String, Object> row : List.of(edgeRow(), nullRow(), otherRow())) {
                for (int i = 0; i < columns.size(); i++) {
                    types.bind(ps, i + 1, row.get(columns.get(i).local()), columns.get(i).column());
                }
                ps.executeUpdate();
            }
        }
    }

    @Override
    protected String portableTable() {
        return "CREATE TABLE portable (id BIGINT NOT NULL PRIMARY KEY, c_int INT, c_bigint BIGINT, c_decimal DECIMAL(20,6), c_double DOUBLE,"
                + " c_bool BOOLEAN, c_text VARCHAR(40), c_date DATE, c_timestamp TIMESTAMP(6), c_binary BLOB)";
    }

    @Override
    protected String binaryLiteral(String hex) {
        return "x'" + hex + "'";
    }

    /** Identical stored values and storage classes. */
    @Override
    protected String storedDifferences() {
        String typed = "SELECT " + String.join(", ", everyType.columns().stream().map(c -> "typeof(" + c.local() + "), " + c.local()).toList());
        return "SELECT (SELECT count(*) FROM (" + typed + " FROM every_type EXCEPT " + typed + " FROM every_type_copy))"
                + " + (SELECT count(*) FROM (" + typed + " FROM every_type_copy EXCEPT " + typed + " FROM every_type))";
    }

    @Override
    protected Map<String, String> expectedCatalog() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("d", "DECIMAL(12,3)");
        expected.put("name", "VARCHAR(10,0)");
        expected.put("ts3", "TIMESTAMP(3,0)");
        return expected;
    }

    @Override
    protected Map<String, DataType> expectedRecordTypes() {
        Map<String, DataType> expected = new LinkedHashMap<>();
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
        expected.put("wide", RecordFieldType.DECIMAL.getDecimalDataType(30, 4));
        expected.put("ts3", RecordFieldType.TIMESTAMP.getDataType());
        expected.put("bin", RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType()));
        expected.put("doc", RecordFieldType.STRING.getDataType());
        expected.put("u", RecordFieldType.STRING.getDataType());
        return expected;
    }

    @Override
    protected List<Bind> binds() {
        return List.of(refused("name", "x".repeat(11), "at most 10"),
                taken("name", "😀".repeat(10)), // ten code points fit
                refused("d", new BigDecimal("1.2345"), "3 decimal places"),
                refused("d", new BigDecimal("12345678901.5"), "12 digits"),
                refused("wide", new BigDecimal("12345678901234.5678"), "15 significant digits"),
                refused("wide", new BigDecimal("12345678901234567890"), "15 significant digits"),
                taken("wide", new BigDecimal("1234567890123456789")), // a whole number up to 64 bits is stored as an integer
                refused("i", 2_147_483_648L, "-2147483648 to 2147483647"),
                refused("s", 40_000, "-32768 to 32767"),
                refused("r", Double.NaN, "NaN"),
                refused("ts", Timestamp.valueOf("2024-01-01 00:00:00.123456789"), "6 fractional"),
                refused("ts3", Timestamp.valueOf("2024-01-01 00:00:00.1234"), "3 fractional"),
                refused("u", "not-a-uuid", "UUID"),
                refused("flag", "maybe", "true or false"));
    }

    @Test
    void boundRecordValuesReadBackUnchanged() throws SQLException {
        List<Map<String, Object>> read = readRows(db, "every_type");
        assertEquals(comparable(edgeRow()), comparable(read.get(0)), "what bind stored reads back as the same record values");
        Map<String, Object> expectedOther = comparable(otherRow());
        expectedOther.put("u", "00000000-0000-0000-0000-00000000000a");
        assertEquals(expectedOther, comparable(read.get(2)));
        assertEquals(comparable(nullRow()), comparable(read.get(1)));
        assertEquals("", read.get(2).get("name"), "empty string is not NULL");
    }

    private static ColumnInfo column(SyncedTable table, String name) {
        return table.byLocal(name).orElseThrow().column();
    }

    @Test
    void decimalsKeepTheirDeclaredScaleAndLongWholeNumbersExactly() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "CREATE TABLE money (id INTEGER NOT NULL PRIMARY KEY, amount DECIMAL(12,3), big NUMERIC(20,0))");
            SyncedTable table = db.install(TableSettings.twoWay("money"));
            ColumnInfo amount = table.columns().get(1).column();
            ColumnInfo big = table.columns().get(2).column();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO money VALUES (1, ?, ?)")) {
                types.bind(ps, 1, new BigDecimal("123.450"), amount);
                types.bind(ps, 2, new BigDecimal("9223372036854775807"), big);
                ps.executeUpdate();
            }
            assertEquals(List.of(Map.of("a", "real", "b", "integer")), Jdbc.rows(c, "SELECT typeof(amount) AS a, typeof(big) AS b FROM money"));
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT amount, big FROM money")) {
                rs.next();
                BigDecimal read = (BigDecimal) types.read(rs, 1, amount);
                assertEquals("123.450", read.toPlainString());
                assertEquals(new BigDecimal("9223372036854775807"), types.read(rs, 2, big));
            }
            JsonNode after = DialectFixture.json(db.history("money").get(0).get("after_data"));
            assertEquals("123.450", ((BigDecimal) types.fromImage(after.get("amount"), amount)).toPlainString());
            assertEquals(RecordFieldType.DECIMAL.getDecimalDataType(12, 3), types.recordType(amount));
        }
    }

    @Test
    void valuesOtherApplicationsStoredAreReadByDeclaredTypeOrRejected() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "CREATE TABLE foreign_writes (id INTEGER PRIMARY KEY, n INT, ts DATETIME, jd DATETIME, t TEXT, u UUID)");
            SyncedTable table = db.install(TableSettings.twoWay("foreign_writes"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO foreign_writes VALUES (1, 'abc', ?, "
                    + "julianday('2024-05-06 07:08:09.500'), x'C3BC', ?)")) {
                ps.setTimestamp(1, new Timestamp(1_700_000_000_123L)); // the driver stores epoch millis
                ps.setBytes(2, new byte[]{0x12, 0x3e, 0x45, 0x67, (byte) 0xe8, (byte) 0x9b, 0x12, (byte) 0xd3, (byte) 0xa4, 0x56, 0x42,
                        0x66, 0x14, 0x17, 0x40, 0x00});
                ps.executeUpdate();
            }
            JsonNode after = DialectFixture.json(db.history("foreign_writes").get(0).get("after_data"));
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
    void looseRecordValuesAreConvertedOnBind() throws SQLException {
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "CREATE TABLE loose (id INTEGER PRIMARY KEY, b BIGINT, ts TIMESTAMP, bin BLOB, d DECIMAL(5,2))");
            SyncedTable table = db.resolve(TableSettings.twoWay("loose"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO loose VALUES (1, ?, ?, ?, ?)")) {
                types.bind(ps, 1, 42, column(table, "b"));
                types.bind(ps, 2, "2024-01-02T03:04:05.000006", column(table, "ts"));
                types.bind(ps, 3, new Object[]{(byte) 1, (byte) -1}, column(table, "bin"));
                types.bind(ps, 4, "1.5", column(table, "d"));
                ps.executeUpdate();
            }
            Map<String, Object> row = Jdbc.rows(c, "SELECT b, ts, hex(bin) AS bin, d FROM loose").get(0);
            assertEquals(42, row.get("b"));
            assertEquals("2024-01-02 03:04:05.000006", row.get("ts"));
            assertEquals("01FF", row.get("bin"));
            assertEquals(1.5, row.get("d"));
            assertEquals(0, Jdbc.count(c, "SELECT count(*) FROM loose WHERE ts IS NULL"));
            assertTrue(Arrays.equals(new byte[]{1, -1}, (byte[]) types.fromImage(DialectFixture.json("\"01FF\""), column(table, "bin"))));
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
            Jdbc.exec(c, "CREATE TABLE reals (id INTEGER PRIMARY KEY, r REAL, d DECIMAL)");
            SyncedTable table = db.install(TableSettings.twoWay("reals"));
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
            List<Map<String, Object>> h = db.history("reals");
            int mismatches = 0;
            StringBuilder firstMisses = new StringBuilder();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT r, d FROM reals ORDER BY id")) {
                for (int i = 0; i < values.size(); i++) {
                    rs.next();
                    JsonNode after = DialectFixture.json(h.get(i).get("after_data"));
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
