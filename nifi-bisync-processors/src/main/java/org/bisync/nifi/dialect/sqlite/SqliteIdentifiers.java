/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.SqlIdentifiers;

/** SQLite identifiers: double quotes, embedded quotes doubled. SQLite has no length limit; we keep ours short. */
final class SqliteIdentifiers implements SqlIdentifiers {

    static final SqliteIdentifiers INSTANCE = new SqliteIdentifiers();

    @Override
    public String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("An SQLite identifier must not be empty");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("An SQLite identifier must not contain NUL characters: '" + identifier.replace('\0', '?') + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public int maxLength() {
        return 255;
    }

    /** An SQL string literal (for names used as data, such as the table name in history rows). */
    static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Text must not contain NUL characters");
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
