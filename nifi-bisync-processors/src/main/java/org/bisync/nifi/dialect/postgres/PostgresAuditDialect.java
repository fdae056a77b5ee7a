/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.schema.ColumnInfo;

import java.util.List;

/** The audit's canonical texts and hashes in PostgreSQL ({@code trim_scale} needs PostgreSQL 13). */
final class PostgresAuditDialect implements AuditDialect {

    @Override
    public String canonicalValue(String value, ColumnInfo column) {
        return switch (PostgresType.of(column)) {
            case NUMERIC -> "trim_scale(" + value + ")::text";
            case BOOLEAN -> "CASE WHEN " + value + " THEN '1' ELSE '0' END";
            case DATE -> "to_char(" + value + ", 'YYYY-MM-DD')";
            case TIMESTAMP -> "to_char(" + value + ", 'YYYY-MM-DD HH24:MI:SS.US')";
            case TIMESTAMPTZ -> "to_char(" + value + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
            case BYTEA -> "encode(" + value + ", 'hex')";
            default -> value + "::text";
        };
    }

    @Override
    public String lengthText(String text) {
        return "length(" + text + ")::text";
    }

    @Override
    public String concat(List<String> texts) {
        return "(" + String.join(" || ", texts) + ")";
    }

    @Override
    public String md5(String text) {
        return "md5(" + text + ")";
    }

    @Override
    public String hashNumber(String md5Hex) {
        return "('x' || substr(" + md5Hex + ", 1, 15))::bit(60)::bigint";
    }
}
