/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.schema.ColumnInfo;

import java.util.List;

/**
 * The audit's canonical texts in SQLite, from the storage forms {@link SqliteTypeMapping} writes (decimals as INTEGER
 * or REAL, timestamps as "yyyy-MM-dd HH:mm:ss[.ffffff]" text). SQLite has no hash function: the audit reads the
 * canonical texts and hashes them itself (SQLite runs inside NiFi's JVM, so nothing crosses a network).
 */
final class SqliteAuditDialect implements AuditDialect {

    @Override
    public String canonicalValue(String value, ColumnInfo column) {
        return switch (SqliteType.of(column)) {
            case INT64, INT32, INT16 -> "CAST(CAST(" + value + " AS INTEGER) AS TEXT)";
            case DECIMAL, DOUBLE -> "CASE typeof(" + value + ") WHEN 'integer' THEN CAST(" + value + " AS TEXT) ELSE "
                    + trimFraction(column.scale() > 0 && SqliteType.of(column) == SqliteType.DECIMAL
                    ? "printf('%." + column.scale() + "f', " + value + ")" : "printf('%!.15g', " + value + ")") + " END";
            case BOOLEAN -> "CASE WHEN " + value + " <> 0 THEN '1' ELSE '0' END";
            case DATE -> "substr(" + value + ", 1, 10)";
            case TIMESTAMP, TIMESTAMP_TZ -> "(substr(replace(" + value + ", 'T', ' '), 1, 19) || '.' || substr(substr(" + value
                    + ", 21) || '000000', 1, 6))";
            case BINARY -> "lower(hex(" + value + "))";
            default -> "CAST(" + value + " AS TEXT)";
        };
    }

    /** Trailing zeros of a fraction and a trailing point removed; a text without a point is left alone. */
    private static String trimFraction(String text) {
        return "CASE WHEN instr(" + text + ", '.') > 0 THEN rtrim(rtrim(" + text + ", '0'), '.') ELSE " + text + " END";
    }

    @Override
    public String lengthText(String text) {
        return "CAST(length(" + text + ") AS TEXT)";
    }

    @Override
    public String concat(List<String> texts) {
        return "(" + String.join(" || ", texts) + ")";
    }

    @Override
    public String md5(String text) {
        return null;
    }

    @Override
    public String hashNumber(String md5Hex) {
        throw new UnsupportedOperationException("SQLite has no hash function: the audit hashes the texts itself");
    }
}
