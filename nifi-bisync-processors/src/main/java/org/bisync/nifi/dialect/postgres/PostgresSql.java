/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Names and fragments shared by the capture and apply SQL. */
final class PostgresSql {

    static final PostgresIdentifiers IDS = new PostgresIdentifiers();

    /** UTC epoch microseconds; extract() returns an exact numeric since PostgreSQL 14 and ignores TimeZone. */
    static final String CLOCK = "(extract(epoch from clock_timestamp()) * 1000000)::bigint";

    static final String CORRECTION = "coalesce((SELECT c.num_value FROM " + BisyncTables.CONFIG + " c WHERE c.name = '"
            + BisyncTables.CLOCK_CORRECTION + "'), 0)";

    /** The setting the applier sets for its transaction; '' (what it reads after COMMIT) means unset. */
    static final String ORIGIN_SETTING = "bisync.origin";

    private PostgresSql() {
    }

    static String q(String identifier) {
        return IDS.quote(identifier);
    }

    static String versionTable(SyncedTable table) {
        return versionTable(table.localName());
    }

    static String versionTable(String localTableName) {
        return q(IDS.derivedName(BisyncTables.VERSION_TABLE_PREFIX, localTableName));
    }

    static String versionKeyIndex(String localTableName) {
        return q(IDS.derivedName("bisync_vk_", localTableName));
    }

    static String trigger(String localTableName, String suffix) {
        return q(IDS.derivedName(BisyncTables.TRIGGER_PREFIX, localTableName + suffix));
    }

    /** Comma-separated quoted key columns, each through {@code decorate}. */
    static String keyList(SyncedTable table, Function<String, String> decorate) {
        return list(table.keyColumns(), decorate);
    }

    static String list(List<SyncedColumn> columns, Function<String, String> decorate) {
        return columns.stream().map(c -> decorate.apply(q(c.local()))).collect(Collectors.joining(", "));
    }
}
