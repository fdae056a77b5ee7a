/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.schema.ColumnInfo;

import java.util.Locale;

/** The kinds of PostgreSQL column the type mapping tells apart, from the catalog's base type name. */
enum PostgresType {
    SMALLINT, INTEGER, BIGINT, NUMERIC, REAL, DOUBLE, BOOLEAN, TEXT, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, BYTEA, JSON,
    JSONB, UUID,
    /** Anything else (enums, domains, intervals, ...): carried as its text form, bound as an untyped literal. */
    OTHER;

    static PostgresType of(ColumnInfo column) {
        return switch (column.typeName().toLowerCase(Locale.ROOT)) {
            case "int2", "smallserial" -> SMALLINT;
            case "int4", "serial" -> INTEGER;
            case "int8", "bigserial" -> BIGINT;
            case "numeric" -> NUMERIC;
            case "float4" -> REAL;
            case "float8" -> DOUBLE;
            case "bool" -> BOOLEAN;
            case "varchar", "bpchar", "text", "name" -> TEXT;
            case "date" -> DATE;
            case "time" -> TIME;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "bytea" -> BYTEA;
            case "json" -> JSON;
            case "jsonb" -> JSONB;
            case "uuid" -> UUID;
            default -> OTHER;
        };
    }

    /** Whether the type has an equality operator usable in {@code IS DISTINCT FROM}; json has none. */
    boolean comparable() {
        return this != JSON && this != OTHER;
    }
}
