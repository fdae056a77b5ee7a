/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

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
import java.util.HexFormat;
import java.util.Locale;

/**
 * SQLite values by DECLARED type (see {@link SqliteType}). SQLite keeps any value in any column, in one of five storage
 * classes (NULL, INTEGER, REAL, TEXT, BLOB); {@link #read} and {@link #fromImage} both start from the storage class
 * and convert by the declared type, so they always agree.
 *
 * <h2>How values are stored ({@link #bind})</h2>
 * <ul>
 * <li>integers: INTEGER, range-checked by declared type (INT 32-bit, SMALLINT/TINYINT 16-bit, INTEGER/BIGINT 64-bit);</li>
 * <li>DECIMAL/NUMERIC(p,s): SQLite's NUMERIC affinity turns any numeric-looking text into an INTEGER or a REAL (an
 *     8-byte float keeping 15 significant digits), so a decimal cannot be kept as text. We store a whole value that
 *     fits 64 bits as INTEGER and any other value with at most 15 significant digits as REAL; both read back exactly,
 *     and the scale comes back from the declared scale (123.450 in DECIMAL(10,3) reads back as 123.450). A value with
 *     more than 15 significant digits that is not a whole 64-bit number is REJECTED rather than rounded. Columns
 *     without (p,s) keep no scale: 1.50 reads back as 1.5.</li>
 * <li>REAL/FLOAT/DOUBLE: REAL, all as DOUBLE (SQLite has no 4-byte float); NaN is rejected (SQLite would store NULL);</li>
 * <li>BOOLEAN: INTEGER 0/1;</li>
 * <li>DATE: TEXT yyyy-MM-dd; DATETIME/TIMESTAMP: TEXT "yyyy-MM-dd HH:mm:ss[.ffffff]" (UTC for types with a time zone),
 *     fractional digits beyond the declared precision (default 6) are rejected; TIME: TEXT "HH:mm:ss[.ffffff]";</li>
 * <li>text, JSON (as its text), UUID (lower case): TEXT, length-checked against a declared (n);</li>
 * <li>BLOB/BINARY: BLOB.</li>
 * </ul>
 * Values other applications stored are read leniently: integers in date/time columns as epoch milliseconds (the
 * xerial driver's default for setTimestamp), REALs in date/time columns as Julian days, BLOBs in text columns as UTF-8.
 * A value that cannot be read as its declared type (text 'abc' in an INTEGER column) raises
 * {@link ValueRejectedException} naming the column, never a silent 0.
 *
 * <h2>Images (what the triggers write into history)</h2>
 * json_object of the stored value, with two guards: a REAL goes through {@code json(printf('%!.17g', v))} because
 * json_object prints only 15 significant digits (0.30000000000000004 would become 0.3), in REAL and NUMERIC columns
 * through {@link #exactReal} (a hexadecimal float string where printf is not exact), and a BLOB outside a binary
 * column goes in as its UTF-8 text (json_object refuses BLOBs, and a trigger must never fail a user's write). Binary
 * columns are hex strings. So an image holds JSON integers (INTEGER), JSON numbers with a fraction or exponent (REAL),
 * strings (TEXT) and null, which {@link #fromImage} maps back to the same storage classes.
 */
final class SqliteTypeMapping implements TypeMapping {

    static final SqliteTypeMapping INSTANCE = new SqliteTypeMapping();

    /** Precision and scale reported for a NUMERIC/DECIMAL column declared without them (as the PostgreSQL dialect). */
    static final int UNCONSTRAINED_PRECISION = 38;
    static final int UNCONSTRAINED_SCALE = 18;
    /** Significant digits an SQLite REAL keeps exactly for any decimal. */
    static final int REAL_DIGITS = 15;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
    private static final double JULIAN_UNIX_EPOCH = 2440587.5;

