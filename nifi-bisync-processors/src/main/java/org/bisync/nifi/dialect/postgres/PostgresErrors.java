/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.DatabaseErrors;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's primary messages name objects only for these SQLState classes (connection, integrity, transaction state,
 * rollback, syntax and access, resources, object state, operator intervention); their Detail lines carry values ("Key
 * (id)=(42) already exists", "Failing row contains (...)") and are dropped, but the key columns they name are kept. Data
 * exceptions (class 22: "invalid input syntax for type integer: "abc"") and messages raised by user functions carry
 * values: only their SQLState is described.
 */
final class PostgresErrors extends DatabaseErrors {

    private static final Set<String> NAMING_CLASSES = Set.of("08", "0A", "23", "25", "28", "3D", "3F", "40", "42", "53", "54", "55", "57");
    private static final Pattern KEY_COLUMNS = Pattern.compile("Key \\((.*?)\\)=\\(");
    private static final Pattern SEVERITY = Pattern.compile("^[A-Z]+:\\s+");
    private static final Map<String, String> DATA_EXCEPTIONS = Map.of(
            "22001", "a value is too long for its column's type",
            "22003", "a numeric value is out of range",
            "22007", "invalid date/time format",
            "22008", "a date/time field value is out of range",
            "22012", "division by zero",
            "22021", "invalid byte sequence for the encoding",
            "22P02", "invalid input syntax for a value");

    /** undefined_column, undefined_table. */
    @Override
    protected boolean namesMissingObject(SQLException e) {
        return "42703".equals(e.getSQLState()) || "42P01".equals(e.getSQLState());
    }

    /** PostgreSQL quotes identifiers in its messages with double quotes: {@code column "name" of relation "t"}. */
    @Override
    protected boolean namesColumn(String message, String column) {
        return message.contains("\"" + column + "\"");
    }

    @Override
    protected String describeDatabaseError(SQLException e) {
        SQLException server = chain(e).stream().filter(x -> !(x instanceof BatchUpdateException) && x.getSQLState() != null)
                .findFirst().orElse(e);
        String state = server.getSQLState();
        String message = String.valueOf(server.getMessage());
        if (state == null || state.length() < 2) {
            return "PostgreSQL error (no SQLState)";
        }
        if (!NAMING_CLASSES.contains(state.substring(0, 2))) {
            String known = DATA_EXCEPTIONS.get(state);
            String what = known != null ? known : state.startsWith("22") ? "a data exception"
                    : state.startsWith("P0") ? "an error raised by a trigger or function (its text is not shown: it may carry row values)"
                    : "an error";
            return "PostgreSQL: " + what + " (SQLState " + state + ")";
        }
        int newline = message.indexOf('\n');
        String primary = SEVERITY.matcher(newline < 0 ? message : message.substring(0, newline)).replaceFirst("").strip();
        Matcher key = KEY_COLUMNS.matcher(message);
        String keyColumns = key.find() ? "; key columns (" + key.group(1) + ")" : "";
        return primary + keyColumns + " (SQLState " + state + ")";
    }
}
