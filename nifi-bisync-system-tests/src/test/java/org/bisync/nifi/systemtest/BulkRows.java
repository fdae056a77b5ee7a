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
import java.util.ArrayList;
import java.util.List;

/**
 * The bulk side of the end-to-end benchmark: one INSERT of many new rows of the sample table in one transaction, and
 * the raw JDBC copy of the same rows between the same two databases it is measured against (read them, then multi-row
 * upserts of {@value #ROWS_PER_STATEMENT} rows, each its own transaction, into a copy of the table without triggers).
 */
final class BulkRows {

    static final int ROWS_PER_STATEMENT = 1000;
    static final String RAW_TABLE = "customer_raw";

    private BulkRows() {
    }

    /** Inserts ids {@code first..last} into the sample table of {@code engine} ("postgresql" or "mariadb") in one statement. */
    static void insert(DataSource dataSource, String engine, long first, long last) throws SQLException {
        insert(dataSource, engine, "customer", first, last);
    }

    /** As {@link #insert(DataSource, String, long, long)}, into {@code table} (the sample table or the raw table). */
    static void insert(DataSource dataSource, String engine, String table, long first, long last) throws SQLException {
        String sql = switch (engine) {
            case "postgresql" -> "INSERT INTO " + table + " (id, name, email, balance, updated_at) SELECT g, 'name ' || g, "
                    + "'user' || g || '@example.com', (g % 100000) / 100.0, TIMESTAMP '2026-01-01 00:00:00' + g * INTERVAL '1 second' "
                    + "FROM generate_series(" + first + ", " + last + ") g";
            case "mariadb" -> "INSERT INTO " + table + " (id, name, email, balance, updated_at) SELECT seq, CONCAT('name ', seq), "
                    + "CONCAT('user', seq, '@example.com'), (seq % 100000) / 100.0, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND "
                    + "FROM seq_" + first + "_to_" + last;
            default -> throw new IllegalArgumentException(engine);
        };
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.executeUpdate(sql);
            c.commit();
        }
    }

    /** Creates the raw copy's table on {@code engine}: the sample table's synced columns, no trigger. */
    static void createRawTable(DataSource dataSource, String engine) throws SQLException {
        String timestamp = engine.equals("mariadb") ? "DATETIME(6)" : "TIMESTAMP(6)";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + RAW_TABLE + " (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
                    + "balance DECIMAL(12,2), updated_at " + timestamp + ")");
        }
    }

    static void emptyRawTable(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + RAW_TABLE);
        }
    }

    private record Row(long id, String name, String email, BigDecimal balance, Timestamp updatedAt) {
    }

    /**
     * Copies ids {@code first..last} of {@code sourceTable} from {@code source} into {@code target}'s raw table: one
     * read, then upserts of {@value #ROWS_PER_STATEMENT} rows per statement, each committed. Returns the rows copied.
     */
    static int rawCopy(DataSource source, String sourceTable, DataSource target, String targetEngine, long first, long last)
            throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            try (PreparedStatement read = c.prepareStatement(
                    "SELECT id, name, email, balance, updated_at FROM " + sourceTable + " WHERE id BETWEEN ? AND ? ORDER BY id")) {
                read.setFetchSize(ROWS_PER_STATEMENT);
                read.setLong(1, first);
                read.setLong(2, last);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4), rs.getTimestamp(5)));
                    }
                }
            }
            c.commit();
        }
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(true);
            for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
                List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
                try (PreparedStatement upsert = c.prepareStatement(upsertSql(targetEngine, chunk.size()))) {
                    int i = 1;
                    for (Row row : chunk) {
                        upsert.setLong(i++, row.id());
                        upsert.setString(i++, row.name());
                        upsert.setString(i++, row.email());
                        upsert.setBigDecimal(i++, row.balance());
                        upsert.setTimestamp(i++, row.updatedAt());
                    }
                    upsert.executeUpdate();
                }
            }
        }
        return rows.size();
    }

    private static String upsertSql(String engine, int rows) {
        StringBuilder sql = new StringBuilder("INSERT INTO " + RAW_TABLE + " (id, name, email, balance, updated_at) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?)");
        }
        sql.append(engine.equals("mariadb")
                ? " ON DUPLICATE KEY UPDATE name = VALUES(name), email = VALUES(email), balance = VALUES(balance), updated_at = VALUES(updated_at)"
                : " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, balance = EXCLUDED.balance, "
                + "updated_at = EXCLUDED.updated_at");
        return sql.toString();
    }

    /** Transactions the database committed so far (all sessions): PostgreSQL's xact_commit, MariaDB's Com_commit. */
    static long commits(DataSource dataSource, String engine) throws SQLException {
        String sql = engine.equals("mariadb") ? "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'COM_COMMIT'"
                : "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()";
        return SyncRun.count(dataSource, sql);
    }

    /** Rows of the sample table with ids {@code first..last}. */
    static long count(DataSource dataSource, long first, long last) throws SQLException {
        return SyncRun.count(dataSource, "SELECT COUNT(*) FROM customer WHERE id BETWEEN " + first + " AND " + last);
    }
}
