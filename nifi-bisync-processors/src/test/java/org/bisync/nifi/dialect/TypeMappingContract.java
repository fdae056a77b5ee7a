/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.record.DataType;
import org.bisync.nifi.apply.ApplyOutcome;
import org.bisync.nifi.apply.ApplyResult;
import org.bisync.nifi.apply.ApplyStatus;
import org.bisync.nifi.apply.ChangeApplier;
import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every dialect's {@link TypeMapping} promises (the value types of its javadoc), proved on the real engine.
 * Two tables: {@code portable}, the same columns and values on every engine, goes through capture, the change record
 * and apply into a second database, and each type family is checked against the record value it must become;
 * {@code every_type}, the engine's own widest set of types with their edge values, checks that trigger images, reads,
 * binds and images written by apply agree, and what bind refuses. One subclass per engine adds what only it has.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class TypeMappingContract {

    protected static final TableSettings EVERY_TYPE = TableSettings.twoWay("every_type");
    private static final TableSettings PORTABLE = TableSettings.twoWay("portable");
    private static final String PORTABLE_TEXT = "Zoë 🚀 'q' \"x\"; -- —";

    protected DialectFixture db;
    protected TypeMapping types;
    protected SyncedTable everyType;
    private DialectFixture target;
    private List<ChangeRecord> captured;
    private ApplyResult applied;
    private final List<String> applyWarnings = new ArrayList<>();

    /** A fresh database of the engine; the contract asks for two: {@code types} and {@code types_target}. */
    protected abstract DialectFixture createFixture(String name) throws SQLException;

    /** The column definitions of {@code every_type}: the key {@code id} first, then a column of each type the engine has. */
    protected abstract String everyTypeColumns();

    /** Statements creating the user-defined types {@code every_type} uses. */
    protected List<String> userTypes() {
        return List.of();
    }

    /** Writes the rows of {@code every_type} (three, ids 1 to 3): the edge values of each type, and a row of nulls. */
    protected abstract void insertEveryTypeRows() throws SQLException;

    /**
     * DDL of {@code portable (id bigint key, c_int int, c_bigint bigint, c_decimal decimal(20,6), c_double double,
     * c_bool boolean, c_text varchar(40), c_date date, c_timestamp timestamp(6), c_binary)} in the engine's type names.
     */
    protected abstract String portableTable();

    /** A binary literal of the hex digits (maybe none). */
    protected abstract String binaryLiteral(String hex);

    /** A statement setting the session time zone far from UTC for reads, or null when the engine has none. */
    protected String readingTimeZone() {
        return null;
    }

    /** Another time zone for writes, or null. */
    protected String writingTimeZone() {
        return null;
    }

    /** SQL counting the rows of {@code every_type} and {@code every_type_copy} without a twin stored the same in the other. */
    protected abstract String storedDifferences();

    /** Catalog facts of some columns of {@code every_type}, each as {@code typeName(size,scale)} or the type name alone. */
    protected abstract Map<String, String> expectedCatalog();

    /** The record types of some columns of {@code every_type}. */
    protected abstract Map<String, DataType> expectedRecordTypes();

    /** Values {@link TypeMapping#bind} must refuse for a column of {@code every_type}, and values it must take. */
    protected abstract List<Bind> binds();

    /** A value bound to a column of {@code every_type}: refused with a message holding {@code why} (when not null), or taken. */
    protected record Bind(String column, Object value, boolean refused, String why) {
    }

    protected static Bind refused(String column, Object value, String why) {
        return new Bind(column, value, true, why);
    }

    protected static Bind taken(String column, Object value) {
        return new Bind(column, value, false, null);
    }

    @BeforeAll
    void createTablesCaptureAndApply() throws SQLException {
        db = createFixture("types");
        types = db.dialect.types();
        db.reset();
        db.exec(userTypes());
        db.exec("CREATE TABLE every_type (" + everyTypeColumns() + ")", "CREATE TABLE every_type_copy (" + everyTypeColumns() + ")",
                portableTable());
        everyType = db.install(EVERY_TYPE);
        insertEveryTypeRows();
        SyncedTable portable = db.install(PORTABLE);
        db.exec("INSERT INTO portable VALUES (1, 2147483647, 9223372036854775807, 123456789.123456, 1.7976931348623157E308, TRUE, '"
                        + PORTABLE_TEXT.replace("'", "''") + "', '9999-12-31', '2024-02-29 13:14:15.123456', " + binaryLiteral("00ff10ab00") + ")",
                "INSERT INTO portable VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
                "INSERT INTO portable VALUES (3, -2147483648, -9223372036854775808, -0.000001, 0.1, FALSE, '', '1900-01-01',"
                        + " '1900-01-01 00:00:00.000001', " + binaryLiteral("") + ")");
        captured = capture(portable);

        target = createFixture("types_target");
        target.reset();
        target.exec(portableTable());
        SyncTopology topology = DialectFixture.topology(PORTABLE);
        try (Connection c = target.connect()) {
            SyncedTable atTarget = new SyncedTableResolver(target.dialect, topology).resolve(c, PORTABLE, "B");
            Jdbc.exec(c, target.dialect.capture().installTable(atTarget));
            applied = new ChangeApplier(target.dialect, topology, "B", 500, applyWarnings::add).apply(c, atTarget, captured);
        }
    }

    /** The change records capture emits for the table's history, decided APPLY as ResolveConflicts would. */
    private List<ChangeRecord> capture(SyncedTable table) throws SQLException {
        ChangeDecoder decoder = new ChangeDecoder(types, "A");
        List<ChangeRecord> changes = new ArrayList<>();
        try (Connection c = db.connect()) {
            for (HistoryRow row : new HistoryReader(db.dialect.capture()).readUnreleased(c, 1000)) {
                if (row.tableName().equals(table.localName())) {
                    ChangeRecord change = decoder.decode(row, table);
                    change.decision = Decision.APPLY;
                    changes.add(change);
                }
            }
        }
        return changes;
    }

    // ---- portable: capture -> change record -> apply, one type family at a time ----------------------------------

    @Test
    void capturedChangesApplyIntoTheOtherDatabaseAndAreNotCapturedThere() throws SQLException {
        assertEquals(List.of(Operation.INSERT, Operation.INSERT, Operation.INSERT), captured.stream().map(c -> c.operation).toList());
        assertEquals(List.of(ApplyStatus.APPLIED, ApplyStatus.APPLIED, ApplyStatus.APPLIED),
                applied.outcomes().stream().map(ApplyOutcome::status).toList(), () -> String.valueOf(applied.outcomes()));
        assertEquals(List.of(), applyWarnings);
        assertEquals(3, target.count("SELECT count(*) FROM portable"));
        assertEquals(0, target.count("SELECT count(*) FROM " + BisyncTables.HISTORY), "the target's triggers skip the applier's writes");
    }

    @Test
    void integersKeepTheirLimits() throws SQLException {
        assertRoundTrip("c_int", Integer.MAX_VALUE, Integer.MIN_VALUE);
        assertRoundTrip("c_bigint", Long.MAX_VALUE, Long.MIN_VALUE);
    }

    @Test
    void decimalsKeepTheirDigitsAndDeclaredScale() throws SQLException {
        assertRoundTrip("c_decimal", new BigDecimal("123456789.123456"), new BigDecimal("-0.000001"));
    }

    @Test
    void doublesKeepEveryBit() throws SQLException {
        assertRoundTrip("c_double", Double.MAX_VALUE, 0.1);
    }

    @Test
    void booleansStayBooleans() throws SQLException {
        assertRoundTrip("c_bool", true, false);
    }

    @Test
    void textKeepsUnicodeAndQuotesAndTheEmptyStringIsNotNull() throws SQLException {
        assertRoundTrip("c_text", PORTABLE_TEXT, "");
    }

    @Test
    void binaryKeepsEveryByteAndTheEmptyValue() throws SQLException {
        assertRoundTrip("c_binary", new byte[]{0, (byte) 0xff, 0x10, (byte) 0xab, 0}, new byte[0]);
        ColumnInfo binary = portableColumn("c_binary");
        byte[] bytes = {0, -1, 65, 0};
        assertArrayEquals(bytes, (byte[]) types.fromImage(types.toImage(bytes, binary), binary));
    }

    @Test
    void datesAndTimestampsKeepTheirDayAndMicroseconds() throws SQLException {
        assertRoundTrip("c_date", Date.valueOf("9999-12-31"), Date.valueOf("1900-01-01"));
        assertRoundTrip("c_timestamp", Timestamp.valueOf("2024-02-29 13:14:15.123456"), Timestamp.valueOf("1900-01-01 00:00:00.000001"));
    }

    @Test
    void nullStaysNullInEveryColumn() throws SQLException {
        ChangeRecord change = captured.get(1);
        List<Map<String, Object>> atTarget = readRows(target, "portable");
        for (String column : List.of("c_int", "c_bigint", "c_decimal", "c_double", "c_bool", "c_text", "c_date", "c_timestamp", "c_binary")) {
            assertTrue(change.after.containsKey(column), column);
            assertNull(change.after.get(column), column);
            assertNull(atTarget.get(1).get(column), column);
        }
        assertEquals(2L, atTarget.get(1).get("id"));
    }

    /** Rows 1 and 3 of {@code portable}: the record value of the change captured, and what the target reads after apply. */
    private void assertRoundTrip(String column, Object first, Object third) throws SQLException {
        List<Map<String, Object>> atTarget = readRows(target, "portable");
        List<Map<String, Object>> atSource = readRows(db, "portable");
        assertSameValue(first, captured.get(0).after.get(column), column + " of row 1 in the change record");
        assertSameValue(third, captured.get(2).after.get(column), column + " of row 3 in the change record");
        assertSameValue(first, atSource.get(0).get(column), column + " of row 1 read at the source");
        assertSameValue(third, atSource.get(2).get(column), column + " of row 3 read at the source");
        assertSameValue(first, atTarget.get(0).get(column), column + " of row 1 after apply");
        assertSameValue(third, atTarget.get(2).get(column), column + " of row 3 after apply");
    }

    private ColumnInfo portableColumn(String name) throws SQLException {
        return db.resolve(PORTABLE).byLocal(name).orElseThrow().column();
    }

    // ---- every_type: the engine's own types ------------------------------------------------------------------------

    @Test
    void catalogReportsTypeNamesSizesAndScales() {
        Map<String, String> actual = new LinkedHashMap<>();
        expectedCatalog().keySet().forEach(name -> {
            ColumnInfo c = column(name);
            actual.put(name, c.typeName() + (expectedCatalog().get(name).contains("(") ? "(" + c.size() + "," + c.scale() + ")" : ""));
        });
        assertEquals(expectedCatalog(), actual);
    }

    @Test
    void recordTypesFollowTheColumnTypes() {
        Map<String, DataType> actual = new LinkedHashMap<>();
        expectedRecordTypes().keySet().forEach(name -> actual.put(name, types.recordType(column(name))));
        assertEquals(expectedRecordTypes(), actual);
    }

    @Test
    void triggerImagesDecodeToWhatTheRowReads() throws SQLException {
        Map<Object, JsonNode> images = new LinkedHashMap<>();
        for (Map<String, Object> history : db.history("every_type")) {
            JsonNode after = DialectFixture.json(history.get("after_data"));
            images.put(types.fromImage(after.get("id"), column("id")), after); // the last image of each row
        }
        List<Map<String, Object>> rows = readRows(db, "every_type");
        assertEquals(3, rows.size());
        for (Map<String, Object> row : rows) {
            JsonNode image = images.get(row.get("id"));
            for (SyncedColumn column : everyType.columns()) {
                assertSameValue(row.get(column.local()), types.fromImage(image.get(column.local()), column.column()),
                        "row " + row.get("id") + " column " + column.local() + " image " + image);
            }
        }
    }

    @Test
    void boundValuesGiveIdenticalRowsInASecondTable() throws SQLException {
        List<Map<String, Object>> rows = readRows(db, "every_type");
        SyncedTable copy = db.resolve(TableSettings.twoWay("every_type_copy"));
        try (Connection c = db.connect()) {
            if (writingTimeZone() != null) {
                Jdbc.exec(c, writingTimeZone());
            }
            c.setAutoCommit(false);
            db.dialect.apply().markOrigin(c, "B"); // apply writes between markOrigin and clearOrigin
            try (PreparedStatement statement = c.prepareStatement(db.dialect.apply().upsertRows(copy, copy.writableColumns(), rows.size()))) {
                int index = 1;
                for (Map<String, Object> row : rows) {
                    for (SyncedColumn column : copy.writableColumns()) {
                        types.bind(statement, index++, row.get(column.local()), column.column());
                    }
                }
                assertEquals(rows.size(), statement.executeUpdate());
            }
            db.dialect.apply().clearOrigin(c);
            c.commit();
        }
        List<Map<String, Object>> copied = readRows(db, "every_type_copy");
        assertEquals(rows.size(), copied.size());
        for (int i = 0; i < rows.size(); i++) {
            for (String column : rows.get(i).keySet()) {
                assertSameValue(rows.get(i).get(column), copied.get(i).get(column), "row " + rows.get(i).get("id") + " column " + column);
            }
        }
        assertEquals(0, db.count(storedDifferences()), "stored values are the same in both tables");
    }

    @Test
    void toImageAndFromImageRoundTripEveryValue() throws SQLException {
        for (Map<String, Object> row : readRows(db, "every_type")) {
            for (SyncedColumn column : everyType.columns()) {
                Object value = row.get(column.local());
                JsonNode reparsed = DialectFixture.json(types.toImage(value, column.column()).toString());
                assertSameValue(value, types.fromImage(reparsed, column.column()), "row " + row.get("id") + " column " + column.local());
            }
        }
    }

    @Test
    void bindRefusesWhatTheColumnCannotHoldAndNamesTheColumn() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement statement = c.prepareStatement("SELECT ?")) {
            for (Bind bind : binds()) {
                ColumnInfo column = column(bind.column());
                if (!bind.refused()) {
                    types.bind(statement, 1, bind.value(), column);
                    continue;
                }
                ValueRejectedException e = assertThrows(ValueRejectedException.class, () -> types.bind(statement, 1, bind.value(), column),
                        bind.column() + " should refuse " + bind.value());
                assertEquals(bind.column(), e.column());
                assertTrue(e.getMessage().contains("'" + bind.column() + "'"), e.getMessage());
                assertTrue(bind.why() == null || e.getMessage().contains(bind.why()), e.getMessage());
            }
        }
    }

    // ---- helpers for the engines' own tests ----------------------------------------------------------------------

    protected ColumnInfo column(String name) {
        return everyType.byLocal(name).orElseThrow().column();
    }

    /**
     * The rows of a table with the columns of {@code every_type} or {@code portable}, ordered by id, read through
     * {@link TypeMapping#selectExpression} and {@link TypeMapping#read} in a session in {@link #readingTimeZone}.
     */
    protected List<Map<String, Object>> readRows(DialectFixture database, String table) throws SQLException {
        List<SyncedColumn> columns = (table.startsWith("portable") ? database.resolve(PORTABLE) : everyType).columns();
        String select = String.join(", ", columns.stream().map(c -> types.selectExpression(database.quote(c.local()), c.column())).toList());
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = database.connect()) {
            if (readingTimeZone() != null) {
                Jdbc.exec(c, readingTimeZone());
            }
            try (PreparedStatement statement = c.prepareStatement("SELECT " + select + " FROM " + table + " ORDER BY id");
                 ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        row.put(columns.get(i).local(), types.read(rs, i + 1, columns.get(i).column()));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** Equal values of the same class; byte arrays by content. */
    protected static void assertSameValue(Object expected, Object actual, String message) {
        if (expected == null) {
            assertNull(actual, message);
        } else if (expected instanceof byte[] bytes) {
            assertInstanceOf(byte[].class, actual, message);
            assertArrayEquals(bytes, (byte[]) actual, message);
        } else {
            assertEquals(expected, actual, message);
            assertEquals(expected.getClass(), actual.getClass(), message);
        }
    }

    /** Byte arrays as lists, so that rows of record values compare with equals. */
    protected static Map<String, Object> comparable(Map<String, Object> row) {
        Map<String, Object> result = new LinkedHashMap<>();
        row.forEach((k, v) -> result.put(k, v instanceof byte[] b ? Arrays.toString(b) : v));
        return result;
    }
}
