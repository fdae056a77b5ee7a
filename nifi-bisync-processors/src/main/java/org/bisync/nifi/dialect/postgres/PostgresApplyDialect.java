package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.bisync.nifi.dialect.postgres.PostgresSql.q;

/** Apply statements: the transaction-local origin marker, multi-row upserts, version rows, sequences, error classes. */
final class PostgresApplyDialect implements ApplyDialect {

    private static final Set<String> TRANSIENT = Set.of(
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "55P03", // lock_not_available
            "57014", // query_canceled (statement or lock timeout)
            "57P01", "57P02", "57P03", // admin/crash shutdown, cannot connect now
            "53300"); // too_many_connections

    @Override
    public void markOrigin(Connection connection, String originSystemId) throws SQLException {
        if (connection.getAutoCommit()) {
            // set_config(..., true) lasts only for the implicit transaction of this one statement
            throw new IllegalStateException("markOrigin needs a transaction: turn autoCommit off first");
        }
        setOrigin(connection, originSystemId);
    }

    @Override
    public void clearOrigin(Connection connection) throws SQLException {
        if (connection.getAutoCommit()) {
            return; // a transaction-local setting cannot outlive the statement that set it
        }
        try {
            setOrigin(connection, "");
        } catch (SQLException e) {
            if (!"25P02".equals(e.getSQLState())) { // in a failed transaction: its ROLLBACK drops the setting anyway
                throw e;
            }
        }
    }

    private static void setOrigin(Connection connection, String value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT set_config('" + PostgresSql.ORIGIN_SETTING + "', ?, true)")) {
            statement.setString(1, value);
            statement.execute();
        }
    }

    @Override
    public String selectVersions(SyncedTable table, int keyCount) {
        List<SyncedColumn> key = table.keyColumns();
        String tuple = key.size() == 1 ? "?" : "(" + key.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        String column = key.size() == 1 ? q(key.get(0).local()) : "(" + PostgresSql.keyList(table, c -> c) + ")";
        String keys = String.join(", ", java.util.Collections.nCopies(keyCount, tuple));
        return "SELECT " + PostgresSql.keyList(table, c -> c) + ", version_num, version_origin, deleted, field_versions FROM "
                + PostgresSql.versionTable(table) + " WHERE " + column + " IN (" + keys + ") FOR UPDATE";
    }

    @Override
    public String upsertRows(SyncedTable table, List<SyncedColumn> columns, int rowCount) {
        String row = columns.stream().map(c -> "?").collect(Collectors.joining(", ", "(", ")"));
        boolean identity = columns.stream().anyMatch(c -> c.column().autoIncrement());
        List<SyncedColumn> values = columns.stream().filter(c -> !c.key()).toList();
        String onConflict = values.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + PostgresSql.list(values, c -> c + " = EXCLUDED." + c);
        return "INSERT INTO " + q(table.localName()) + " (" + PostgresSql.list(columns, c -> c) + ")"
                + (identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row))
                + " ON CONFLICT (" + PostgresSql.keyList(table, c -> c) + ") " + onConflict;
    }

    @Override
    public String deleteRow(SyncedTable table) {
        return "DELETE FROM " + q(table.localName()) + " WHERE " + keyMatch(table);
    }

    @Override
    public String upsertVersions(SyncedTable table, int rowCount) {
        String keys = PostgresSql.keyList(table, c -> c);
        String keyParams = table.keyColumns().stream().map(c -> "?").collect(Collectors.joining(", "));
        String row = "(" + keyParams + ", ?, ?, ?, ?, ?, ?)";
        return "INSERT INTO " + PostgresSql.versionTable(table) + " (" + keys
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions) VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row)) + " ON CONFLICT (" + keys + ") DO UPDATE SET version_num = EXCLUDED.version_num, "
                + "version_origin = EXCLUDED.version_origin, prev_num = EXCLUDED.prev_num, prev_origin = EXCLUDED.prev_origin, "
                + "deleted = EXCLUDED.deleted, field_versions = EXCLUDED.field_versions";
    }

    @Override
    public String insertHistory() {
        return "INSERT INTO " + BisyncTables.HISTORY + " (table_name, operation, key_data, before_data, after_data, version_num, "
                + "version_origin, prev_num, prev_origin, field_versions, origin, supersedes, tx_id, captured_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    /**
     * For a single-column key backed by a sequence (serial or identity): moves the sequence up to the greatest key,
     * never down.
     */
    @Override
    public void advanceKeySequence(Connection connection, SyncedTable table) throws SQLException {
        List<SyncedColumn> key = table.keyColumns();
        if (key.size() != 1 || !key.get(0).column().autoIncrement()) {
            return;
        }
        String sequence;
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
            statement.setString(1, q(table.localName()));
            statement.setString(2, key.get(0).local());
            try (ResultSet rs = statement.executeQuery()) {
                sequence = rs.next() ? rs.getString(1) : null;
            }
        }
        if (sequence == null) {
            return;
        }
        String column = q(key.get(0).local());
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT setval(CAST(? AS regclass), m) FROM (SELECT max(" + column + ")::bigint AS m FROM " + q(table.localName())
                        + ") x WHERE m >= coalesce(pg_sequence_last_value(CAST(? AS regclass)), m)")) {
            statement.setString(1, sequence);
            statement.setString(2, sequence);
            statement.execute();
        }
    }

    @Override
    public boolean isTransient(SQLException e) {
        for (SQLException current : chain(e)) {
            String state = current.getSQLState();
            if (state != null && (state.startsWith("08") || TRANSIENT.contains(state))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isForeignKeyViolation(SQLException e) {
        return chain(e).stream().anyMatch(current -> "23503".equals(current.getSQLState()));
    }

    /** The exception, its next exceptions (batch failures) and SQLException causes. */
    private static List<SQLException> chain(SQLException e) {
        List<SQLException> all = new java.util.ArrayList<>();
        java.util.ArrayDeque<SQLException> queue = new java.util.ArrayDeque<>(List.of(e));
        while (!queue.isEmpty() && all.size() < 20) {
            SQLException current = queue.poll();
            if (all.contains(current)) {
                continue;
            }
            all.add(current);
            if (current.getNextException() != null) {
                queue.add(current.getNextException());
            }
            if (current.getCause() instanceof SQLException cause) {
                queue.add(cause);
            }
        }
        return all;
    }

    private static String keyMatch(SyncedTable table) {
        return table.keyColumns().stream().map(c -> q(c.local()) + " = ?").collect(Collectors.joining(" AND "));
    }
}
