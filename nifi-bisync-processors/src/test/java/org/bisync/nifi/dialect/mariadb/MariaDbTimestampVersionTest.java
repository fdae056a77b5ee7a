/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.exec;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.num;
import static org.bisync.nifi.dialect.mariadb.MariaDbFixture.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Last-write-wins by a user column: the triggers take the version number from {@code last_modified}. */
class MariaDbTimestampVersionTest {

    private static final long Y2030 = micros("2030-01-01T00:00:00");

    private static MariaDbFixture db;

    @BeforeAll
    static void start() {
        db = new MariaDbFixture("maria_timestamp_version");
    }

    @BeforeEach
    void freshTables() throws Exception {
        try (Connection c = db.connect()) {
            for (Map<String, Object> t : query(c, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
                exec(c, "DROP TABLE " + db.dialect.identifiers().quote((String) t.get("TABLE_NAME")));
            }
            exec(c, "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(100), last_modified DATETIME(6) NULL, "
                    + "changed_at TIMESTAMP(6) NULL DEFAULT NULL, born DATE NULL)");
        }
    }

    private static TableSettings byTimestamp(String field, Strategy strategy) {
        return new TableSettings("customer", null, Direction.TWO_WAY, null, null, strategy, field, null, null, null, null, null);
    }

    private static long micros(String isoLocal) {
        LocalDateTime time = LocalDateTime.parse(isoLocal);
        return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000;
    }

    private static long clockNow() throws Exception {
        return num(db.query(db.dialect.capture().selectClockMicros()).get(0).values().iterator().next());
    }

    private static List<Long> versions() throws Exception {
        return db.history().stream().map(r -> num(r.get("version_num"))).toList();
    }

    private static Map<String, Object> versionRow(long id) throws Exception {
        return db.query("SELECT * FROM bisync_v_customer WHERE id = " + id).get(0);
    }

    @Test
    void insertTakesTheDatetimeWallClockAsUtcWhateverTheSessionTimeZone() throws Exception {
        SyncedTable table = db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        assertEquals("last_modified", table.timestampColumn().name());
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '+05:00'",
                    "INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                    "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', '2030-01-01 00:00:00.123457')",
                    "INSERT INTO customer (id, name, last_modified) VALUES (3, 'Cid', '1969-12-31 23:59:59.999999')",
                    "SET time_zone = SYSTEM");
        }
        assertEquals(List.of(Y2030, Y2030 + 123_457, -1L), versions());
        assertEquals(Y2030, num(versionRow(1).get("version_num")));
    }

    @Test
    void timestampColumnGivesItsUtcInstantWhateverTheSessionTimeZone() throws Exception {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        try (Connection c = db.connect()) {
            exec(c, "SET time_zone = '+05:00'",
                    "INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01 05:00:00.5')",
                    "SET time_zone = SYSTEM");
        }
        assertEquals(List.of(Y2030 + 500_000), versions());
    }

    @Test
    void dateColumnGivesItsMidnightUtc() throws Exception {
        db.install(byTimestamp("born", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, born) VALUES (1, '2030-01-01')");
        assertEquals(List.of(Y2030), versions());
    }

    @Test
    void updateWithAnEarlierTimestampStillRanksAboveThePreviousVersion() throws Exception {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET name = 'Bea', last_modified = '2029-06-01 00:00:00' WHERE id = 1",
                "UPDATE customer SET name = 'Cid', last_modified = '2031-01-01 00:00:00' WHERE id = 1");
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2031-01-01T00:00:00")), versions());
        assertEquals(Y2030, num(db.history().get(1).get("prev_num")));
    }

    @Test
    void nullOrZeroTimestampFallsBackToTheClock() throws Exception {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2000-01-01 00:00:00')");
        long before = clockNow();
        db.exec("UPDATE customer SET name = 'Bea', last_modified = NULL WHERE id = 1",
                "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', '0000-00-00 00:00:00')");
        List<Map<String, Object>> history = db.history();
        assertEquals(micros("2000-01-01T00:00:00"), num(history.get(0).get("version_num")));
        assertTrue(num(history.get(1).get("version_num")) >= before, "the clock, not the previous + 1");
        assertEquals(num(history.get(1).get("captured_at")), num(history.get(1).get("version_num")));
        assertEquals(num(history.get(2).get("captured_at")), num(history.get(2).get("version_num")), "a zero date takes the clock");
    }

    @Test
    void zeroTimestampColumnFallsBackToTheClock() throws Exception {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, changed_at) VALUES (1, '0000-00-00 00:00:00')");
        Map<String, Object> insert = db.history().get(0);
        assertEquals(num(insert.get("captured_at")), num(insert.get("version_num")));
    }

    @Test
    void deleteTakesTheClockAboveThePreviousVersionAndLeavesATombstone() throws Exception {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'), "
                + "(2, 'Bob', '2000-01-01 00:00:00')");
        long before = clockNow();
        db.exec("DELETE FROM customer WHERE id = 1", "DELETE FROM customer WHERE id = 2");
        List<Map<String, Object>> history = db.history();
        assertEquals("DELETE", history.get(2).get("operation"));
        assertEquals(Y2030 + 1, num(history.get(2).get("version_num")), "the future timestamp still outranks the clock");
        assertTrue(num(history.get(3).get("version_num")) >= before);
        assertEquals(Boolean.TRUE, versionRow(1).get("deleted"));
        assertEquals(Y2030, num(versionRow(1).get("prev_num")));
    }

    @Test
    void keyChangingUpdateInsertsTheNewKeyWithTheTimestamp() throws Exception {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')",
                "UPDATE customer SET id = 2, last_modified = '2030-01-02 00:00:00' WHERE id = 1");
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), db.history().stream().map(r -> r.get("operation")).toList());
        assertEquals(List.of(Y2030, Y2030 + 1, micros("2030-01-02T00:00:00")), versions());
    }

    @Test
    void withoutATimestampFieldTheTriggersUseTheClock() throws Exception {
        SyncedTable table = db.install(TableSettings.twoWay("customer"));
        assertNull(table.timestampColumn());
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        Map<String, Object> insert = db.history().get(0);
        assertEquals(num(insert.get("captured_at")), num(insert.get("version_num")));
    }

    @Test
    void badTimestampFieldsAreRejectedWithAClearMessage() {
        SchemaMismatchException missing = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("modified", Strategy.LAST_WRITE_WINS), "A"));
        assertTrue(missing.getMessage().contains("timestamp field 'modified' does not exist"), missing.getMessage());
        SchemaMismatchException notTemporal = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("name", Strategy.LAST_WRITE_WINS), "A"));
        assertTrue(notTemporal.getMessage().contains("'name'") && notTemporal.getMessage().contains("not a date/time type"),
                notTemporal.getMessage());
        SchemaMismatchException strategy = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("last_modified", Strategy.FIELD_NEWEST), "A"));
        assertTrue(strategy.getMessage().contains("only applies to the LAST_WRITE_WINS strategy")
                && strategy.getMessage().contains("FIELD_NEWEST"), strategy.getMessage());
    }
}
