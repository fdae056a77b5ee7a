/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.dialect.TimestampVersionContract;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.topology.Strategy;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PostgresTimestampVersionTest extends TimestampVersionContract {

    @Override
    protected DialectFixture createFixture() {
        return new DialectFixture(new PostgresDialect(), EngineFixture.start("PostgreSQL", "pg_timestamp_version_test"));
    }

    @Override
    protected String customerTable() {
        return "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(100), last_modified timestamp(6), changed_at timestamptz, born date)";
    }

    @Override
    protected String setSessionTimeZone() {
        return "SET TIME ZONE 'America/New_York'";
    }

    @Override
    protected String unreadableTimestamp() {
        return "'infinity'";
    }

    @Test
    void timestampWithTimeZoneGivesItsInstant() throws SQLException {
        db.install(byTimestamp("changed_at", Strategy.LAST_WRITE_WINS));
        db.exec("SET TIME ZONE 'Asia/Tokyo'; INSERT INTO customer (id, changed_at) VALUES (1, '2030-01-01 09:00:00.5+09'); RESET TIME ZONE");
        assertEquals(List.of(Y2030 + 500_000), versions());
    }
}