    @Override
    public DataType recordType(ColumnInfo column) {
        return switch (SqliteType.of(column)) {
            case INT64 -> RecordFieldType.LONG.getDataType();
            case INT32, INT16 -> RecordFieldType.INT.getDataType();
            case DECIMAL -> column.size() > 0
                    ? RecordFieldType.DECIMAL.getDecimalDataType(column.size(), column.scale())
                    : RecordFieldType.DECIMAL.getDecimalDataType(UNCONSTRAINED_PRECISION, UNCONSTRAINED_SCALE);
            case DOUBLE -> RecordFieldType.DOUBLE.getDataType();
            case BOOLEAN -> RecordFieldType.BOOLEAN.getDataType();
            case TEXT, JSON, UUID, TIME -> RecordFieldType.STRING.getDataType();
            case DATE -> RecordFieldType.DATE.getDataType();
            case TIMESTAMP, TIMESTAMP_TZ -> RecordFieldType.TIMESTAMP.getDataType();
            case BINARY -> RecordFieldType.ARRAY.getArrayDataType(RecordFieldType.BYTE.getDataType());
        };
    }

    @Override
    public String imageExpression(String rowAlias, ColumnInfo column) {
        String ref = rowAlias + "." + SqliteIdentifiers.INSTANCE.quote(column.name());
        if (SqliteType.of(column) == SqliteType.BINARY) {
            // hex(NULL) is '', so NULL needs its own branch
            return "CASE WHEN " + ref + " IS NULL THEN NULL ELSE hex(" + ref + ") END";
        }
        SqliteType type = SqliteType.of(column);
        String real = type == SqliteType.DOUBLE || type == SqliteType.DECIMAL ? exactReal(ref) : "json(printf('%!.17g', " + ref + "))";
        return "CASE typeof(" + ref + ") WHEN 'real' THEN " + real + " WHEN 'blob' THEN CAST(" + ref + " AS TEXT) ELSE " + ref + " END";
    }

    /**
     * A REAL, exactly. SQLite's printf('%!.17g') gives back the same double for ordinary magnitudes (measured: no
     * miss in 1e-20..1e20) but not always for large exponents (1e300 prints as 9.9999999999999996e+299, another
     * double). Outside [1e-7, 1e15) the value is written as a hexadecimal float string "[-]0x&lt;M&gt;p&lt;k&gt;"
     * (M an integer below 2^55, exact by construction, whatever the rounding of log2), which Java parses exactly.
     */
    static String exactReal(String ref) {
        String a = "abs(" + ref + ")";
        String k = "(CAST(floor(log2(" + a + ")) AS INTEGER) - 53)";
        String m = "CAST(CASE WHEN " + k + " < -1000 THEN " + a + " * pow(2, 200) / pow(2, " + k + " + 200) ELSE " + a
                + " / pow(2, " + k + ") END AS INTEGER)";
        return "CASE WHEN " + ref + " = 0 OR " + a + " > 1.7976931348623157e308 OR (" + a + " >= 1e-7 AND " + a + " < 1e15)"
                + " THEN json(printf('%!.17g', " + ref + ")) ELSE CASE WHEN " + ref + " < 0 THEN '-' ELSE '' END || printf('0x%Xp%d', "
                + m + ", " + k + ") END";
    }

    @Override
    public Object fromImage(JsonNode image, ColumnInfo column) {
        if (image == null || image.isNull() || image.isMissingNode()) {
            return null;
        }
        SqliteType type = SqliteType.of(column);
        Object stored;
        if (image.isIntegralNumber()) {
            stored = image.canConvertToLong() ? (Object) image.longValue() : image.bigIntegerValue();
        } else if (image.isNumber()) {
            stored = image.doubleValue();
        } else if (image.isBoolean()) {
            stored = image.booleanValue() ? 1L : 0L;
        } else if (image.isTextual()) {
            String text = image.textValue();
            if (type == SqliteType.BINARY) {
                stored = hexBytes(text, column);
            } else if ((type == SqliteType.DOUBLE || type == SqliteType.DECIMAL) && (text.startsWith("0x") || text.startsWith("-0x"))) {
                stored = Double.parseDouble(text); // a REAL written by exactReal
            } else {
                stored = text;
            }
        } else {
            stored = image.toString(); // an object or array: only sensible in a JSON column
        }
        return decode(stored, column);
    }

