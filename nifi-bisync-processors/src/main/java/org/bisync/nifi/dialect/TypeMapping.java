/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.nifi.serialization.record.DataType;
import org.bisync.nifi.schema.ColumnInfo;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Column types to NiFi record types and values, both ways. Record values use these Java types in every dialect,
 * so a change captured from one engine applies into another:
 * <ul>
 * <li>smallint, integer: INT / {@link Integer}; bigint: LONG / {@link Long}</li>
 * <li>decimal/numeric(p,s): DECIMAL(p,s) / {@link java.math.BigDecimal}</li>
 * <li>real/float4: FLOAT / {@link Float}; double/float8: DOUBLE / {@link Double}</li>
 * <li>boolean, MariaDB tinyint(1) and bit(1): BOOLEAN / {@link Boolean}</li>
 * <li>char, varchar, text, enum, JSON, UUID: STRING / {@link String} (JSON as its text, UUID in lower case)</li>
 * <li>date: DATE / {@link java.sql.Date} from {@code Date.valueOf(LocalDate)}</li>
 * <li>time: STRING / "HH:mm:ss[.ffffff]" (NiFi's TIME keeps only milliseconds)</li>
 * <li>timestamp without time zone: TIMESTAMP / {@link java.sql.Timestamp} from {@code Timestamp.valueOf(LocalDateTime)}, micros kept;
 *     timestamp with time zone: the same, holding the UTC wall-clock time</li>
 * <li>binary, bytea, blob: ARRAY of BYTE / {@code byte[]}</li>
 * </ul>
 * Values coming back from a record reader may arrive in looser forms (Integer for a LONG, a String for a timestamp,
 * {@code Object[]} of Byte for bytes): {@link #bind} accepts them and converts, and rejects with
 * {@link ValueRejectedException} what the column cannot hold without loss (never truncates).
 */
public interface TypeMapping {

    /** The record type for a column. */
    DataType recordType(ColumnInfo column);

    /**
     * The SQL expression a trigger uses to put a column of the row {@code rowAlias} (NEW or OLD) into its JSON image,
     * such as {@code NEW."amount"} or {@code hex(NEW.photo)}. Must be decodable by {@link #fromImage}.
     */
    String imageExpression(String rowAlias, ColumnInfo column);

    /** Decodes a value of a trigger's JSON image (JSON null gives null). */
    Object fromImage(JsonNode image, ColumnInfo column);

    /** Encodes a record value the way a trigger would, for history rows apply writes itself (hub forwarding). */
    JsonNode toImage(Object recordValue, ColumnInfo column);

    /**
     * The expression a SELECT uses for a column so that {@link #read} gets its exact value, given the column's quoted
     * (and possibly qualified) reference. Most engines select the column itself.
     */
    default String selectExpression(String columnReference, ColumnInfo column) {
        return columnReference;
    }

    /** Reads a column of the current result-set row (selected with {@link #selectExpression}) as a record value. */
    Object read(ResultSet resultSet, int index, ColumnInfo column) throws SQLException;

    /** Binds a record value (or null) to a parameter for this column. */
    void bind(PreparedStatement statement, int index, Object recordValue, ColumnInfo column) throws SQLException;
}
