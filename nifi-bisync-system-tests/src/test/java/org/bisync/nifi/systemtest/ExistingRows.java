/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the customer tables of PostgreSQL and MariaDB hold before the sync starts on them: rows alike on both sides,
 * rows that differ (PostgreSQL's {@code updated_at} is the later one for odd ids, MariaDB's for even ids), and rows on
 * one side only. Knows what each row must end as under a strategy.
 *
 * @param identical ids 1..identical, the same values on both sides
 * @param differing the next {@code differing} ids, different values on each side
 * @param pgOnly    rows only PostgreSQL has, from id {@link #PG_ONLY_FROM}
 * @param mariaOnly rows only MariaDB has, from id {@link #MARIA_ONLY_FROM}
 */
record ExistingRows(int identical, int differing, int pgOnly, int mariaOnly) {

    static final long PG_ONLY_FROM = 100_001;
    static final long MARIA_ONLY_FROM = 200_001;
    private static final LocalDateTime SAME_TIME = LocalDateTime.parse("2024-03-01T08:00:00.000001");
    private static final LocalDateTime OLDER = LocalDateTime.parse("2024-03-01T09:00:00.000002");
    private static final LocalDateTime NEWER = LocalDateTime.parse("2024-03-02T09:00:00.000002");

    /** Which side's value a differing row ends with. */
    enum Winner { BY_UPDATED_AT, MARIADB }

    long firstDiffering() {
        return identical + 1;
    }

    long lastDiffering() {
        return identical + differing;
    }

    /** Inserts the rows of one side ({@code pg} true: PostgreSQL's) in one transaction. */
    void fill(DataSource dataSource, boolean pg) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO customer (id, name, email, balance, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (long id = 1; id <= identical; id++) {
                add(insert, id, "same " + id, "s" + id + "@example.com", SAME_TIME);
            }
            for (long id = firstDiffering(); id <= lastDiffering(); id++) {
                boolean newer = pg == (id % 2 == 1);
                add(insert, id, side(pg) + " " + id, side(pg) + id + "@example.com", newer ? NEWER : OLDER);
            }
            long from = pg ? PG_ONLY_FROM : MARIA_ONLY_FROM;
            for (long id = from; id < from + (pg ? pgOnly : mariaOnly); id++) {
                add(insert, id, side(pg) + " only " + id, null, SAME_TIME);
            }
            insert.executeBatch();
            c.commit();
        }
    }

    private static void add(PreparedStatement insert, long id, String name, String email, LocalDateTime updated) throws SQLException {
        insert.setLong(1, id);
        insert.setString(2, name);
        insert.setString(3, email);
        insert.setBigDecimal(4, BigDecimal.valueOf(id % 1000, 2));
        insert.setTimestamp(5, Timestamp.valueOf(updated));
        insert.addBatch();
        if (id % 1000 == 0) {
            insert.executeBatch();
        }
    }

    private static String side(boolean pg) {
        return pg ? "pg" : "maria";
    }

    /** The name each id must end with once merged, before the writers' own changes. */
    Map<Long, String> mergedNames(Winner winner) {
        Map<Long, String> names = new TreeMap<>();
        for (long id = 1; id <= identical; id++) {
            names.put(id, "same " + id);
        }
        for (long id = firstDiffering(); id <= lastDiffering(); id++) {
            names.put(id, (pgWins(winner, id) ? "pg" : "maria") + " " + id);
        }
        for (long id = PG_ONLY_FROM; id < PG_ONLY_FROM + pgOnly; id++) {
            names.put(id, "pg only " + id);
        }
        for (long id = MARIA_ONLY_FROM; id < MARIA_ONLY_FROM + mariaOnly; id++) {
            names.put(id, "maria only " + id);
        }
        return names;
    }

    static boolean pgWins(Winner winner, long id) {
        return winner == Winner.BY_UPDATED_AT && id % 2 == 1;
    }

    /** id|name of every row, ordered by id. */
    static List<String> names(DataSource dataSource) throws SQLException {
        return strings(dataSource, "SELECT id, name FROM customer ORDER BY id");
    }

    /** Ids whose touch_count (bumped by the users' update trigger on every UPDATE) is not {@code expected}, in a range. */
    static List<String> touchedOtherThan(DataSource dataSource, long from, long to, int expected) throws SQLException {
        return strings(dataSource, "SELECT id, touch_count FROM customer WHERE id BETWEEN " + from + " AND " + to
                + " AND touch_count <> " + expected + " ORDER BY id");
    }

    /** Ids (as text) whose touch_count is exactly 1 in a range, ordered: rows the users' update trigger saw written once. */
    static List<String> touchedOnce(DataSource dataSource, long from, long to) throws SQLException {
        return strings(dataSource, "SELECT id, touch_count FROM customer WHERE id BETWEEN " + from + " AND " + to
                + " AND touch_count = 1 ORDER BY id").stream().map(row -> row.substring(0, row.indexOf('|'))).toList();
    }

    /** Keys of live rows without a live version row, and of live version rows without a row. */
    static List<String> keysWithoutVersion(DataSource dataSource) throws SQLException {
        List<String> unmatched = strings(dataSource, "SELECT c.id, 'no version' FROM customer c LEFT JOIN bisync_v_customer v ON v.id = c.id "
                + "WHERE v.id IS NULL OR v.deleted ORDER BY c.id");
        unmatched.addAll(strings(dataSource, "SELECT v.id, 'no row' FROM bisync_v_customer v LEFT JOIN customer c ON c.id = v.id "
                + "WHERE c.id IS NULL AND NOT v.deleted ORDER BY v.id"));
        return unmatched;
    }

    static long count(DataSource dataSource, long from, long to) throws SQLException {
        return SyncRun.count(dataSource, "SELECT COUNT(*) FROM customer WHERE id BETWEEN " + from + " AND " + to);
    }

    private static List<String> strings(DataSource dataSource, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2));
            }
        }
        return rows;
    }
}
