/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.KeyList;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.resolve.TargetStateReader;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keys of a single-column key go to PostgreSQL as one array literal that the server types after the key column:
 * every key type finds exactly its rows, whatever characters its text holds, and a key the column refuses matches nothing
 * without failing the others.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PostgresKeyListTest {

    private static PgFixture db;

    @BeforeAll
    static void createDatabase() throws SQLException {
        db = new PgFixture("pg_key_list_test");
        db.exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')", "CREATE DOMAIN short_code AS text CHECK (length(VALUE) < 10)");
    }

    /** Each: the key column's type, then the keys as SQL literals; the first key's row is deleted before the read. */
    static Stream<Arguments> keyTypes() {
        return Stream.of(
                Arguments.of("smallint", List.of("1", "-2", "32767")),
                Arguments.of("integer", List.of("1", "2", "-2147483648")),
                Arguments.of("bigint", List.of("1", "9223372036854775807", "-5")),
                Arguments.of("numeric(10,2)", List.of("1.50", "-2.00", "12345678.99")),
                Arguments.of("numeric", List.of("1.000001", "100000000000000000000", "-3")),
                Arguments.of("real", List.of("1.5", "-0.25", "3e10")),
                Arguments.of("double precision", List.of("1.5", "1e300", "-0.1")),
                Arguments.of("boolean", List.of("true", "false")),
                Arguments.of("text", List.of("'a\"b'", "'c\\d'", "'{x,y} NULL'", "'NULL'", "''", "'  spaced  '")),
                Arguments.of("varchar(10)", List.of("'ab'", "'a b'", "'a,b'")),
                Arguments.of("char(5)", List.of("'ab'", "'cd'", "'ef   '")),
                Arguments.of("date", List.of("'2024-02-29'", "'0001-01-01'", "'9999-12-31'")),
                Arguments.of("time", List.of("'10:00:00'", "'23:59:59.123456'", "'00:00:00'")),
                Arguments.of("timestamp", List.of("'2024-01-01 10:00:00'", "'2024-01-01 10:00:00.5'", "'1999-12-31 23:59:59.999999'")),
                Arguments.of("timestamptz", List.of("'2024-01-01 10:00:00+02'", "'2024-06-01 00:00:00.000001+00'", "'2024-06-01 00:00:00+00'")),
                Arguments.of("bytea", List.of("'\\x00ff'", "'\\x22'", "'\\x5c7b'")),
                Arguments.of("uuid", List.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'")),
                Arguments.of("mood", List.of("'ok'", "'happy'", "'sad'")),
                Arguments.of("short_code", List.of("'x'", "'y\"'", "'z'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyTypes")
    void everyKeyTypeFindsExactlyItsRowsWhenTheKeysGoAsOneArray(String type, List<String> values) throws SQLException {
        String table = "k_" + type.replaceAll("[^a-z]", "_");
        db.exec("CREATE TABLE " + table + " (k " + type + " PRIMARY KEY, v int)");
        for (int i = 0; i < values.size(); i++) {
            db.exec("INSERT INTO " + table + " VALUES (" + values.get(i) + ", " + i + ")");
        }
        SyncedTable synced = db.install(TableSettings.twoWay(table));
        List<Map<String, Object>> keys = readKeys(synced);
        db.exec("DELETE FROM " + table + " WHERE v = 0");

        KeyList keyList = db.dialect.keyList(synced.keyColumns());
        assertEquals("\"k\" = ANY(?)", keyList.condition(null, keys.size()), "several keys go as one array");
        Map<Object, Object> found = new HashMap<>();
        try (Connection connection = db.connect();
             PreparedStatement select = connection.prepareStatement(KeyQueries.selectRowsByKeys(db.dialect, synced, keys.size()))) {
            assertEquals(2, keyList.bind(select, 1, keys), "one parameter");
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    SyncedColumn key = synced.keyColumns().get(0);
                    found.put(rs.getInt(2), db.dialect.types().read(rs, 1, key.column()));
                }
            }
        }
        assertEquals(values.size() - 1, found.size(), "every key found but the deleted one: " + found.keySet());
        for (int i = 1; i < values.size(); i++) {
            assertEquals(comparable(keys.get(i).get("k")), comparable(found.get(i)), "key " + i + " found as itself");
        }
    }

    private static List<Map<String, Object>> readKeys(SyncedTable table) throws SQLException {
        SyncedColumn key = table.keyColumns().get(0);
        List<Map<String, Object>> keys = new ArrayList<>();
        try (Connection connection = db.connect(); PreparedStatement select = connection.prepareStatement("SELECT "
                + db.dialect.types().selectExpression("k", key.column()) + " FROM " + PostgresSql.q(table.localName()) + " ORDER BY v");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                row.put(key.canonical(), db.dialect.types().read(rs, 1, key.column()));
                keys.add(row);
            }
        }
        return keys;
    }

    private static Object comparable(Object value) {
        return value instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : value;
    }

    @Test
    void aKeyTheColumnCannotTakeMatchesNothingAndTheOthersAreRead() throws SQLException {
        db.exec("CREATE TABLE refused_int (id int PRIMARY KEY, name text)", "INSERT INTO refused_int VALUES (1, 'a'), (3, 'c')");
        SyncedTable table = db.install(TableSettings.twoWay("refused_int"));
        TargetStateReader.Reading reading;
        try (Connection connection = db.connect()) {
            reading = new TargetStateReader(db.dialect).readRefusingUnfitKeys(connection, table,
                    List.of(Map.of("id", 1), Map.of("id", "not a number"), Map.of("id", 3), Map.of("id", 4_000_000_000L)), true);
        }
        assertEquals(2, reading.refused().size(), reading.refused().toString());
        assertTrue(reading.refused().values().stream().allMatch(reason -> reason.contains("key column 'id'")), reading.refused().toString());
        assertEquals("a", reading.states().get(KeyValues.of(Map.of("id", 1), List.of("id"))).row().get("name"));
        assertEquals("c", reading.states().get(KeyValues.of(Map.of("id", 3), List.of("id"))).row().get("name"));
    }

    /** The server itself refuses a label the enum does not have (SQLState 22P02): the reader isolates that key. */
    @Test
    void aKeyTheServerRefusesInTheArrayIsIsolatedAndTheOthersAreRead() throws SQLException {
        db.exec("CREATE TABLE refused_enum (code mood PRIMARY KEY, name text)", "INSERT INTO refused_enum VALUES ('ok', 'fine'), ('sad', 'low')");
        SyncedTable table = db.install(TableSettings.twoWay("refused_enum"));
        TargetStateReader.Reading reading;
        try (Connection connection = db.connect()) {
            reading = new TargetStateReader(db.dialect).readRefusingUnfitKeys(connection, table,
                    List.of(Map.of("code", "ok"), Map.of("code", "furious"), Map.of("code", "sad")), true);
        }
        assertEquals(List.of(KeyValues.of(Map.of("code", "furious"), List.of("code"))), List.copyOf(reading.refused().keySet()));
        assertTrue(reading.refused().values().iterator().next().contains("22P02"), reading.refused().toString());
        assertEquals("fine", reading.states().get(KeyValues.of(Map.of("code", "ok"), List.of("code"))).row().get("name"));
        assertEquals("low", reading.states().get(KeyValues.of(Map.of("code", "sad"), List.of("code"))).row().get("name"));
    }
}
