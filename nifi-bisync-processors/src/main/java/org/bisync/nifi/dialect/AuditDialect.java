/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.ColumnInfo;

import java.util.List;

/**
 * What the consistency audit needs of an engine: a canonical text of a column's value that is the same on every engine
 * for the same record value (so hashes of it compare across engines), and a hash of a text computed inside the
 * database. The canonical texts, by the column's record type ({@link TypeMapping}):
 * <ul>
 * <li>integers: decimal digits ({@code -12});</li>
 * <li>decimals and floating point: the plain decimal without trailing zeros in the fraction and without a trailing
 *     point ({@code 10.5}, {@code 10}, {@code -0.25}); no exponent form for the values the type mappings accept;</li>
 * <li>booleans: {@code 1} or {@code 0};</li>
 * <li>timestamps: {@code yyyy-MM-dd HH:mm:ss.ffffff} with always six fractional digits, in UTC for types with a time zone;</li>
 * <li>dates: {@code yyyy-MM-dd};</li>
 * <li>binary: lower-case hexadecimal;</li>
 * <li>everything else (text, JSON, UUID, time): the value's text as the engine gives it.</li>
 * </ul>
 * {@link AuditQueries} combines them, with NULL kept apart from the empty string, into a key text and a row text.
 */
public interface AuditDialect {

    /** A text expression of the canonical form of a non-NULL value of {@code column} (given as {@code value}). */
    String canonicalValue(String value, ColumnInfo column);

    /** The number of characters of a text expression, as a text of decimal digits. */
    String lengthText(String text);

    /** The concatenation of text expressions (none of them NULL). */
    String concat(List<String> texts);

    /**
     * The lower-case hexadecimal MD5 of the UTF-8 bytes of a text expression, computed by the database; null when the
     * engine has no such function (SQLite): the audit then reads the text and hashes it itself.
     */
    String md5(String text);

    /** An exact integer expression of the first 15 hexadecimal digits of an MD5 expression (summed per bucket). */
    String hashNumber(String md5Hex);

    /** The first {@code digits} characters of a text expression. */
    default String prefix(String text, int digits) {
        return "substr(" + text + ", 1, " + digits + ")";
    }
}
