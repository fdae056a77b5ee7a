/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.RecordValues;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * PostgreSQL columns as record values (see {@link TypeMapping} for the Java types). Images: numbers and booleans as
 * JSON numbers and booleans (numeric exactly, with its scale), timestamps as ISO text ({@code timestamptz} converted to
 * UTC in the trigger, so the session time zone never matters), bytea as hex, json/jsonb/uuid/enums and other types as
 * their text.
 *
 * <p>A {@code numeric} without precision has record type DECIMAL(38, 18) as a declared hint only: its values keep
 * their own scale, are never rounded, and {@link #bind} accepts any decimal for it.
 */
final class PostgresTypeMapping implements TypeMapping {

    static final int UNCONSTRAINED_NUMERIC_PRECISION = 38;
    static final int UNCONSTRAINED_NUMERIC_SCALE = 18;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    @Override
    public DataType recordType(ColumnInfo column) {
        return switch (PostgresType.of(column)) {
            case SMALLINT, INTEGER -> RecordFieldType.INT.getDataType();
            case BIGINT -> RecordFieldType.LONG.getDataType();
            case NUMERIC -> column.size() > 0
                    ? RecordFieldType.DECIMAL.getDecimalDataType(column.size(), column.scale())
                    : RecordFieldType.DECIMAL.getDecimalDataType(UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE);
            case REAL -> RecordFieldType.FLOAT.getDataType();
            case DOUBLE -> RecordFieldType.DOUBLE.getDataType();
            case BOOLEAN -> RecordFieldType.BOOLEAN.getDataType();
            case DATE -> RecordFieldType.DATE.getDataType();
            case TIMESTAMP, TIMESTAMPTZ -> RecordFieldType.TIMESTAMP.getDataType();
            case BYTEA -> RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType());
            case TEXT, TIME, JSON, JSONB, UUID, OTHER -> RecordFieldType.STRING.getDataType();
        };
    }

    @Override
    public String imageExpression(String rowAlias, ColumnInfo column) {
        String value = rowAlias + "." + new PostgresIdentifiers().quote(column.name());
        return switch (PostgresType.of(column)) {
            case TIMESTAMPTZ -> "(" + value + " AT TIME ZONE 'UTC')";
            case BYTEA -> "encode(" + value + ", 'hex')";
            // floats as text: a JSON number read as BigDecimal would lose -0 (and NaN/Infinity are not JSON numbers)
            case JSON, JSONB, OTHER, REAL, DOUBLE -> value + "::text";
            default -> value;
        };
    }

    @Override
    public Object fromImage(JsonNode image, ColumnInfo column) {
        if (image == null || image.isNull() || image.isMissingNode()) {
            return null;
        }
        String name = column.name();
        return switch (PostgresType.of(column)) {
            case SMALLINT, INTEGER -> (int) RecordValues.toLong(number(image, name), name);
            case BIGINT -> RecordValues.toLong(number(image, name), name);
            case NUMERIC -> column.size() > 0 ? number(image, name).setScale(column.scale()) : number(image, name);
            case REAL -> image.isNumber() ? Float.parseFloat(image.asText()) : RecordValues.toFloat(image.asText(), name);
            case DOUBLE -> image.isNumber() ? Double.parseDouble(image.asText()) : RecordValues.toDouble(image.asText(), name);
            case BOOLEAN -> image.isBoolean() ? image.booleanValue() : RecordValues.toBoolean(image.asText(), name);
            case DATE -> java.sql.Date.valueOf(LocalDate.parse(image.asText()));
            case TIME -> RecordValues.timeText(LocalTime.parse(image.asText()));
            case TIMESTAMP, TIMESTAMPTZ -> Timestamp.valueOf(LocalDateTime.parse(image.asText()));
            case BYTEA -> HEX.parseHex(image.asText());
            case TEXT, JSON, JSONB, UUID, OTHER -> image.asText();
        };
    }

    private static BigDecimal number(JsonNode image, String column) {
        if (image.isNumber()) {
            return image.isFloatingPointNumber() && !image.isBigDecimal() ? new BigDecimal(image.asText()) : image.decimalValue();
        }
        return RecordValues.toBigDecimal(image.asText(), column);
    }

    @Override
    public JsonNode toImage(Object recordValue, ColumnInfo column) {
        if (recordValue == null) {
            return JSON.nullNode();
        }
        String name = column.name();
        return switch (PostgresType.of(column)) {
            case SMALLINT, INTEGER, BIGINT -> JSON.numberNode(RecordValues.toLong(recordValue, name));
            case NUMERIC -> JSON.numberNode(RecordValues.toBigDecimal(recordValue, name));
            case REAL -> floatImage(RecordValues.toFloat(recordValue, name));
            case DOUBLE -> doubleImage(RecordValues.toDouble(recordValue, name));
            case BOOLEAN -> JSON.booleanNode(RecordValues.toBoolean(recordValue, name));
            case DATE -> JSON.textNode(RecordValues.toLocalDate(recordValue, name).toString());
            case TIME -> JSON.textNode(RecordValues.timeText(RecordValues.toLocalTime(recordValue, name)));
            case TIMESTAMP, TIMESTAMPTZ -> JSON.textNode(RecordValues.toLocalDateTime(recordValue, name).toString());
            case BYTEA -> JSON.textNode(HEX.formatHex(RecordValues.toBytes(recordValue, name)));
            case TEXT, JSON, JSONB, UUID, OTHER -> JSON.textNode(RecordValues.toText(recordValue, name, 0));
        };
    }

    private static JsonNode floatImage(float value) {
        return Float.isFinite(value) ? JSON.numberNode(value) : JSON.textNode(Float.toString(value));
    }

    private static JsonNode doubleImage(double value) {
        return Double.isFinite(value) ? JSON.numberNode(value) : JSON.textNode(Double.toString(value));
    }

    @Override
    public Object read(ResultSet rs, int index, ColumnInfo column) throws SQLException {
        Object value = switch (PostgresType.of(column)) {
            case SMALLINT, INTEGER -> rs.getInt(index);
            case BIGINT -> rs.getLong(index);
            case NUMERIC -> rs.getBigDecimal(index);
            case REAL -> rs.getFloat(index);
            case DOUBLE -> rs.getDouble(index);
            case BOOLEAN -> rs.getBoolean(index);
            case DATE -> {
                LocalDate date = rs.getObject(index, LocalDate.class);
                yield date == null ? null : java.sql.Date.valueOf(date);
            }
            case TIME -> {
                LocalTime time = rs.getObject(index, LocalTime.class);
                yield time == null ? null : RecordValues.timeText(time);
            }
            case TIMESTAMP -> {
                LocalDateTime timestamp = rs.getObject(index, LocalDateTime.class);
                yield timestamp == null ? null : Timestamp.valueOf(timestamp);
            }
            case TIMESTAMPTZ -> {
                OffsetDateTime timestamp = rs.getObject(index, OffsetDateTime.class);
                yield timestamp == null ? null : Timestamp.valueOf(timestamp.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
            }
            case BYTEA -> rs.getBytes(index);
            case TEXT, JSON, JSONB, UUID, OTHER -> rs.getString(index);
        };
        return rs.wasNull() ? null : value;
    }

    @Override
    public void bind(PreparedStatement statement, int index, Object value, ColumnInfo column) throws SQLException {
        PostgresType type = PostgresType.of(column);
        if (value == null) {
            statement.setNull(index, nullType(type));
            return;
        }
        String name = column.name();
        switch (type) {
            case SMALLINT -> statement.setShort(index, (short) RecordValues.toLongInRange(value, name, Short.MIN_VALUE, Short.MAX_VALUE));
            case INTEGER -> statement.setInt(index, (int) RecordValues.toLongInRange(value, name, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case BIGINT -> statement.setLong(index, RecordValues.toLong(value, name));
            case NUMERIC -> statement.setBigDecimal(index, column.size() > 0
                    ? RecordValues.toDecimal(value, name, column.size(), column.scale())
                    : RecordValues.toBigDecimal(value, name));
            case REAL -> statement.setFloat(index, RecordValues.toFloat(value, name));
            case DOUBLE -> statement.setDouble(index, RecordValues.toDouble(value, name));
            case BOOLEAN -> statement.setBoolean(index, RecordValues.toBoolean(value, name));
            case DATE -> statement.setObject(index, RecordValues.toLocalDate(value, name));
            case TIME -> statement.setObject(index, checkTimeFraction(RecordValues.toLocalTime(value, name), column));
            case TIMESTAMP -> statement.setObject(index, RecordValues.checkFraction(RecordValues.toLocalDateTime(value, name), column.scale(), name));
            case TIMESTAMPTZ -> statement.setObject(index, RecordValues.checkFraction(RecordValues.toLocalDateTime(value, name), column.scale(), name)
                    .atOffset(ZoneOffset.UTC));
            case BYTEA -> statement.setBytes(index, RecordValues.toBytes(value, name));
            case TEXT -> statement.setString(index, text(value, name, column.size()));
            case UUID -> statement.setObject(index, uuid(value, name));
            case JSON, JSONB, OTHER -> statement.setObject(index, text(value, name, 0), Types.OTHER);
        }
    }

    private static int nullType(PostgresType type) {
        return switch (type) {
            case SMALLINT -> Types.SMALLINT;
            case INTEGER -> Types.INTEGER;
            case BIGINT -> Types.BIGINT;
            case NUMERIC -> Types.NUMERIC;
            case REAL -> Types.REAL;
            case DOUBLE -> Types.DOUBLE;
            case BOOLEAN -> Types.BOOLEAN;
            case DATE -> Types.DATE;
            case TIMESTAMP -> Types.TIMESTAMP;
            case BYTEA -> Types.BINARY;
            case TEXT -> Types.VARCHAR;
            default -> Types.OTHER;
        };
    }

    private static String text(Object value, String column, int maxLength) {
        String text = RecordValues.toText(value, column, maxLength);
        if (text.indexOf('\0') >= 0) {
            throw new ValueRejectedException(column, "Column '" + column + "': PostgreSQL text cannot hold the NUL character (U+0000)");
        }
        return text;
    }

    private static java.util.UUID uuid(Object value, String column) {
        if (value instanceof java.util.UUID uuid) {
            return uuid;
        }
        String text = RecordValues.toText(value, column, 0).trim();
        try {
            return java.util.UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes a UUID, got text that is not one");
        }
    }

    private static LocalTime checkTimeFraction(LocalTime time, ColumnInfo column) {
        RecordValues.checkFraction(LocalDate.EPOCH.atTime(time), column.scale(), column.name());
        return time;
    }
}
