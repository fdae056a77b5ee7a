/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import org.bisync.nifi.testsupport.Jdbc;
import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The customer table the templates sync: created the same way on every engine, read back for comparison. Its
 * {@code touch_count} column is excluded from the sync; {@link #installTouchTrigger} adds a user trigger that bumps it
 * on every update (the kind of trigger that would start a ping-pong if the column were synced).
 */
public final class SampleTable {

    public static final String NAME = "customer";
    /** The synced columns, in comparison order. */
    public static final List<String> SYNCED = List.of("id", "name", "email", "balance", "updated_at");

    private SampleTable() {
    }

    public static void create(DataSource... dataSources) throws SQLException {
        for (DataSource dataSource : dataSources) {
            create(dataSource);
        }
    }

    public static void create(DataSource dataSource) throws SQLException {
        String timestamp = engine(dataSource).equals("mariadb") ? "DATETIME(6)" : "TIMESTAMP(6)";
        execute(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                + "balance DECIMAL(12,2), updated_at " + timestamp + ", touch_count INT NOT NULL DEFAULT 0)");
    }

    /** A user trigger that bumps touch_count on every update of a row (the column is excluded from the sync). */
    public static void installTouchTrigger(DataSource dataSource) throws SQLException {
        switch (engine(dataSource)) {
            case "mariadb" -> execute(dataSource, "CREATE TRIGGER customer_touch BEFORE UPDATE ON customer FOR EACH ROW "
                    + "SET NEW.touch_count = OLD.touch_count + 1");
            case "postgresql" -> execute(dataSource,
                    "CREATE FUNCTION customer_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                            + "NEW.touch_count := OLD.touch_count + 1; RETURN NEW; END $$",
                    "CREATE TRIGGER customer_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION customer_touch()");
            default -> execute(dataSource, "CREATE TRIGGER customer_touch AFTER UPDATE OF name, email, balance, updated_at ON customer "
                    + "BEGIN UPDATE customer SET touch_count = touch_count + 1 WHERE id = NEW.id; END");
        }
    }

    /** Sum of touch_count: how often the user trigger fired. */
    public static long touches(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(touch_count), 0) FROM customer")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row's synced columns as text, ordered by id, in a form that is equal across engines. */
    public static List<String> rows(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, email, balance, updated_at FROM customer ORDER BY id")) {
            boolean sqlite = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("sqlite");
            while (rs.next()) {
                BigDecimal balance = rs.getBigDecimal(4);
                LocalDateTime updated = sqlite ? sqliteTimestamp(rs.getObject(5)) : localDateTime(rs.getTimestamp(5));
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + (balance == null ? "null" : balance.setScale(2).toPlainString()) + "|"
                        + (updated == null ? "null" : updated.toString()));
            }
        }
        return rows;
    }

    private static LocalDateTime localDateTime(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toLocalDateTime();
    }

    /**
     * A SQLite timestamp as stored: the xerial driver's setTimestamp stores epoch milliseconds, the sync stores SQLite's
     * text form with microseconds, which the driver's getTimestamp misreads (it takes the six fraction digits for
     * milliseconds), so the stored value is read directly.
     */
    private static LocalDateTime sqliteTimestamp(Object stored) {
        if (stored == null) {
            return null;
        }
        if (stored instanceof Number millis) {
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis.longValue()), ZoneOffset.UTC);
        }
        return LocalDateTime.parse(stored.toString().trim().replace(' ', 'T'));
    }

    /** One row's synced columns as {@link #rows} writes them, or null when absent. */
    public static String row(DataSource dataSource, long id) throws SQLException {
        return rows(dataSource).stream().filter(r -> r.startsWith(id + "|")).findFirst().orElse(null);
    }

    public static String engine(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData metaData = c.getMetaData();
            String product = metaData.getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return "postgresql";
            }
            if (product.contains("maria") || product.contains("mysql")) {
                return "mariadb";
            }
            return "sqlite";
        }
    }

    public static void execute(DataSource dataSource, String... statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }

    /** Key, version, origin and tombstone flag of every version row, ordered by key, equal across engines. */
    public static List<String> versionRows(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, version_num, version_origin, deleted FROM bisync_v_" + NAME + " ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getLong(2) + "@" + rs.getString(3) + (rs.getBoolean(4) ? "|deleted" : ""));
            }
        }
        return rows;
    }

    /** How many tombstones (version rows of deleted rows) the table's version table holds. */
    public static int tombstones(DataSource dataSource) throws SQLException {
        int count = 0;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT deleted FROM bisync_v_" + NAME)) {
            while (rs.next()) {
                count += rs.getBoolean(1) ? 1 : 0;
            }
        }
        return count;
    }
}
