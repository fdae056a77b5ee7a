/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.version.Version;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The version the initial load stamps on a row that has none (the dialects' {@code stampMissingVersions}): the
 * instant of the table's timestampField in UTC epoch microseconds where set, else {@link BisyncTables#STAMP_FLOOR} plus
 * the system's bias, from that system. ResolveConflicts measures an initial-load row against it when the target holds
 * the key but has not stamped it yet, so the decision is the one the target's own load will meet, whichever system
 * loads first.
 */
public final class InitialVersion {

    private InitialVersion() {
    }

    /** The version {@code table}'s system stamps on {@code row} (by canonical field). */
    public static Version of(SyncedTable table, Map<String, Object> row) {
        if (table.timestampColumn() != null) {
            Object value = row.get(table.settings().timestampField());
            LocalDateTime time = value instanceof Timestamp t ? t.toLocalDateTime()
                    : value instanceof LocalDateTime l ? l : value instanceof java.sql.Date d ? d.toLocalDate().atStartOfDay() : null;
            if (time != null) {
                return new Version(time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1_000, table.systemId());
            }
        }
        return new Version(BisyncTables.STAMP_FLOOR + table.bias(), table.systemId());
    }
}
