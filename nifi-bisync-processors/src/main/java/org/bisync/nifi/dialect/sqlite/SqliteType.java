/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.schema.ColumnInfo;

import java.sql.Types;
import java.util.Locale;

/**
 * What we make of a column's DECLARED type. SQLite stores whatever it is given (type affinity only nudges numeric
 * text into numbers), so the declared type name is the only statement of intent we have; record values are read and
 * bound by it.
 */
enum SqliteType {
    /** INTEGER, BIGINT, INT8, UNSIGNED BIG INT and anything else containing INT: 64-bit (INTEGER is the rowid's type). */
    INT64(Long.MIN_VALUE, Long.MAX_VALUE, Types.BIGINT),
    /** INT, INT4, MEDIUMINT: 32-bit as in every other engine. */
    INT32(Integer.MIN_VALUE, Integer.MAX_VALUE, Types.INTEGER),
    /** SMALLINT, INT2, TINYINT: 16-bit. */
    INT16(Short.MIN_VALUE, Short.MAX_VALUE, Types.SMALLINT),
    DECIMAL(0, 0, Types.DECIMAL),
    /** REAL, FLOAT, DOUBLE: SQLite keeps every floating-point value in 8 bytes. */
    DOUBLE(0, 0, Types.DOUBLE),
    BOOLEAN(0, 0, Types.BOOLEAN),
    TEXT(0, 0, Types.VARCHAR),
    JSON(0, 0, Types.VARCHAR),
    UUID(0, 0, Types.VARCHAR),
    DATE(0, 0, Types.DATE),
    TIME(0, 0, Types.TIME),
    TIMESTAMP(0, 0, Types.TIMESTAMP),
    TIMESTAMP_TZ(0, 0, Types.TIMESTAMP_WITH_TIMEZONE),
    BINARY(0, 0, Types.VARBINARY);

    final long min;
    final long max;
    final int jdbcType;

    SqliteType(long min, long max, int jdbcType) {
        this.min = min;
        this.max = max;
        this.jdbcType = jdbcType;
    }

    boolean isInteger() {
        return this == INT64 || this == INT32 || this == INT16;
    }

    static SqliteType of(ColumnInfo column) {
        return of(column.typeName());
    }

    /** Classifies a declared type name without its "(size, scale)" part. Unknown and empty names are text. */
    static SqliteType of(String typeName) {
        String t = typeName == null ? "" : typeName.trim().toUpperCase(Locale.ROOT);
        if (t.contains("BOOL")) {
            return BOOLEAN;
        }
        if (t.equals("INT") || t.equals("INT4") || t.equals("MEDIUMINT") || t.equals("INTEGER4")) {
            return INT32;
        }
        if (t.equals("SMALLINT") || t.equals("INT2") || t.equals("TINYINT")) {
            return INT16;
        }
        if (t.contains("INT") && !t.contains("INTERVAL") && !t.contains("POINT")) {
            return INT64;
        }
        if (t.startsWith("DEC") || t.startsWith("NUMERIC") || t.equals("NUMBER") || t.equals("MONEY")) {
            return DECIMAL;
        }
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
            return DOUBLE;
        }
        if (t.startsWith("TIMESTAMP") || t.startsWith("DATETIME")) {
            return t.contains("TZ") || (t.contains("WITH TIME ZONE") && !t.contains("WITHOUT")) ? TIMESTAMP_TZ : TIMESTAMP;
        }
        if (t.equals("DATE")) {
            return DATE;
        }
        if (t.startsWith("TIME")) {
            return TIME;
        }
        if (t.contains("BLOB") || t.contains("BINARY") || t.equals("BYTEA") || t.equals("BYTES")) {
            return BINARY;
        }
        if (t.equals("JSON") || t.equals("JSONB")) {
            return JSON;
        }
        if (t.equals("UUID") || t.equals("GUID") || t.equals("UNIQUEIDENTIFIER")) {
            return UUID;
        }
        return TEXT;
    }
}
