/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Last-write-wins by a user column: the triggers take the version number from {@code last_modified}. */
class PostgresTimestampVersionTest {

    private static final long Y2030 = micros("2030-01-01T00:00:00");

    private static PgFixture db;

    @BeforeAll
    static void startDatabase() {
        db = new PgFixture("pg_timestamp_version_test");
    }

    @BeforeEach
    void freshTable() throws SQLException {
        try (Connection connection = db.connect()) {
            PgFixture.run(connection, db.dialect.capture().uninstallTable("customer"));
            PgFixture.run(connection, List.of("DROP TABLE IF EXISTS customer", "DELETE FROM bisync_history", "DELETE FROM bisync_config",
                    "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(100), last_modified timestamp(6), "
                            + "changed_at timestamptz, born date)"));
        }
    }

    static TableSettings byTimestamp(String field, Strategy strategy) {
        return new TableSettings("customer", null, Direction.TWO_WAY, null, null, strategy, field, null, null, null, null, null);
    }

    private static long micros(String isoLocal) {
        LocalDateTime time = LocalDateTime.parse(isoLocal);
        return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000;
    }

    private static long clockNow() throws SQLException {
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(db.dialect.capture().selectClockMicros())) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void insertTakesTheTimestampColumnsInstantAsTheVersionNumberWhateverTheSessionTimeZone() throws SQLException {
        var table = db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        assertEquals("last_modified", table.timestampColumn().name());
        db.exec("SET TIME ZONE 'America/New_York'; INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'); "
                + "RESET TIME ZONE");
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', '2030-01-01 00:00:00.123457'), "
                + "(3, 'Cid', '1969-12-31 23:59:59.999999')");
        List<PgFixture.History> history = db.history();
        assertEquals(Y2030, history.get(0).version());
        assertEquals(Y2030 + 123_457, history.get(1).version(), "microseconds are exact");
        assertEquals(-1, history.get(2).version(), "before 1970 the number is negative, still exact");
        assertEquals(Y2030, db.versions(table).get("1").number());
    }

    @Test
    void timestampWithTimeZoneGivesItsInstant() throws SQLException {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        db.exec("SET TIME ZONE 'Asia/Tokyo'; INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01 09:00:00.5+09'); RESET TIME ZONE");
        assertEquals(Y2030 + 500_000, db.history().get(0).version());
    }

    @Test
    void dateColumnGivesItsMidnightUtc() throws SQLException {
        db.install(byTimestamp("born", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, born) VALUES (1, '2030-01-01')");
        assertEquals(Y2030, db.history().get(0).version());
    }

    @Test
    void updateWithAnEarlierTimestampStillRanksAboveThePreviousVersion() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        db.exec("UPDATE customer SET name = 'Bea', last_modified = '2029-06-01 00:00:00' WHERE id = 1");
        db.exec("UPDATE customer SET name = 'Cid', last_modified = '2031-01-01 00:00:00' WHERE id = 1");
        List<PgFixture.History> history = db.history();
        assertEquals(Y2030 + 1, history.get(1).version());
        assertEquals(Y2030, history.get(1).prev());
        assertEquals(micros("2031-01-01T00:00:00"), history.get(2).version());
    }

    @Test
    void nullTimestampFallsBackToTheClock() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2000-01-01 00:00:00')");
        long before = clockNow();
        db.exec("UPDATE customer SET name = 'Bea', last_modified = NULL WHERE id = 1",
                "INSERT INTO customer (id, name, last_modified) VALUES (2, 'Bob', 'infinity')");
        List<PgFixture.History> history = db.history();
        assertEquals(micros("2000-01-01T00:00:00"), history.get(0).version());
        assertTrue(history.get(1).version() >= before, "the clock, not the previous + 1");
        assertEquals(history.get(1).capturedAt(), history.get(1).version());
        assertEquals(history.get(2).capturedAt(), history.get(2).version(), "an infinite timestamp takes the clock too");
    }

    @Test
    void deleteTakesTheClockAboveThePreviousVersionAndLeavesATombstone() throws SQLException {
        var table = db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00'), "
                + "(2, 'Bob', '2000-01-01 00:00:00')");
        long before = clockNow();
        db.exec("DELETE FROM customer");
        List<PgFixture.History> history = db.history();
        assertEquals("DELETE", history.get(2).operation());
        assertEquals(Y2030 + 1, history.get(2).version(), "the future timestamp still outranks the clock");
        assertTrue(history.get(3).version() >= before);
        assertTrue(db.versions(table).get("1").deleted());
        assertEquals(Y2030, db.versions(table).get("1").prev());
    }

    @Test
    void keyChangingUpdateInsertsTheNewKeyWithTheTimestamp() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        db.exec("UPDATE customer SET id = 2, last_modified = '2030-01-02 00:00:00' WHERE id = 1");
        List<PgFixture.History> history = db.history();
        assertEquals(List.of("INSERT", "DELETE", "INSERT"), history.stream().map(PgFixture.History::operation).toList());
        assertEquals(Y2030 + 1, history.get(1).version());
        assertEquals(micros("2030-01-02T00:00:00"), history.get(2).version());
    }

    @Test
    void withoutATimestampFieldTheTriggersUseTheClock() throws SQLException {
        var table = db.install(TableSettings.twoWay("customer"));
        assertEquals(null, table.timestampColumn());
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (1, 'Ann', '2030-01-01 00:00:00')");
        assertEquals(db.history().get(0).capturedAt(), db.history().get(0).version());
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
        SchemaMismatchException strategy = assertThrows(SchemaMismatchException.class,
                () -> db.resolve(byTimestamp("last_modified", Strategy.SYSTEM_PRIORITY)));
        assertTrue(strategy.getMessage().contains("only applies to the LAST_WRITE_WINS strategy")
                && strategy.getMessage().contains("SYSTEM_PRIORITY"), strategy.getMessage());
        assertFalse(strategy.getMessage().isBlank());
    }
}
