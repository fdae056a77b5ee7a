/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.DatabaseErrors;

import java.sql.SQLException;

/**
 * SQLite's messages name tables, columns and constraints ("UNIQUE constraint failed: customer.email") and never quote
 * a row value; RAISE in a trigger takes a literal text. Kept as they are.
 */
final class SqliteErrors extends DatabaseErrors {

    /** SQLite has one error code for every SQL error; its texts tell a missing column or table. */
    @Override
    protected boolean namesMissingObject(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("no such column") || message.contains("has no column named") || message.contains("no such table");
    }

    /** SQLite's messages echo identifiers as the statement quoted them: double quotes, or single quotes as SQLite allows. */
    @Override
    protected boolean namesColumn(String message, String column) {
        return message.contains("\"" + column + "\"") || message.contains("'" + column + "'");
    }

    @Override
    protected String describeDatabaseError(SQLException e) {
        return String.valueOf(e.getMessage());
    }
}
