/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

/**
 * A column as the database's metadata describes it.
 *
 * @param name          the column's name in its database
 * @param jdbcType      {@link java.sql.Types} code
 * @param typeName      the engine's type name (for example {@code timestamptz}, {@code TINYINT}, {@code jsonb})
 * @param size          column size (precision for numbers, length for strings, fractional digits for some times)
 * @param scale         decimal digits
 * @param nullable      whether NULL is allowed
 * @param autoIncrement identity, serial or auto-increment
 * @param generated     a generated or computed column, never written
 */
public record ColumnInfo(String name, int jdbcType, String typeName, int size, int scale, boolean nullable,
                         boolean autoIncrement, boolean generated) {
}