    @Override
    public JsonNode toImage(Object recordValue, ColumnInfo column) {
        if (recordValue == null) {
            return JSON.nullNode();
        }
        Object stored = storedForm(recordValue, column);
        if (stored instanceof Long l) {
            return JSON.numberNode(l);
        }
        if (stored instanceof Double d) {
            return Double.isInfinite(d) ? JSON.numberNode(new BigDecimal(d > 0 ? "9e999" : "-9e999")) : JSON.numberNode(d);
        }
        if (stored instanceof byte[] bytes) {
            return JSON.textNode(HexFormat.of().withUpperCase().formatHex(bytes));
        }
        return JSON.textNode((String) stored);
    }

    @Override
    public Object read(ResultSet resultSet, int index, ColumnInfo column) throws SQLException {
        return decode(resultSet.getObject(index), column);
    }

    @Override
    public void bind(PreparedStatement statement, int index, Object recordValue, ColumnInfo column) throws SQLException {
        if (recordValue == null) {
            statement.setNull(index, Types.NULL);
            return;
        }
        Object stored = storedForm(recordValue, column);
        if (stored instanceof Long l) {
            statement.setLong(index, l);
        } else if (stored instanceof Double d) {
            statement.setDouble(index, d);
        } else if (stored instanceof byte[] b) {
            statement.setBytes(index, b);
        } else {
            statement.setString(index, (String) stored);
        }
    }

    /** What {@link #bind} stores for a record value: Long, Double, String or byte[]; rejects what would lose information. */
    Object storedForm(Object value, ColumnInfo column) {
        String name = column.name();
        SqliteType type = SqliteType.of(column);
        return switch (type) {
            case INT64, INT32, INT16 -> RecordValues.toLongInRange(value, name, type.min, type.max);
            case DECIMAL -> decimalStoredForm(value, column);
            case DOUBLE -> {
                double d = RecordValues.toDouble(value, name);
                if (Double.isNaN(d)) {
                    throw new ValueRejectedException(name, "Column '" + name + "' cannot hold NaN: SQLite stores it as NULL");
                }
                yield d;
            }
            case BOOLEAN -> RecordValues.toBoolean(value, name) ? 1L : 0L;
            case TEXT, JSON -> RecordValues.toText(value, name, column.size());
            case UUID -> uuidText(RecordValues.toText(value, name, 0), name);
            case DATE -> RecordValues.toLocalDate(value, name).toString();
            case TIMESTAMP, TIMESTAMP_TZ -> timestampText(RecordValues.checkFraction(RecordValues.toLocalDateTime(value, name),
                    fractionDigits(column), name));
            case TIME -> {
                LocalTime time = RecordValues.toLocalTime(value, name);
                if (time.getNano() % 1000 != 0) {
                    throw new ValueRejectedException(name, "Column '" + name + "' keeps 6 fractional second digits; the value would be rounded");
                }
                yield RecordValues.timeText(time);
            }
            case BINARY -> RecordValues.toBytes(value, name);
        };
    }

