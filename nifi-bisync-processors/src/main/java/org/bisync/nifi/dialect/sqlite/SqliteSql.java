/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Small SQL building blocks shared by the SQLite capture, trigger and apply statements. */
final class SqliteSql {

    /**
     * UTC epoch microseconds. unixepoch() is UTC whatever the session's time zone; 'subsec' (SQLite 3.42+) gives
     * milliseconds, SQLite's own clock resolution. 'now' is fixed for the duration of one statement.
     */
    static final String CLOCK = "CAST(unixepoch('subsec') * 1000000 AS INTEGER)";

    static final String CORRECTED_CLOCK = "(" + CLOCK + " + coalesce((SELECT num_value FROM " + BisyncTables.CONFIG
            + " WHERE name = '" + BisyncTables.CLOCK_CORRECTION + "'), 0))";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SqliteSql() {
    }

    static String q(String identifier) {
        return SqliteIdentifiers.INSTANCE.quote(identifier);
    }

    static String literal(String text) {
        return SqliteIdentifiers.literal(text);
    }

    static String versionTable(String localTableName) {
        return SqliteIdentifiers.INSTANCE.derivedName(BisyncTables.VERSION_TABLE_PREFIX, localTableName);
    }

    static String versionTable(SyncedTable table) {
        return versionTable(table.localName());
    }

    static String joined(List<SyncedColumn> columns, Function<SyncedColumn, String> each, String separator) {
        return columns.stream().map(each).collect(Collectors.joining(separator));
    }

    static String keyList(SyncedTable table) {
        return joined(table.keyColumns(), c -> q(c.local()), ", ");
    }

    /** {@code a.k1 IS b.k1 AND a.k2 IS b.k2}: NULL-safe key match. */
    static String keyMatch(SyncedTable table, String left, String right) {
        return joined(table.keyColumns(), c -> left + "." + q(c.local()) + " IS " + right + "." + q(c.local()), " AND ");
    }

    /** A JSON path to an object member, as an SQL literal: SQLite compares path labels in their JSON-escaped form. */
    static String jsonMemberPath(String member, String suffix) {
        try {
            return literal("$." + MAPPER.writeValueAsString(member) + suffix);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }
}
