/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

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
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.exec;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.json;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbTypeMappingTest {

    private static final String COLUMNS = "(id INT PRIMARY KEY, si SMALLINT, i INT, bi BIGINT, ubi BIGINT UNSIGNED, ui INT UNSIGNED, "
            + "ti TINYINT, dec1 DECIMAL(20,6), fl FLOAT, db DOUBLE, bo TINYINT(1), bt BIT(1), ch CHAR(5), vc VARCHAR(20), tx TEXT, "
            + "js JSON, en ENUM('a','b c'), uu UUID, d DATE, tm TIME(6), dt DATETIME(6), ts TIMESTAMP(6) NULL, dt0 DATETIME, "
            + "bin VARBINARY(16), bl BLOB)";

    private static MariaDbFixture db;
    private static SyncedTable typed;
    private static TypeMapping types;

    @BeforeAll
    static void start() throws Exception {
        db = new MariaDbFixture("maria_types");
        db.exec("CREATE TABLE typed " + COLUMNS, "CREATE TABLE typed_copy " + COLUMNS);
        typed = db.install(TableSettings.twoWay("typed"));
        types = db.dialect.types();
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '+05:00'",
                    "INSERT INTO typed VALUES (1, -32768, -2147483648, -9223372036854775808, 18446744073709551615, 4294967295, -128, "
                            + "-12345678901234.123456, 3.1415927, 0.1, 1, b'1', '', 'ü 🎉 ''\"; x', '', '{\"a\": [1, 2.50, \"x\"]}', 'b c', "
                            + "'0e3f6f8e-4c1e-4b5a-9e2a-5d1f0c9b8a71', '1000-01-01', '-12:34:56.000001', '9999-12-31 23:59:59.999999', "
                            + "'2024-03-31 02:30:00.123456', '2024-01-01 00:00:01', x'00ff0041ff00', x'00ff')",
                    "INSERT INTO typed (id) VALUES (2)",
                    "INSERT INTO typed VALUES (3, 0, 0, 0, 0, 0, 0, 0.000001, -2.5e-30, 1.2345678901234567e300, 0, b'0', 'ab', '', 'x', "
                            + "'\"just text\"', 'a', NULL, '2024-02-29', '23:59:59.999999', '1970-01-01 00:00:00', '1970-01-01 05:00:01', "
                            + "'1000-01-01 00:00:00', x'', x'')");
        }
    }

    private static List<ColumnInfo> columns() {
        return typed.columns().stream().map(SyncedColumn::column).toList();
    }

    private static String selectAll(String table) {
        return "SELECT " + columns().stream().map(c -> types.selectExpression("`" + c.name() + "`", c)).reduce((a, b) -> a + ", " + b).orElseThrow()
                + " FROM " + table + " ORDER BY id";
    }

    /** Values of a table's rows read through {@link MariaDbTypeMapping#read} (in a session that is not UTC), by id. */
    private static Map<Integer, List<Object>> rawRows(String table) throws Exception {
        Map<Integer, List<Object>> rows = new HashMap<>();
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '-03:00'");
            try (PreparedStatement ps = c.prepareStatement(selectAll(table)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> values = new ArrayList<>();
                    for (int i = 0; i < columns().size(); i++) {
                        values.add(types.read(rs, i + 1, columns().get(i)));
                    }
                    rows.put((Integer) values.get(0), values);
                }
            }
        }
        return rows;
    }

    private static Map<Integer, List<Object>> readRows(String table) throws Exception {
        Map<Integer, List<Object>> rows = new HashMap<>();
        rawRows(table).forEach((id, values) -> rows.put(id, values.stream().map(MariaDbTypeMappingTest::comparable).toList()));
        return rows;
    }

    private static Object comparable(Object value) {
        return value instanceof byte[] b ? Arrays.toString(b) : value;
    }

    private static Map<Integer, List<Object>> imageRows() throws Exception {
        Map<Integer, List<Object>> rows = new HashMap<>();
        for (Map<String, Object> h : db.history("typed")) {
            JsonNode after = json(h.get("after_data"));
            List<Object> values = new ArrayList<>();
            for (ColumnInfo column : columns()) {
                values.add(comparable(types.fromImage(after.get(column.name()), column)));
            }
            rows.put((Integer) values.get(0), values);
        }
        return rows;
    }

    @Test
    void everyTypeRoundTripsThroughTheTriggerImageAndRead() throws Exception {
        Map<Integer, List<Object>> read = readRows("typed");
        assertEquals(3, read.size());
        assertEquals(read, imageRows());
        List<Object> first = read.get(1);
        int ts = names().indexOf("ts");
        assertEquals(Timestamp.valueOf(LocalDateTime.parse("2024-03-30T21:30:00.123456")), first.get(ts), "TIMESTAMP carried as UTC");
        assertEquals(new BigDecimal("18446744073709551615"), first.get(names().indexOf("ubi")));
        assertEquals(3.1415927f, first.get(names().indexOf("fl")));
        assertEquals(true, first.get(names().indexOf("bt")));
        assertEquals("-12:34:56.000001", first.get(names().indexOf("tm")));
        assertEquals("", first.get(names().indexOf("ch")), "empty string stays empty");
        assertEquals(null, read.get(2).get(names().indexOf("ch")), "NULL stays NULL");
        assertEquals("ü 🎉 '\"; x", first.get(names().indexOf("vc")));
        JsonNode image = json(db.history("typed").get(0).get("after_data"));
        assertTrue(image.get("js").isTextual(), "a JSON column travels as its text");
        assertEquals("{\"a\": [1, 2.50, \"x\"]}", first.get(names().indexOf("js")));
    }

    private static List<String> names() {
        return columns().stream().map(ColumnInfo::name).toList();
    }

    @Test
    void boundValuesGiveIdenticalRowsInASecondTable() throws Exception {
        Map<Integer, List<Object>> source = rawRows("typed");
        SyncedTable copy = db.resolve(TableSettings.twoWay("typed_copy"), "A");
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '+07:00'");
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B");
            try (PreparedStatement ps = c.prepareStatement(db.dialect.apply().upsertRows(copy, copy.columns(), source.size()))) {
                int index = 1;
                for (List<Object> row : source.values()) {
                    for (int i = 0; i < row.size(); i++) {
                        types.bind(ps, index++, row.get(i), copy.columns().get(i).column());
                    }
                }
                assertEquals(3, ps.executeUpdate());
            }
            db.dialect.apply().clearOrigin(c);
            c.commit();
            assertEquals("+07:00", query(c, "SELECT @@session.time_zone z").get(0).get("z"), "clearOrigin restores the time zone");
        }
        assertEquals(readRows("typed"), readRows("typed_copy"));
        String same = names().stream().map(n -> "CAST(t." + n + " AS BINARY) <=> CAST(c." + n + " AS BINARY)").reduce((a, b) -> a + " AND " + b).orElseThrow();
        assertEquals(3L, ((Number) db.query("SELECT COUNT(*) n FROM typed t JOIN typed_copy c ON " + same).get(0).get("n")).longValue(),
                "stored values are byte for byte the same");
    }

    @Test
    void toImageAndFromImageRoundTripEveryValue() throws Exception {
        for (List<Object> row : rawRows("typed").values()) {
            for (int i = 0; i < row.size(); i++) {
                ColumnInfo column = columns().get(i);
                assertEquals(comparable(row.get(i)), comparable(types.fromImage(types.toImage(row.get(i), column), column)), column.name());
            }
        }
        ColumnInfo bin = columns().get(names().indexOf("bin"));
        byte[] bytes = {0, -1, 65, 0};
        assertTrue(Arrays.equals(bytes, (byte[]) types.fromImage(types.toImage(bytes, bin), bin)));
    }

    @Test
    void bindRejectsWhatTheColumnCannotHoldAndNamesTheColumn() throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT ?")) {
            Map<String, Object> bad = Map.of("vc", "x".repeat(21), "dec1", new BigDecimal("1.1234567"), "ti", 128, "ubi", -1,
                    "si", 40000L, "dt0", Timestamp.valueOf("2024-01-01 00:00:01.5"), "tm", "10:00:00.1234567", "bin", new byte[17]);
            for (Map.Entry<String, Object> e : bad.entrySet()) {
                ColumnInfo column = columns().get(names().indexOf(e.getKey()));
                ValueRejectedException x = assertThrows(ValueRejectedException.class, () -> types.bind(ps, 1, e.getValue(), column), e.getKey());
                assertTrue(x.getMessage().contains("'" + e.getKey() + "'"), x.getMessage());
            }
        }
    }

    @Test
    void datetimeWithoutFractionRejectsMicrosecondsBeforeTheServerCouldRoundThem() throws Exception {
        assertTrue(db.query("SELECT @@sql_mode m").get(0).get("m").toString().contains("STRICT_TRANS_TABLES"));
        ColumnInfo dt0 = columns().get(names().indexOf("dt0"));
        assertEquals(0, dt0.scale(), "DATETIME(0) precision from the catalog");
        assertEquals(6, columns().get(names().indexOf("dt")).scale());
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("UPDATE typed SET dt0 = ? WHERE id = 3")) {
            assertThrows(ValueRejectedException.class, () -> types.bind(ps, 1, LocalDateTime.parse("2024-01-01T00:00:01.000001"), dt0));
            types.bind(ps, 1, LocalDateTime.parse("2024-01-01T00:00:02"), dt0);
            assertEquals(1, ps.executeUpdate());
        }
    }

    @Test
    void catalogReportsMariaDbTypesAndRecordTypes() {
        Map<String, String> expected = Map.of("bo", "BOOLEAN", "bt", "BOOLEAN", "js", "JSON", "ubi", "BIGINT_UNSIGNED", "ts", "TIMESTAMP",
                "uu", "TEXT", "en", "TEXT");
        expected.forEach((name, type) -> assertEquals(type, columns().get(names().indexOf(name)).typeName(), name));
        assertEquals("DECIMAL", types.recordType(columns().get(names().indexOf("ubi"))).getFieldType().name());
        assertEquals("BOOLEAN", types.recordType(columns().get(names().indexOf("bo"))).getFieldType().name());
        assertEquals("ARRAY", types.recordType(columns().get(names().indexOf("bl"))).getFieldType().name());
        assertEquals(20, columns().get(names().indexOf("vc")).size());
    }

    @Test
    void timestampReadThroughTheSelectExpressionIsUtcInAnySessionTimeZone() throws Exception {
        ColumnInfo ts = columns().get(names().indexOf("ts"));
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '-03:00'");
            try (PreparedStatement ps = c.prepareStatement("SELECT " + types.selectExpression("`" + ts.name() + "`", ts) + " FROM typed WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(Timestamp.valueOf("2024-03-30 21:30:00.123456"), types.read(rs, 1, ts));
            }
        }
    }
}
