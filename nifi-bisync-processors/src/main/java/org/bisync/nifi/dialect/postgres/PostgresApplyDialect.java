/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.KeyGenerator;
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
            "53300", // too_many_connections
            "25006"); // read_only_sql_transaction: a standby, or a primary turned read-only during a failover

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

    /** Nothing to send: {@code set_config(..., true)} is transaction-local, COMMIT ends it. */
    @Override
    public void clearOriginBeforeCommit(Connection connection) {
        // the COMMIT that follows clears it
    }

    private static void setOrigin(Connection connection, String value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT set_config('" + PostgresSql.ORIGIN_SETTING + "', ?, true)")) {
            statement.setString(1, value);
            statement.execute();
        }
    }

    @Override
    public String selectVersions(SyncedTable table, int keyCount) {
        return readVersions(table, keyCount) + " ORDER BY " + PostgresSql.keyList(table, c -> c) + " FOR UPDATE";
    }

    @Override
    public String readVersions(SyncedTable table, int keyCount) {
        return "SELECT " + PostgresSql.keyList(table, c -> c) + ", version_num, version_origin, deleted, "
                + "field_versions, tombstone_num, tombstone_origin, kept_data FROM "
                + PostgresSql.versionTable(table) + " WHERE " + keyIn(table, keyCount);
    }

    /** Locks the tuples in the sort's order: FOR UPDATE locks rows as they leave the ORDER BY. */
    @Override
    public String lockRows(SyncedTable table, int keyCount) {
        String keys = PostgresSql.keyList(table, c -> c);
        return "SELECT " + keys + " FROM " + q(table.localName()) + " WHERE " + keyIn(table, keyCount) + " ORDER BY " + keys + " FOR UPDATE";
    }

    private static String keyIn(SyncedTable table, int keyCount) {
        List<SyncedColumn> key = table.keyColumns();
        String tuple = key.size() == 1 ? "?" : "(" + key.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        String column = key.size() == 1 ? q(key.get(0).local()) : "(" + PostgresSql.keyList(table, c -> c) + ")";
        return column + " IN (" + String.join(", ", java.util.Collections.nCopies(keyCount, tuple)) + ")";
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
        String row = "(" + keyParams + ", ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        return "INSERT INTO " + PostgresSql.versionTable(table) + " (" + keys
                + ", version_num, version_origin, prev_num, prev_origin, deleted, field_versions, tombstone_num, tombstone_origin, kept_data) VALUES "
                + String.join(", ", java.util.Collections.nCopies(rowCount, row))
                        + " ON CONFLICT (" + keys + ") DO UPDATE SET version_num = EXCLUDED.version_num, "
                + "version_origin = EXCLUDED.version_origin, prev_num = EXCLUDED.prev_num, prev_origin = EXCLUDED.prev_origin, "
                + "deleted = EXCLUDED.deleted, field_versions = EXCLUDED.field_versions, tombstone_num = EXCLUDED.tombstone_num, "
                + "tombstone_origin = EXCLUDED.tombstone_origin, kept_data = EXCLUDED.kept_data";
    }

    @Override
    public String insertHistory() {
        return "INSERT INTO " + BisyncTables.HISTORY + " (table_name, operation, key_data, before_data, after_data, version_num, "
                + "version_origin, prev_num, prev_origin, field_versions, origin, supersedes, tx_id, captured_at, tombstone_num, tombstone_origin) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    /**
     * For the key column backed by a sequence (serial or identity): moves the sequence up to the greatest written key it
     * could have handed out itself (its residue of the increment, inside its MINVALUE..MAXVALUE block), never down. A key
     * of another system's residue or block is left alone: setval to it would put the next local insert into that range.
     */
    @Override
    public void advanceKeySequence(Connection connection, SyncedTable table, List<Long> writtenKeys) throws SQLException {
        List<SyncedColumn> generated = table.keyColumns().stream().filter(c -> c.column().autoIncrement()).toList();
        if (generated.size() != 1 || writtenKeys.isEmpty()) {
            return;
        }
        Sequence sequence = sequence(connection, q(table.localName()), generated.get(0).local());
        if (sequence == null) {
            return;
        }
        KeyGenerator own = sequence.generator();
        boolean ascending = own.increment() > 0;
        java.util.OptionalLong greatest = writtenKeys.stream().mapToLong(Long::longValue).filter(own::produces)
                .reduce(ascending ? Math::max : Math::min);
        if (greatest.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT setval(CAST(? AS regclass), ?) WHERE ? "
                + (ascending ? ">" : "<") + " coalesce(pg_sequence_last_value(CAST(? AS regclass)), ?)")) {
            statement.setString(1, sequence.name());
            statement.setLong(2, greatest.getAsLong());
            statement.setLong(3, greatest.getAsLong());
            statement.setString(4, sequence.name());
            // never called: the next value is the start, which a written key equal to it must move past
            statement.setLong(5, ascending ? own.origin() - 1 : own.origin() + 1);
            statement.execute();
        }
    }

    @Override
    public String disjointKeyRangeAdvice() {
        return "PostgreSQL: ALTER TABLE ... ALTER COLUMN ... SET INCREMENT BY n SET START WITH k RESTART WITH a value of that residue above "
                + "the existing keys, or ALTER SEQUENCE for serial; or disjoint MINVALUE..MAXVALUE blocks of its sequences";
    }

    /** The sequence of a serial or identity column: increment, start, block, and whether its values keep one residue. */
    @Override
    public KeyGenerator keyGenerator(Connection connection, String table, String column) throws SQLException {
        Sequence sequence = sequence(connection, q(table), column);
        return sequence == null ? KeyGenerator.none("PostgreSQL column " + column + " has no sequence (no serial or identity)")
                : sequence.generator();
    }

    private record Sequence(String name, KeyGenerator generator) {
    }

    private static Sequence sequence(Connection connection, String quotedTable, String column) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT seq.name, s.seqincrement, s.seqstart, s.seqmin, "
                + "s.seqmax, s.seqcycle, CASE WHEN has_sequence_privilege(s.seqrelid, 'SELECT,USAGE') "
                + "THEN pg_sequence_last_value(s.seqrelid) END FROM (SELECT pg_get_serial_sequence(?, ?) AS name) seq "
                + "JOIN pg_sequence s ON s.seqrelid = CAST(seq.name AS regclass)")) {
            statement.setString(1, quotedTable);
            statement.setString(2, column);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String name = rs.getString(1);
                long increment = rs.getLong(2);
                long start = rs.getLong(3);
                long min = rs.getLong(4);
                long max = rs.getLong(5);
                boolean cycle = rs.getBoolean(6);
                long last = rs.getLong(7);
                boolean called = !rs.wasNull();
                KeyGenerator series = new KeyGenerator("", increment, start, min, max, true);
                boolean lastOff = called && !series.produces(last);
                boolean cycleOff = cycle && !series.produces(increment > 0 ? min : max);
                String description = "PostgreSQL sequence " + name + ": increment " + increment + " start " + start
                        + " block [" + min + ", " + max + "]" + (cycle ? " cycling" : "")
                        + (lastOff ? ", last value " + last + " is off the start's residue" : "")
                        + (cycleOff ? ", cycles onto another residue" : "");
                return new Sequence(name, new KeyGenerator(description, increment, start, min, max, !lastOff && !cycleOff));
            }
        }
    }

    @Override
    public boolean isTransient(SQLException e) {
        for (SQLException current : DatabaseErrors.chain(e)) {
            String state = current.getSQLState();
            if (state != null && (state.startsWith("08") || TRANSIENT.contains(state))) {
                return true;
            }
        }
        return false;
    }

    /** Deferred constraints (DEFERRABLE INITIALLY DEFERRED foreign keys) are checked at each statement, not at COMMIT. */
    @Override
    public String checkConstraintsAtEachStatement() {
        return "SET CONSTRAINTS ALL IMMEDIATE";
    }

    @Override
    public boolean isForeignKeyViolation(SQLException e) {
        return DatabaseErrors.chain(e).stream().anyMatch(current -> "23503".equals(current.getSQLState()));
    }

    private static String keyMatch(SyncedTable table) {
        return table.keyColumns().stream().map(c -> q(c.local()) + " = ?").collect(Collectors.joining(" AND "));
    }
}
