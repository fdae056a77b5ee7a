/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedColumn;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * How a statement selects the rows of a list of keys of one table: the condition in its WHERE clause and the binding of
 * the keys to it. Every statement over a list of keys ({@link ApplyDialect#selectVersions}, {@link ApplyDialect#readVersions},
 * {@link ApplyDialect#lockRows}, {@link KeyQueries#selectRowsByKeys}, {@link KeyQueries#selectVersionsWithRows}) takes its
 * keys this way, so an engine can bind them as one array instead of a parameter per key column.
 */
public interface KeyList {

    /** A key a column could not take, reported instead of failing the statement; the key then matches nothing. */
    interface Refusal {
        void refuse(Map<String, Object> key, SyncedColumn column, IllegalArgumentException reason);
    }

    /** The condition matching {@code keyCount} keys, with {@code alias.} before each key column when an alias is given. */
    String condition(String alias, int keyCount);

    /**
     * Binds {@code keys} (key column values by canonical name) to the parameters of {@link #condition} from parameter
     * {@code first} on; returns the next parameter index. A value a key column cannot take throws (an
     * {@link IllegalArgumentException}, see {@link TypeMapping#bind}), unless {@code refusal} is given: then the key is
     * reported to it and bound so that it matches no row.
     */
    int bind(PreparedStatement statement, int first, List<Map<String, Object>> keys, Refusal refusal) throws SQLException;

    /** {@link #bind} without refusal: a value a key column cannot take throws. */
    default int bind(PreparedStatement statement, int first, List<Map<String, Object>> keys) throws SQLException {
        return bind(statement, first, keys, null);
    }
}
