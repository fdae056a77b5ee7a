/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.dialect.DialectFixture.num;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Last-write-wins by a user column, on every engine: the triggers take the version number from {@code last_modified}
 * (or another date/time column), in UTC microseconds. One subclass per engine adds its own date/time types.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
public abstract class TimestampVersionContract {

    protected static final long Y2030 = micros("2030-01-01T00:00:00");

    protected DialectFixture db;

    protected abstract DialectFixture createFixture() throws SQLException;

    /** DDL of {@code customer (id, name, last_modified, changed_at, born)}: a local date-time, an instant and a date. */
    protected abstract String customerTable();

    /** A statement moving the session's time zone away from UTC, or null when the engine has none. */
    protected abstract String setSessionTimeZone();

    /** A literal of {@code last_modified} that is no readable point in time (the triggers take the clock then). */
    protected abstract String unreadableTimestamp();

    @BeforeAll
    void createDatabase() throws SQLException {
        db = createFixture();
    }

    @BeforeEach
    void freshCustomerTable() throws SQLException {
        db.reset();
        db.exec(customerTable());
    }

    protected static TableSettings byTimestamp(String field, Strategy strategy) {
        return new TableSettings("customer", null, Direction.TWO_WAY, null, null, strategy, field, null, null, null, null, null);
    }

    protected static long micros(String isoLocal) {
        LocalDateTime time = LocalDateTime.parse(isoLocal);
        return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000;
    }

    protected List<Long> versions() throws SQLException {
        return db.history().stream().map(r -> num(r.get("version_num"))).toList();
    }

    protected Map<String, Object> versionRow(long id) throws SQLException {
        return db.version("customer", "id = " + id);
    }

    @Test
    void insertTakesTheTimestampColumnsInstantToTheMicrosecondWhateverTheSessionTimeZone() throws SQLException {
        SyncedTable table = db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        assertEquals("last_modified", table.timestampColumn().name());
        try (Connection c = db.connect()) {
            if (setSessionTimeZone() != null) {
                Jdbc.exec(c, setSessionTimeZone());
            }
            Jdbc.exec(c, "INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                    "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', '2030-01-01 00:00:00.123457')",
                    "INSERT INTO customer (id, name, last_modified) VALUES (3, 'Cid', '1969-12-31 23:59:59.999999')");
        }
        assertEquals(List.of(Y2030, Y2030 + 123_457, -1L), versions(), "microseconds are exact; before 1970 the number is negative");
        assertEquals(Y2030, num(versionRow(1).get("version_num")));
    }