    private static Object decimalStoredForm(Object value, ColumnInfo column) {
        String name = column.name();
        BigDecimal decimal = column.size() > 0
                ? RecordValues.toDecimal(value, name, column.size(), column.scale())
                : RecordValues.toBigDecimal(value, name);
        BigDecimal stripped = decimal.signum() == 0 ? BigDecimal.ZERO : decimal.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
                && stripped.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
            return stripped.longValueExact();
        }
        if (stripped.precision() <= REAL_DIGITS) {
            return stripped.doubleValue();
        }
        throw new ValueRejectedException(name, "Column '" + name + "' is NUMERIC in SQLite, which keeps a number with a fraction "
                + "as a floating-point value of " + REAL_DIGITS + " significant digits; the value"
                + " has " + stripped.precision() + " and would be rounded");
    }

    /** Converts a stored value (Integer/Long/BigInteger, Double, String, byte[]) to the record value of the column. */
    Object decode(Object stored, ColumnInfo column) {
        if (stored == null) {
            return null;
        }
        String name = column.name();
        SqliteType type = SqliteType.of(column);
        try {
            return switch (type) {
                case INT64 -> wholeNumber(stored, column, type);
                case INT32, INT16 -> Math.toIntExact(wholeNumber(stored, column, type));
                case DECIMAL -> decimal(stored, column);
                case DOUBLE -> stored instanceof Number n ? (Object) n.doubleValue() : parseDouble(text(stored), column);
                case BOOLEAN -> RecordValues.toBoolean(stored instanceof byte[] ? text(stored) : stored, name);
                case TEXT, JSON -> text(stored);
                case UUID -> stored instanceof byte[] b && b.length == 16 ? uuidOfBytes(b) : text(stored).toLowerCase(Locale.ROOT);
                case DATE -> java.sql.Date.valueOf(dateTime(stored, column).toLocalDate());
                case TIMESTAMP, TIMESTAMP_TZ -> Timestamp.valueOf(dateTime(stored, column));
                case TIME -> RecordValues.timeText(RecordValues.toLocalTime(text(stored), name));
                case BINARY -> stored instanceof byte[] b ? b : text(stored).getBytes(StandardCharsets.UTF_8);
            };
        } catch (ValueRejectedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unreadable(stored, column);
        }
    }

    private static long wholeNumber(Object stored, ColumnInfo column, SqliteType type) {
        long value;
        if (stored instanceof Integer || stored instanceof Long) {
            value = ((Number) stored).longValue();
        } else {
            BigDecimal d = stored instanceof Double x ? new BigDecimal(Double.toString(x)) : stored instanceof BigInteger b ? new BigDecimal(b)
                    : new BigDecimal(text(stored).trim());
            value = d.longValueExact();
        }
        if (value < type.min || value > type.max) {
            throw unreadable(stored, column);
        }
        return value;
    }

    private static BigDecimal decimal(Object stored, ColumnInfo column) {
        BigDecimal d;
        if (stored instanceof Integer || stored instanceof Long) {
            d = BigDecimal.valueOf(((Number) stored).longValue());
        } else if (stored instanceof BigInteger b) {
            d = new BigDecimal(b);
        } else if (stored instanceof Double x) {
            d = new BigDecimal(Double.toString(x)); // the shortest text that gives this double back
        } else {
            d = new BigDecimal(text(stored).trim());
        }
        if (column.size() > 0) {
            try {
                return d.setScale(column.scale(), RoundingMode.UNNECESSARY);
            } catch (ArithmeticException e) {
                return d; // stored by someone else with more places than declared: keep them, apply will reject
            }
        }
        return d;
    }

    private static LocalDateTime dateTime(Object stored, ColumnInfo column) {
        if (stored instanceof Integer || stored instanceof Long) {
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(((Number) stored).longValue()), ZoneOffset.UTC);
        }
        if (stored instanceof Double julianDay) {
            // a Julian-day double resolves about 40 microseconds; SQLite's own clock resolves milliseconds
            long millis = Math.round((julianDay - JULIAN_UNIX_EPOCH) * 86_400_000d);
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
        }
        String s = text(stored).trim();
        if (s.length() == 10) {
            return LocalDate.parse(s).atStartOfDay();
        }
        return RecordValues.toLocalDateTime(s, column.name());
    }

    private static Object parseDouble(String text, ColumnInfo column) {
        return switch (text.trim()) {
            case "Inf", "Infinity", "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text.trim());
        };
    }

    private static String text(Object stored) {
        if (stored instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (stored instanceof Double d) {
            return Double.toString(d);
        }
        return stored.toString();
    }

    private static String uuidText(String text, String column) {
        try {
            return java.util.UUID.fromString(text.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes a UUID, got text that is not one");
        }
    }

    private static String uuidOfBytes(byte[] b) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(b);
        return new java.util.UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    private static int fractionDigits(ColumnInfo column) {
        return column.size() > 0 && column.size() < 6 ? column.size() : 6;
    }

    static String timestampText(LocalDateTime value) {
        String text = DATE_TIME.format(value);
        int micros = value.getNano() / 1000;
        return micros == 0 ? text : text + "." + String.format(Locale.ROOT, "%06d", micros);
    }

    private static byte[] hexBytes(String hex, ColumnInfo column) {
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new ValueRejectedException(column.name(), "Column '" + column.name() + "': its image is not hexadecimal");
        }
    }

    private static ValueRejectedException unreadable(Object stored, ColumnInfo column) {
        String shown = stored instanceof byte[] b ? "a BLOB of " + b.length + " bytes" : "a value of type " + stored.getClass().getSimpleName();
        return new ValueRejectedException(column.name(), "Column '" + column.name() + "' is declared " + column.typeName()
                + " but holds " + shown + ", which cannot be read as that type");
    }
}
