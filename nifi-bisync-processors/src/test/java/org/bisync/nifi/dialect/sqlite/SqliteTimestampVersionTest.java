/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.sqlite.SqliteFixture.history;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.number;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.rows;
import static org.bisync.nifi.dialect.sqlite.SqliteFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Last-write-wins by a user column: the triggers take the version number from {@code last_modified}. */
class SqliteTimestampVersionTest {

    private static final long Y2030 = micros("2030-01-01T00:00:00");
    private static final String CUSTOMER = "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100),"
            + " last_modified DATETIME, changed_at TIMESTAMP WITH TIME ZONE, born DATE, note TEXT)";

    private SqliteFixture db;

    @BeforeEach
    void setUp(TestInfo info) throws SQLException {
        String name = "ts_" + info.getTestMethod().orElseThrow().getName();
        db = new SqliteFixture(name.length() > 60 ? name.substring(0, 60) : name);
        try (Connection c = db.connect()) {
            run(c, CUSTOMER);
        }
    }

    private static TableSettings byTimestamp(String field, Strategy strategy) {
        return new TableSettings("customer", null, Direction.TWO_WAY, null, null, strategy, field, null, null, null, null, null);
    }

    private static long micros(String isoLocal) {
        LocalDateTime time = LocalDateTime.parse(isoLocal);
        return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000;
    }

    private SyncedTable install(TableSettings settings) throws SQLException {
        try (Connection c = db.connect()) {
            return db.install(c, settings);
        }
    }

    private void exec(String... statements) throws SQLException {
        try (Connection c = db.connect()) {
            run(c, statements);
        }
    }

    private List<Map<String, Object>> history() throws SQLException {
        try (Connection c = db.connect()) {
            return SqliteFixture.history(c);
        }
    }

    private List<Long> versions() throws SQLException {
        return history().stream().map(r -> number(r.get("version_num"))).toList();
    }

    private Map<String, Object> versionRow(long id) throws SQLException {
        try (Connection c = db.connect()) {
            return rows(c, "SELECT * FROM bisync_v_customer WHERE id = " + id).get(0);
        }
    }

    private long clockNow() throws SQLException {
        try (Connection c = db.connect()) {
            return number(rows(c, db.dialect.capture().selectClockMicros()).get(0).values().iterator().next());
        }
    }

