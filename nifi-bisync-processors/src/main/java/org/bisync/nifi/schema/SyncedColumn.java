/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

/**
 * A column of a synced table in one system.
 *
 * @param canonical the field's canonical name (what change records use)
 * @param column    the column in this system's database
 * @param key       part of the sync key
 * @param readOnly  never written by apply into this system (generated or computed, identity outside the key, or a
 *                  one-way field this system does not own)
 */
public record SyncedColumn(String canonical, ColumnInfo column, boolean key, boolean readOnly) {

    public String local() {
        return column.name();
    }
}
