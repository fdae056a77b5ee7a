/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.schema.ColumnInfo;

import java.util.List;

/** The audit's canonical texts and hashes in MariaDB; TIMESTAMP values in UTC whatever the session time zone. */
final class MariaDbAuditDialect implements AuditDialect {

    private static final String MICROS = "'%Y-%m-%d %H:%i:%s.%f'";

    @Override
    public String canonicalValue(String value, ColumnInfo column) {
        return switch (MariaDbType.of(column)) {
            case DECIMAL -> column.scale() > 0
                    ? "TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(" + value + " AS CHAR)))"
                    : "CAST(" + value + " AS CHAR)";
            case FLOAT, DOUBLE -> "CAST(CAST(" + value + " AS DOUBLE) AS CHAR)";
            case BOOLEAN -> "CASE WHEN " + value + " <> 0 THEN '1' ELSE '0' END";
            case DATE -> "DATE_FORMAT(" + value + ", '%Y-%m-%d')";
            case DATETIME -> "DATE_FORMAT(" + value + ", " + MICROS + ")";
            // UNIX_TIMESTAMP is the stored UTC instant, independent of the session's time zone
            case TIMESTAMP -> "DATE_FORMAT(TIMESTAMP'1970-01-01 00:00:00' + INTERVAL CAST(UNIX_TIMESTAMP(" + value
                    + ") * 1000000 AS SIGNED) MICROSECOND, " + MICROS + ")";
            case BINARY, VARBINARY, BLOB -> "LOWER(HEX(" + value + "))";
            case CHAR, VARCHAR, TEXT, JSON -> "CONVERT(" + value + " USING utf8mb4)";
            default -> "CAST(" + value + " AS CHAR)";
        };
    }

    @Override
    public String lengthText(String text) {
        return "CAST(CHAR_LENGTH(" + text + ") AS CHAR)";
    }

    @Override
    public String concat(List<String> texts) {
        return "CONCAT(" + String.join(", ", texts) + ")";
    }

    @Override
    public String md5(String text) {
        return "MD5(CONVERT(" + text + " USING utf8mb4))";
    }

    @Override
    public String hashNumber(String md5Hex) {
        return "CAST(CONV(SUBSTR(" + md5Hex + ", 1, 15), 16, 10) AS UNSIGNED)";
    }
}
