/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.SqlIdentifiers;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Backtick quoting, and string literals that mean the same whatever the session's sql_mode. */
final class MariaDbIdentifiers implements SqlIdentifiers {

    @Override
    public String quote(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Not a usable MariaDB identifier: '" + identifier + "'");
        }
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public int maxLength() {
        return 64;
    }

    /**
     * A utf8mb4 string literal. A backslash means different things with and without NO_BACKSLASH_ESCAPES (and a
     * trigger keeps the sql_mode it was created with), so text with one is written as a hex literal instead.
     */
    static String literal(String text) {
        if (text.indexOf('\\') >= 0 || text.indexOf('\0') >= 0) {
            return "CONVERT(X'" + HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)) + "' USING utf8mb4)";
        }
        return "'" + text.replace("'", "''") + "'";
    }

    /** A JSON path literal selecting member {@code key} of the top-level object, such as {@code '$."amount"'}. */
    static String jsonPath(String key, String suffix) {
        return literal("$.\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + suffix);
    }
}
