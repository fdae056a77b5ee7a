/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.SqlIdentifiers;

import java.nio.charset.StandardCharsets;

/** Double-quoted identifiers; PostgreSQL's limit (NAMEDATALEN - 1) counts UTF-8 bytes, not characters. */
final class PostgresIdentifiers implements SqlIdentifiers {

    private static final int MAX_BYTES = 63;

    @Override
    public String quote(String identifier) {
        if (identifier == null || identifier.isEmpty() || identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Not a usable identifier: '" + identifier + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quoted names are case-sensitive. */
    @Override
    public boolean sameColumnName(String a, String b) {
        return a.equals(b);
    }

    @Override
    public int maxLength() {
        return MAX_BYTES;
    }

    /** Like the default, but shortened by UTF-8 length, since PostgreSQL silently truncates longer names. */
    @Override
    public String derivedName(String prefix, String tableName) {
        String name = prefix + tableName;
        if (utf8Length(name) <= MAX_BYTES) {
            return name;
        }
        String hash = "_" + Integer.toHexString(tableName.hashCode() & 0x7fffffff);
        StringBuilder shortened = new StringBuilder();
        int bytes = utf8Length(hash);
        for (int i = 0; i < name.length(); ) {
            int codePoint = name.codePointAt(i);
            int size = utf8Length(new String(Character.toChars(codePoint)));
            if (bytes + size > MAX_BYTES) {
                break;
            }
            shortened.appendCodePoint(codePoint);
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return shortened + hash;
    }

    /**
     * A string literal that means the same in every session. A plain {@code '...'} with a backslash reads differently
     * with standard_conforming_strings off (and a plpgsql function body is parsed again by each session that runs it),
     * so text with a backslash is written as an escape string {@code E'...'}, backslashes doubled; quotes are doubled in
     * both forms.
     */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("A NUL character cannot be part of a PostgreSQL literal");
        }
        String quoted = "'" + value.replace("'", "''").replace("\\", "\\\\") + "'";
        return value.indexOf('\\') >= 0 ? "E" + quoted : quoted;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
