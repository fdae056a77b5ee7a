/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TimestampVersionContract;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.topology.Strategy;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SqliteTimestampVersionTest extends TimestampVersionContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new SqliteDialect(), EngineFixture.start("SQLite", "sqlite_timestamp_version"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100),"
                + " last_modified DATETIME, changed_at TIMESTAMP WITH TIME ZONE, born DATE, note TEXT)";
    }

    @Override
    protected String setSessionTimeZone() {
        return null;
    }

    /** Text that is no time. */
    @Override
    protected String unreadableTimestamp() {
        return "'soon'";
    }

    @Test
    void theIsoFormWithTAndShorterFractionsAreReadToTheMicrosecond() throws SQLException {
        db.install(byTimestamp("last_modified", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, name, last_modified) VALUES (3, 'Cid', '2030-01-01T00:00:00.999999')",
                "INSERT INTO customer (id, name, last_modified) VALUES (5, 'Eve', '2030-01-01 00:00:00.5')");
        assertEquals(List.of(Y2030 + 999_999, Y2030 + 500_000), versions());
    }

    @Test
    void otherTimeFormatsAreReadToTheMillisecond() throws SQLException {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01T05:00:00.25+05:00')",
                "INSERT INTO customer (id, changed_at) VALUES (2, 1893456000123)", // epoch millis, as the xerial driver binds
                "INSERT INTO customer (id, changed_at) VALUES (3, julianday('2030-01-01 00:00:00.5'))");
        assertEquals(List.of(Y2030 + 250_000, Y2030 + 123_000, Y2030 + 500_000), versions());
    }
}
