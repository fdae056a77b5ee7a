/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import java.util.List;
import java.util.Optional;

/**
 * A table or view as the database describes it.
 *
 * @param name       the table's name in its database
 * @param columns    columns in ordinal order
 * @param primaryKey primary key column names in key order; empty when there is none (always for a view)
 * @param view       whether it is a view
 */
public record TableMetadata(String name, List<ColumnInfo> columns, List<String> primaryKey, boolean view) {

    public TableMetadata {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Optional<ColumnInfo> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }
}
