/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.nifi.serialization.record.DataType;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.bisync.nifi.dialect.RecordValues;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.dialect.ValueRejectedException;
import org.bisync.nifi.schema.ColumnInfo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MariaDB column values, both ways. The trigger images use: JSON numbers for integers, decimals and floating point
 * (a FLOAT widened to DOUBLE first, so no digit is lost), 0/1 for booleans, the text of char/text/enum/JSON columns
 * (a JSON column as a string, not nested), base64 for binary, 'yyyy-MM-dd HH:mm:ss.ffffff' for DATETIME, the text of
 * TIME and DATE, and UTC epoch seconds with the fraction ({@code UNIX_TIMESTAMP}) for TIMESTAMP, which is independent
 * of the writer's session time zone.
 *
 * <p>TIMESTAMP columns in {@link #read} and {@link #bind}: MariaDB shows and takes them in the session time zone. Record
 * values hold the UTC time, so {@link #read} and {@link #bind} expect a session with {@code time_zone = '+00:00'}:
 * {@link MariaDbApplyDialect#markOrigin} sets it for the applier's transaction and {@link MariaDbApplyDialect#clearOrigin}
 * restores the session's own. A SELECT that must read TIMESTAMP columns in any session uses
 * {@link #selectExpression} (as the snapshot does): {@link #read} recognises the numeric epoch it returns.
 */
final class MariaDbTypeMapping implements TypeMapping {

    private static final JsonNodeFactory JSON = JsonNodeFactory.withExactBigDecimals(true);
    private static final DateTimeFormatter DATETIME_IMAGE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final Pattern TIME = Pattern.compile("(-)?(\\d{1,3}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?");
    private static final BigInteger UNSIGNED_BIGINT_MAX = new BigInteger("18446744073709551615");

    private final MariaDbIdentifiers identifiers = new MariaDbIdentifiers();

    @Override
    public DataType recordType(ColumnInfo column) {
        MariaDbType type = MariaDbType.of(column);
        return switch (type) {
            case TINYINT, TINYINT_UNSIGNED, SMALLINT, SMALLINT_UNSIGNED, MEDIUMINT, MEDIUMINT_UNSIGNED, INT, YEAR -> RecordFieldType.INT.getDataType();
            case INT_UNSIGNED, BIGINT, BIT -> RecordFieldType.LONG.getDataType();
            case BIGINT_UNSIGNED -> RecordFieldType.DECIMAL.getDecimalDataType(20, 0);
            case DECIMAL -> RecordFieldType.DECIMAL.getDecimalDataType(column.size(), column.scale());
            case FLOAT -> RecordFieldType.FLOAT.getDataType();
            case DOUBLE -> RecordFieldType.DOUBLE.getDataType();
            case BOOLEAN -> RecordFieldType.BOOLEAN.getDataType();
            case CHAR, VARCHAR, TEXT, JSON, TIME -> RecordFieldType.STRING.getDataType();
            case DATE -> RecordFieldType.DATE.getDataType();
            case DATETIME, TIMESTAMP -> RecordFieldType.TIMESTAMP.getDataType();
            case BINARY, VARBINARY, BLOB -> RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType());
            case UNSUPPORTED -> throw unsupported(column);
        };
    }

    @Override
    public String imageExpression(String rowAlias, ColumnInfo column) {
        String value = rowAlias + "." + identifiers.quote(column.name());
        return switch (MariaDbType.of(column)) {
            case FLOAT -> "CAST(" + value + " AS DOUBLE)";
            case BOOLEAN, BIT -> "(" + value + " + 0)";
            case JSON -> "CAST(" + value + " AS CHAR)";
            case TIME -> "TIME_FORMAT(" + value + ", '%H:%i:%s.%f')";
            case DATETIME -> "DATE_FORMAT(" + value + ", '%Y-%m-%d %H:%i:%s.%f')";
            case TIMESTAMP -> "UNIX_TIMESTAMP(" + value + ")";
            case BINARY, VARBINARY, BLOB -> "TO_BASE64(" + value + ")";
            case UNSUPPORTED -> throw unsupported(column);
            default -> value;
        };
    }

    /**
     * The expression a SELECT uses for a column so that {@link #read} gets its exact value: TIMESTAMP as UTC epoch
     * seconds whatever the session time zone, and FLOAT widened to DOUBLE (the text protocol sends a FLOAT with six
     * significant digits only, {@code 3.1415927} as {@code 3.14159}).
     */
    @Override
    public String selectExpression(String value, ColumnInfo column) {
        return switch (MariaDbType.of(column)) {
            case TIMESTAMP -> "UNIX_TIMESTAMP(" + value + ")";
            case FLOAT -> "CAST(" + value + " AS DOUBLE)";
            default -> value;
        };
    }

    @Override
    public Object fromImage(JsonNode image, ColumnInfo column) {
        if (image == null || image.isNull() || image.isMissingNode()) {
            return null;
        }
        MariaDbType type = MariaDbType.of(column);
        String name = column.name();
        return switch (type) {
            case TINYINT, TINYINT_UNSIGNED, SMALLINT, SMALLINT_UNSIGNED, MEDIUMINT, MEDIUMINT_UNSIGNED, INT, YEAR ->
                    (int) RecordValues.toLongInRange(number(image, name), name, type.min(), type.max());
            case INT_UNSIGNED, BIGINT, BIT -> RecordValues.toLong(number(image, name), name);
            case BIGINT_UNSIGNED -> number(image, name).setScale(0, RoundingMode.UNNECESSARY);
            case DECIMAL -> number(image, name).setScale(column.scale(), RoundingMode.UNNECESSARY);
            case FLOAT -> (float) number(image, name).doubleValue();
            case DOUBLE -> number(image, name).doubleValue();
            case BOOLEAN -> image.isBoolean() ? image.booleanValue() : number(image, name).signum() != 0;
            case CHAR, VARCHAR, TEXT, JSON -> image.asText();
            case TIME -> normalizeTime(image.asText(), name);
            case DATE -> Date.valueOf(LocalDate.parse(image.asText()));
            case DATETIME -> Timestamp.valueOf(LocalDateTime.parse(image.asText().replace(' ', 'T')));
            case TIMESTAMP -> Timestamp.valueOf(fromEpochSeconds(number(image, name)));
            case BINARY, VARBINARY, BLOB -> Base64.getMimeDecoder().decode(image.asText());
            case UNSUPPORTED -> throw unsupported(column);
        };
    }

    @Override
    public JsonNode toImage(Object recordValue, ColumnInfo column) {
        if (recordValue == null) {
            return JSON.nullNode();
        }
        MariaDbType type = MariaDbType.of(column);
        String name = column.name();
        return switch (type) {
            case TINYINT, TINYINT_UNSIGNED, SMALLINT, SMALLINT_UNSIGNED, MEDIUMINT, MEDIUMINT_UNSIGNED, INT, YEAR, INT_UNSIGNED, BIGINT, BIT ->
                    JSON.numberNode(RecordValues.toLong(recordValue, name));
            case BIGINT_UNSIGNED, DECIMAL -> JSON.numberNode(RecordValues.toBigDecimal(recordValue, name));
            case FLOAT -> JSON.numberNode((double) RecordValues.toFloat(recordValue, name));
            case DOUBLE -> JSON.numberNode(RecordValues.toDouble(recordValue, name));
            case BOOLEAN -> JSON.numberNode(RecordValues.toBoolean(recordValue, name) ? 1 : 0);
            case CHAR, VARCHAR, TEXT, JSON -> JSON.textNode(RecordValues.toText(recordValue, name, 0));
            case TIME -> JSON.textNode(timeText(recordValue, name));
            case DATE -> JSON.textNode(RecordValues.toLocalDate(recordValue, name).toString());
            case DATETIME -> JSON.textNode(RecordValues.toLocalDateTime(recordValue, name).format(DATETIME_IMAGE));
            case TIMESTAMP -> JSON.numberNode(toEpochSeconds(RecordValues.toLocalDateTime(recordValue, name)));
            case BINARY, VARBINARY, BLOB -> JSON.textNode(Base64.getEncoder().encodeToString(RecordValues.toBytes(recordValue, name)));
            case UNSUPPORTED -> throw unsupported(column);
        };
    }

    @Override
    public Object read(ResultSet rs, int index, ColumnInfo column) throws SQLException {
        MariaDbType type = MariaDbType.of(column);
        Object value = switch (type) {
            case TINYINT, TINYINT_UNSIGNED, SMALLINT, SMALLINT_UNSIGNED, MEDIUMINT, MEDIUMINT_UNSIGNED, INT, YEAR -> rs.getInt(index);
            case INT_UNSIGNED, BIGINT, BIT -> rs.getLong(index);
            case BIGINT_UNSIGNED, DECIMAL -> rs.getBigDecimal(index);
            case FLOAT -> (float) rs.getDouble(index);
            case DOUBLE -> rs.getDouble(index);
            case BOOLEAN -> rs.getBoolean(index);
            case CHAR, VARCHAR, TEXT, JSON -> rs.getString(index);
            case TIME -> {
                String text = rs.getString(index);
                yield text == null ? null : normalizeTime(text, column.name());
            }
            case DATE -> {
                LocalDate date = rs.getObject(index, LocalDate.class);
                yield date == null ? null : Date.valueOf(date);
            }
            case DATETIME -> timestamp(rs.getObject(index, LocalDateTime.class));
            case TIMESTAMP -> isNumeric(rs.getMetaData().getColumnType(index))
                    ? epochTimestamp(rs.getBigDecimal(index))
                    : timestamp(rs.getObject(index, LocalDateTime.class));
            case BINARY, VARBINARY, BLOB -> rs.getBytes(index);
            case UNSUPPORTED -> throw unsupported(column);
        };
        return rs.wasNull() ? null : value;
    }

    @Override
    public void bind(PreparedStatement ps, int index, Object value, ColumnInfo column) throws SQLException {
        MariaDbType type = MariaDbType.of(column);
        String name = column.name();
        if (value == null) {
            ps.setNull(index, type.jdbcType() == Types.TIMESTAMP_WITH_TIMEZONE ? Types.TIMESTAMP : type.jdbcType());
            return;
        }
        switch (type) {
            case TINYINT, TINYINT_UNSIGNED, SMALLINT, SMALLINT_UNSIGNED, MEDIUMINT, MEDIUMINT_UNSIGNED, INT, YEAR, INT_UNSIGNED, BIGINT ->
                    ps.setLong(index, RecordValues.toLongInRange(value, name, type.min(), type.max()));
            case BIT -> ps.setLong(index, RecordValues.toLongInRange(value, name, 0,
                    column.size() >= 63 ? Long.MAX_VALUE : (1L << column.size()) - 1));
            case BIGINT_UNSIGNED -> {
                BigDecimal d = RecordValues.toDecimal(value, name, 20, 0);
                if (d.signum() < 0 || d.toBigInteger().compareTo(UNSIGNED_BIGINT_MAX) > 0) {
                    throw new ValueRejectedException(name,
                            "Column '" + name + "' takes values from 0 to " + UNSIGNED_BIGINT_MAX + "; the value is outside that range");
                }
                ps.setBigDecimal(index, d);
            }
            case DECIMAL -> ps.setBigDecimal(index, RecordValues.toDecimal(value, name, column.size(), column.scale()));
            case FLOAT -> ps.setFloat(index, (float) finite(RecordValues.toFloat(value, name), name));
            case DOUBLE -> ps.setDouble(index, finite(RecordValues.toDouble(value, name), name));
            case BOOLEAN -> ps.setBoolean(index, RecordValues.toBoolean(value, name));
            case CHAR, VARCHAR -> ps.setString(index, RecordValues.toText(value, name, column.size()));
            case TEXT, JSON -> {
                String text = RecordValues.toText(value, name, 0);
                int bytes = text.getBytes(StandardCharsets.UTF_8).length;
                if (column.size() > 0 && bytes > column.size()) {
                    throw new ValueRejectedException(name, "Column '" + name + "' holds at most " + column.size() + " bytes; the value has " + bytes);
                }
                ps.setString(index, text);
            }
            case TIME -> ps.setString(index, checkTimeFraction(timeText(value, name), column));
            case DATE -> ps.setObject(index, RecordValues.toLocalDate(value, name));
            case DATETIME -> ps.setObject(index, inRange(RecordValues.checkFraction(RecordValues.toLocalDateTime(value, name),
                    column.scale(), name), DATETIME_MIN, DATETIME_MAX, name, "DATETIME"));
            case TIMESTAMP -> ps.setObject(index, inRange(RecordValues.checkFraction(RecordValues.toLocalDateTime(value, name),
                    column.scale(), name), TIMESTAMP_MIN, TIMESTAMP_MAX, name, "TIMESTAMP (UTC)"));
            case BINARY, VARBINARY, BLOB -> {
                byte[] bytes = RecordValues.toBytes(value, name);
                if (column.size() > 0 && bytes.length > column.size()) {
                    throw new ValueRejectedException(name, "Column '" + name + "' holds at most " + column.size() + " bytes; the value has " + bytes.length);
                }
                ps.setBytes(index, bytes);
            }
            case UNSUPPORTED -> throw unsupported(column);
        }
    }

    private static final LocalDateTime DATETIME_MIN = LocalDateTime.of(1000, 1, 1, 0, 0);
    private static final LocalDateTime DATETIME_MAX = LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000);
    /** MariaDB's TIMESTAMP range, in the UTC session apply writes in (0 is the "zero date", not a time). */
    private static final LocalDateTime TIMESTAMP_MIN = LocalDateTime.of(1970, 1, 1, 0, 0, 1);
    private static final LocalDateTime TIMESTAMP_MAX = LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_999_000);

    private static LocalDateTime inRange(LocalDateTime value, LocalDateTime min, LocalDateTime max, String column, String type) {
        if (value.isBefore(min) || value.isAfter(max)) {
            throw new ValueRejectedException(column, "Column '" + column + "' is a MariaDB " + type + ", which takes " + min + " to "
                    + max + "; the value is outside that range");
        }
        return value;
    }

    private static BigDecimal number(JsonNode image, String column) {
        if (image.isNumber()) {
            return image.decimalValue();
        }
        return RecordValues.toBigDecimal(image.asText(), column);
    }

    private static boolean isNumeric(int jdbcType) {
        return switch (jdbcType) {
            case Types.DECIMAL, Types.NUMERIC, Types.BIGINT, Types.INTEGER, Types.DOUBLE -> true;
            default -> false;
        };
    }

    private static Timestamp timestamp(LocalDateTime value) {
        return value == null ? null : Timestamp.valueOf(value);
    }

    private static Timestamp epochTimestamp(BigDecimal seconds) {
        return seconds == null ? null : Timestamp.valueOf(fromEpochSeconds(seconds));
    }

    static LocalDateTime fromEpochSeconds(BigDecimal seconds) {
        BigDecimal micros = seconds.movePointRight(6).setScale(0, RoundingMode.UNNECESSARY);
        long total = micros.longValueExact();
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(total, 1_000_000L), Math.floorMod(total, 1_000_000L) * 1000L);
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static BigDecimal toEpochSeconds(LocalDateTime utc) {
        Instant instant = utc.toInstant(ZoneOffset.UTC);
        return BigDecimal.valueOf(instant.getEpochSecond()).add(BigDecimal.valueOf(instant.getNano(), 9)).stripTrailingZeros();
    }

    private static double finite(double d, String column) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new ValueRejectedException(column, "Column '" + column + "' cannot hold NaN or an infinite number in MariaDB");
        }
        return d;
    }

    private static String timeText(Object value, String column) {
        if (value instanceof LocalTime t) {
            return RecordValues.timeText(t);
        }
        if (value instanceof java.sql.Time t) {
            return RecordValues.timeText(t.toLocalTime());
        }
        return normalizeTime(RecordValues.toText(value, column, 0).trim(), column);
    }

    /** MariaDB TIME text (which may be negative or above 24 hours) in the canonical form of RecordValues#timeText. */
    static String normalizeTime(String text, String column) {
        Matcher m = TIME.matcher(text.trim());
        if (!m.matches()) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes a time (HH:mm:ss.ffffff), got text that is not one");
        }
        boolean negative = m.group(1) != null;
        int hours = Integer.parseInt(m.group(2));
        String fraction = m.group(5) == null ? "" : m.group(5).replaceAll("0+$", "");
        if (fraction.length() > 6) {
            throw new ValueRejectedException(column, "Column '" + column + "' keeps at most 6 fractional second digits; the value has more");
        }
        if (!negative && hours < 24) {
            int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9));
            return RecordValues.timeText(LocalTime.of(hours, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), nanos));
        }
        boolean zero = hours == 0 && m.group(3).equals("00") && m.group(4).equals("00") && fraction.isEmpty();
        return (negative && !zero ? "-" : "") + hours + ":" + m.group(3) + ":" + m.group(4) + (fraction.isEmpty() ? "" : "." + fraction);
    }

    private static String checkTimeFraction(String canonical, ColumnInfo column) {
        int dot = canonical.indexOf('.');
        int digits = dot < 0 ? 0 : canonical.replaceAll("0+$", "").length() - dot - 1;
        if (digits > column.scale()) {
            throw new ValueRejectedException(column.name(), "Column '" + column.name() + "' keeps " + column.scale()
                    + " fractional second digits; the value would be rounded");
        }
        return canonical;
    }

    private static IllegalArgumentException unsupported(ColumnInfo column) {
        return new IllegalArgumentException("Column '" + column.name() + "' (" + column.typeName()
                + ") has a MariaDB type nifi-bisync cannot sync; exclude it from the table's fields");
    }
}