    @Test
    void dateColumnGivesItsMidnightUtc() throws SQLException {
        db.install(byTimestamp("born", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, born) VALUES (1, '2030-01-01')");
        assertEquals(List.of(Y2030), versions());
    }

    @Test
    void updateWithAnEarlierTimestampStillRanksAboveThePreviousVersion() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET name = 'Bea', last_modified = '2029-06-01 00:00:00' WHERE id = 1",
                "UPDATE customer SET name = 'Cid', last_modified = '2031-01-01 00:00:00' WHERE id = 1");
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2031-01-01T00:00:00")), versions());
        assertEquals(Y2030, num(db.history().get(1).get("prev_num")));
    }

    @Test
    void nullOrUnreadableTimestampFallsBackToTheClock() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2000-01-01 00:00:00')");
        long before = db.clockMicros();
        db.exec("UPDATE customer SET name = 'Bea', last_modified = NULL WHERE id = 1",
                "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', " + unreadableTimestamp() + ")");
        List<Map<String, Object>> history = db.history();
        assertEquals(micros("2000-01-01T00:00:00"), num(history.get(0).get("version_num")));
        assertTrue(num(history.get(1).get("version_num")) >= before, "the clock, not the previous + 1");
        assertEquals(num(history.get(1).get("captured_at")), num(history.get(1).get("version_num")));
        assertEquals(num(history.get(2).get("captured_at")), num(history.get(2).get("version_num")),
                unreadableTimestamp() + " takes the clock too");
    }

    @Test
    void deleteTakesTheClockAboveThePreviousVersionAndLeavesATombstone() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'), "
                + "(2, 'Bob', '2000-01-01 00:00:00')");
        long before = db.clockMicros();
        db.exec("DELETE FROM customer WHERE id = 1", "DELETE FROM customer WHERE id = 2");
        List<Map<String, Object>> history = db.history();
        assertEquals("DELETE", history.get(2).get("operation"));
        assertEquals(Y2030 + 1, num(history.get(2).get("version_num")), "the future timestamp still outranks the clock");
        assertTrue(num(history.get(3).get("version_num")) >= before);
        assertTrue(DialectFixture.deleted(versionRow(1)));
        assertEquals(Y2030, num(versionRow(1).get("prev_num")));
    }

    @Test
    void keyChangingUpdateInsertsTheNewKeyWithTheTimestamp() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET id = 2, last_modified = '2030-01-02 00:00:00' WHERE id = 1");
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), db.operations());
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2030-01-02T00:00:00")), versions());
    }

    /**
     * Between the install of the triggers and the initial load's stamp, a row that existed before has no version row. A
     * write to it in that window must rank above the stamp every other system gives its untouched copy (the row's
     * timestamp), or that copy wins and the user's write is lost on both sides; and the stamp must keep its version.
     */
    @Test
    void writeBetweenTriggerInstallAndStampRanksAboveTheStampOfTheUntouchedRow() throws SQLException {
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'), "
                + "(2, 'Bob', '2030-01-01 00:00:00'), (3, 'Cid', '2030-01-01 00:00:00')");
        SyncedTable table = db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("UPDATE customer SET name = 'Bea' WHERE id = 1", "DELETE FROM customer WHERE id = 3");
        List<Map<String, Object>> history = db.history();
        long updated = num(history.get(0).get("version_num"));
        long deleted = num(history.get(1).get("version_num"));

        db.exec(db.dialect.capture().stampMissingVersions(table));
        long untouched = num(versionRow(2).get("version_num"));
        assertEquals(Y2030, untouched, "the stamp of an untouched row is its timestamp");
        assertTrue(updated > untouched, "an update that kept the timestamp ranks above the stamp: " + updated);
        assertTrue(deleted > untouched, "a delete of a row with a future timestamp ranks above its stamp: " + deleted);
        assertEquals(updated, num(versionRow(1).get("version_num")), "the stamp keeps the version the write gave");
        assertTrue(DialectFixture.deleted(versionRow(3)), "the stamp does not bring back the deleted row's version");
    }

    @Test
    void withoutATimestampFieldTheTriggersUseTheClock() throws SQLException {
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        assertNull(table.timestampColumn());
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        Map<String, Object> insert = db.history().get(0);
        assertEquals(num(insert.get("captured_at")), num(insert.get("version_num")));
    }

    @Test
    void badTimestampFieldsAreRejectedWithAClearMessage() {
        SchemaMismatchException missing = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("modified", Strategy.LAST_WRITE_WINS)));
        assertTrue(missing.getMessage().contains("timestamp field 'modified' does not exist"), missing.getMessage());
        SchemaMismatchException notTemporal = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("name", Strategy.LAST_WRITE_WINS)));
        assertTrue(notTemporal.getMessage().contains("'name'") && notTemporal.getMessage().contains("not a date/time type"),
                notTemporal.getMessage());
        for (Strategy other : List.of(Strategy.SYSTEM_PRIORITY, Strategy.FIELD_NEWEST, Strategy.MANUAL)) {
            SchemaMismatchException strategy = assertThrows(SchemaMismatchException.class,
                    () -> db.resolve(byTimestamp("last_modified", other)));
            assertTrue(strategy.getMessage().contains("only applies to the LAST_WRITE_WINS strategy")
                    && strategy.getMessage().contains(other.name()), strategy.getMessage());
            assertFalse(strategy.getMessage().isBlank());
        }
    }
}
