/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

/** Identifier quoting. Identifiers are always quoted, and checked against the database's metadata before use. */
public interface SqlIdentifiers {

    /** The identifier quoted for this engine, with embedded quote characters doubled. Rejects NUL characters. */
    String quote(String identifier);

    /** Whether the engine takes two column names for the same column (MariaDB and SQLite ignore case). */
    default boolean sameColumnName(String a, String b) {
        return a.equalsIgnoreCase(b);
    }

    /** The longest identifier the engine accepts. */
    int maxLength();

    /**
     * A name for an object we create from {@code prefix} and a user's table name (such as a version table or a
     * trigger), shortened with a stable hash suffix when it would be longer than {@link #maxLength()}. Not quoted.
     */
    default String derivedName(String prefix, String tableName) {
        String name = prefix + tableName;
        if (name.length() <= maxLength()) {
            return name;
        }
        String hash = Integer.toHexString(tableName.hashCode() & 0x7fffffff);
        return name.substring(0, maxLength() - hash.length() - 1) + "_" + hash;
    }
}