    @Test
    void insertTakesTheTimestampColumnsInstantAsTheVersionNumberToTheMicrosecond() throws SQLException {
        SyncedTable table = install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        assertEquals("last_modified", table.timestampColumn().name());
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', '2030-01-01 00:00:00.123457')",
                "INSERT INTO customer (id, name, last_modified) VALUES (3, 'Cid', '2030-01-01T00:00:00.999999')",
                "INSERT INTO customer (id, name, last_modified) VALUES (4, 'Dan', '1969-12-31 23:59:59.999999')",
                "INSERT INTO customer (id, name, last_modified) VALUES (5, 'Eve', '2030-01-01 00:00:00.5')");
        assertEquals(List.of(Y2030, Y2030 + 123_457, Y2030 + 999_999, -1L, Y2030 + 500_000), versions());
        assertEquals(Y2030, number(versionRow(1).get("version_num")));
    }

    @Test
    void otherTimeFormatsAreReadToTheMillisecond() throws SQLException {
        install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01T05:00:00.25+05:00')",
                "INSERT INTO customer (id, changed_at) VALUES (2, 1893456000123)", // epoch millis, as the xerial driver binds
                "INSERT INTO customer (id, changed_at) VALUES (3, julianday('2030-01-01 00:00:00.5'))");
        assertEquals(List.of(Y2030 + 250_000, Y2030 + 123_000, Y2030 + 500_000), versions());
    }

    @Test
    void dateColumnGivesItsMidnightUtc() throws SQLException {
        install(byTimestamp("born", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, born) VALUES (1, '2030-01-01')");
        assertEquals(List.of(Y2030), versions());
    }

    @Test
    void updateWithAnEarlierTimestampStillRanksAboveThePreviousVersion() throws SQLException {
        install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET name = 'Bea', last_modified = '2029-06-01 00:00:00' WHERE id = 1",
                "UPDATE customer SET name = 'Cid', last_modified = '2031-01-01 00:00:00' WHERE id = 1");
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2031-01-01T00:00:00")), versions());
        assertEquals(Y2030, number(history().get(1).get("prev_num")));
    }

    @Test
    void nullOrUnreadableTimestampFallsBackToTheClock() throws SQLException {
        install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2000-01-01 00:00:00')");
        long before = clockNow();
        exec("UPDATE customer SET name = 'Bea', last_modified = NULL WHERE id = 1",
                "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', 'soon')");
        List<Map<String, Object>> history = history();
        assertEquals(micros("2000-01-01T00:00:00"), number(history.get(0).get("version_num")));
        assertTrue(number(history.get(1).get("version_num")) >= before, "the clock, not the previous + 1");
        assertEquals(number(history.get(1).get("captured_at")), number(history.get(1).get("version_num")));
        assertEquals(number(history.get(2).get("captured_at")), number(history.get(2).get("version_num")), "text that is no time");
    }

    @Test
    void deleteTakesTheClockAboveThePreviousVersionAndLeavesATombstone() throws SQLException {
        install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'), "
                + "(2, 'Bob', '2000-01-01 00:00:00')");
        long before = clockNow();
        exec("DELETE FROM customer WHERE id = 1", "DELETE FROM customer WHERE id = 2");
        List<Map<String, Object>> history = history();
        assertEquals("DELETE", history.get(2).get("operation"));
        assertEquals(Y2030 + 1, number(history.get(2).get("version_num")), "the future timestamp still outranks the clock");
        assertTrue(number(history.get(3).get("version_num")) >= before);
        assertEquals(1L, number(versionRow(1).get("deleted")));
        assertEquals(Y2030, number(versionRow(1).get("prev_num")));
    }

    @Test
    void keyChangingUpdateInsertsTheNewKeyWithTheTimestamp() throws SQLException {
        install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET id = 2, last_modified = '2030-01-02 00:00:00' WHERE id = 1");
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), history().stream().map(r -> r.get("operation")).toList());
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2030-01-02T00:00:00")), versions());
    }

    @Test
    void withoutATimestampFieldTheTriggersUseTheClock() throws SQLException {
        SyncedTable table = install(TableSettings.twoWay("customer"));
        assertNull(table.timestampColumn());
        exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        Map<String, Object> insert = history().get(0);
        assertEquals(number(insert.get("captured_at")), number(insert.get("version_num")));
    }

    @Test
    void badTimestampFieldsAreRejectedWithAClearMessage() throws SQLException {
        try (Connection c = db.connect()) {
            SchemaMismatchException missing = assertThrows(SchemaMismatchException.class,
                    () -> db.resolve(c, byTimestamp("modified", Strategy.LAST_WRITE_WINS)));
            assertTrue(missing.getMessage().contains("timestamp field 'modified' does not exist"), missing.getMessage());
            SchemaMismatchException notTemporal = assertThrows(SchemaMismatchException.class,
                    () -> db.resolve(c, byTimestamp("note", Strategy.LAST_WRITE_WINS)));
            assertTrue(notTemporal.getMessage().contains("'note'") && notTemporal.getMessage().contains("not a date/time type"),
                    notTemporal.getMessage());
            SchemaMismatchException strategy = assertThrows(SchemaMismatchException.class,
                    () -> db.resolve(c, byTimestamp("last_modified", Strategy.MANUAL)));
            assertTrue(strategy.getMessage().contains("only applies to the LAST_WRITE_WINS strategy")
                    && strategy.getMessage().contains("MANUAL"), strategy.getMessage());
        }
    }
}
