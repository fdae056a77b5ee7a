/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import java.sql.Types;

/** The MariaDB column types the dialect tells apart, as {@link org.bisync.nifi.schema.ColumnInfo#typeName()}. */
enum MariaDbType {
    TINYINT(Types.TINYINT, -128, 127),
    TINYINT_UNSIGNED(Types.SMALLINT, 0, 255),
    SMALLINT(Types.SMALLINT, -32768, 32767),
    SMALLINT_UNSIGNED(Types.INTEGER, 0, 65535),
    MEDIUMINT(Types.INTEGER, -8388608, 8388607),
    MEDIUMINT_UNSIGNED(Types.INTEGER, 0, 16777215),
    INT(Types.INTEGER, Integer.MIN_VALUE, Integer.MAX_VALUE),
    INT_UNSIGNED(Types.BIGINT, 0, 4294967295L),
    BIGINT(Types.BIGINT, Long.MIN_VALUE, Long.MAX_VALUE),
    /** Carried as DECIMAL(20,0). */
    BIGINT_UNSIGNED(Types.DECIMAL, 0, 0),
    YEAR(Types.SMALLINT, 0, 2155),
    DECIMAL(Types.DECIMAL, 0, 0),
    FLOAT(Types.REAL, 0, 0),
    DOUBLE(Types.DOUBLE, 0, 0),
    /** tinyint(1), bool, bit(1). */
    BOOLEAN(Types.BOOLEAN, 0, 0),
    /** bit(n) with n > 1, carried as LONG. */
    BIT(Types.BIGINT, 0, 0),
    CHAR(Types.CHAR, 0, 0),
    VARCHAR(Types.VARCHAR, 0, 0),
    /** tinytext, text, mediumtext, longtext; also enum, set, uuid, inet4, inet6 carried as text. */
    TEXT(Types.LONGVARCHAR, 0, 0),
    /** longtext with a json_valid check (MariaDB's JSON), carried as its text. */
    JSON(Types.LONGVARCHAR, 0, 0),
    DATE(Types.DATE, 0, 0),
    TIME(Types.TIME, 0, 0),
    DATETIME(Types.TIMESTAMP, 0, 0),
    /** Stored in UTC, shown in the session time zone; carried as UTC. */
    TIMESTAMP(Types.TIMESTAMP_WITH_TIMEZONE, 0, 0),
    BINARY(Types.BINARY, 0, 0),
    VARBINARY(Types.VARBINARY, 0, 0),
    BLOB(Types.LONGVARBINARY, 0, 0),
    /** Geometry and anything else: the table can be read, but such a column cannot be synced. */
    UNSUPPORTED(Types.OTHER, 0, 0);

    private final int jdbcType;
    private final long min;
    private final long max;

    MariaDbType(int jdbcType, long min, long max) {
        this.jdbcType = jdbcType;
        this.min = min;
        this.max = max;
    }

    public int jdbcType() {
        return jdbcType;
    }

    long min() {
        return min;
    }

    long max() {
        return max;
    }

    boolean isInteger() {
        return max != 0;
    }

    /** Whether an equality test on it must compare bytes (collations ignore case and trailing spaces). */
    boolean isCharacter() {
        return this == CHAR || this == VARCHAR || this == TEXT || this == JSON;
    }

    static MariaDbType of(String dataType, String columnType, boolean unsigned, boolean json) {
        return switch (dataType) {
            case "tinyint" -> columnType.startsWith("tinyint(1)") && !unsigned ? BOOLEAN : unsigned ? TINYINT_UNSIGNED : TINYINT;
            case "bool", "boolean" -> BOOLEAN;
            case "smallint" -> unsigned ? SMALLINT_UNSIGNED : SMALLINT;
            case "mediumint" -> unsigned ? MEDIUMINT_UNSIGNED : MEDIUMINT;
            case "int", "integer" -> unsigned ? INT_UNSIGNED : INT;
            case "bigint" -> unsigned ? BIGINT_UNSIGNED : BIGINT;
            case "year" -> YEAR;
            case "decimal", "numeric" -> DECIMAL;
            case "float" -> FLOAT;
            case "double", "real" -> DOUBLE;
            case "bit" -> columnType.equals("bit(1)") ? BOOLEAN : BIT;
            case "char" -> CHAR;
            case "varchar" -> VARCHAR;
            case "longtext" -> json ? JSON : TEXT;
            case "json" -> JSON;
            case "tinytext", "text", "mediumtext", "enum", "set", "uuid", "inet4", "inet6" -> TEXT;
            case "date" -> DATE;
            case "time" -> TIME;
            case "datetime" -> DATETIME;
            case "timestamp" -> TIMESTAMP;
            case "binary" -> BINARY;
            case "varbinary" -> VARBINARY;
            case "tinyblob", "blob", "mediumblob", "longblob" -> BLOB;
            default -> UNSUPPORTED;
        };
    }

    static MariaDbType of(org.bisync.nifi.schema.ColumnInfo column) {
        try {
            return valueOf(column.typeName());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column.name() + "' has type '" + column.typeName()
                    + "', which MariaDbCatalogReader does not produce");
        }
    }
}
