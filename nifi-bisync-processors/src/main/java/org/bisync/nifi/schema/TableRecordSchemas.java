/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.dialect.TypeMapping;

import java.util.List;

/** The change-record schema of a synced table, typed by its own columns. */
public final class TableRecordSchemas {

    private TableRecordSchemas() {
    }

    public static ChangeRecordSchema changeSchema(SyncedTable table, TypeMapping types) {
        return new ChangeRecordSchema(new SimpleRecordSchema(fields(table.keyColumns(), types)),
                new SimpleRecordSchema(fields(table.columns(), types)));
    }

    private static List<RecordField> fields(List<SyncedColumn> columns, TypeMapping types) {
        return columns.stream()
                .map(c -> new RecordField(c.canonical(), types.recordType(c.column()), !c.key() && c.column().nullable()))
                .toList();
    }
}
