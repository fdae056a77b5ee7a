/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TimestampVersionContract;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Strategy;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.dialect.DialectFixture.num;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MariaDbTimestampVersionTest extends TimestampVersionContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new MariaDbDialect(), EngineFixture.start("MariaDB", "maria_timestamp_version"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id BIGINT PRIMARY KEY, name VARCHAR(100), last_modified DATETIME(6) NULL, "
                + "changed_at TIMESTAMP(6) NULL DEFAULT NULL, born DATE NULL)";
    }

    @Override
    protected String setSessionTimeZone() {
        return "SET time_zone = '+05:00'";
    }

    /** MariaDB's zero date. */
    @Override
    protected String unreadableTimestamp() {
        return "'0000-00-00 00:00:00'";
    }

    @Test
    void timestampColumnGivesItsUtcInstantWhateverTheSessionTimeZone() throws SQLException {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        try (Connection c = db.connect()) {
            Jdbc.exec(c, "SET time_zone = '+05:00'", "INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01 05:00:00.5')",
                    "SET time_zone = SYSTEM");
        }
        assertEquals(List.of(Y2030 + 500_000), versions());
    }

    @Test
    void zeroTimestampColumnFallsBackToTheClock() throws SQLException {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        db.exec("INSERT INTO customer (id, changed_at) VALUES (1, '0000-00-00 00:00:00')");
        Map<String, Object> insert = db.history().get(0);
        assertEquals(num(insert.get("captured_at")), num(insert.get("version_num")));
    }
}
