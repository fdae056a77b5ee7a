/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Converts record values, as they arrive from any record reader, into the canonical Java types of
 * {@link TypeMapping}, refusing anything that would lose information. Shared by every dialect's {@code bind}.
 * Each method names the column in its error.
 */
public final class RecordValues {

    private RecordValues() {
    }

    public static long toLong(Object value, String column) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        BigDecimal decimal = toBigDecimal(value, column);
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException e) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes a whole number in the 64-bit range; the value is outside it");
        }
    }

    public static long toLongInRange(Object value, String column, long min, long max) {
        long result = toLong(value, column);
        if (result < min || result > max) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes values from " + min + " to " + max + "; the value is outside that range");
        }
        return result;
    }

    public static BigDecimal toBigDecimal(Object value, String column) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new ValueRejectedException(column, "Column '" + column + "' takes a number, got " + describe(value));
            }
            return new BigDecimal(value.toString());
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw new ValueRejectedException(column, "Column '" + column + "' takes a number, got text that is not one");
            }
        }
        throw new ValueRejectedException(column, "Column '" + column + "' takes a number, got " + describe(value));
    }

    /** A decimal that fits {@code precision} digits with {@code scale} after the point without rounding. */
    public static BigDecimal toDecimal(Object value, String column, int precision, int scale) {
        BigDecimal decimal = toBigDecimal(value, column);
        BigDecimal scaled;
        try {
            scaled = decimal.setScale(scale, java.math.RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new ValueRejectedException(column, "Column '" + column + "' keeps " + scale + " decimal places; the value has "
                    + decimal.scale() + " and would be rounded");
        }
        if (precision > 0 && scaled.precision() > precision && scaled.compareTo(BigDecimal.ZERO) != 0) {
            throw new ValueRejectedException(column, "Column '" + column + "' holds " + precision + " digits; the value does not fit");
        }
        return scaled;
    }

    public static double toDouble(Object value, String column) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim()); // keeps -0, NaN and Infinity
            } catch (NumberFormatException e) {
                throw new ValueRejectedException(column, "Column '" + column + "' takes a number, got text that is not one");
            }
        }
        return toBigDecimal(value, column).doubleValue();
    }

    public static float toFloat(Object value, String column) {
        if (value instanceof Float f) {
            return f;
        }
        double d = toDouble(value, column);
        float f = (float) d;
        if (!Double.isNaN(d) && (double) f != d && !Double.isInfinite(d)) {
            // a double that a float cannot hold exactly: only accept what prints the same
            if (!Float.toString(f).equals(Double.toString(d)) && new BigDecimal(Float.toString(f)).compareTo(new BigDecimal(Double.toString(d))) != 0) {
                throw new ValueRejectedException(column, "Column '" + column + "' is single precision; the value would lose digits");
            }
        }
        return f;
    }

    public static boolean toBoolean(Object value, String column) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n && (n.longValue() == 0 || n.longValue() == 1) && n.doubleValue() == n.longValue()) {
            return n.longValue() == 1;
        }
        if (value instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "true", "t", "1": return true;
                case "false", "f", "0": return false;
                default: break;
            }
        }
        throw new ValueRejectedException(column, "Column '" + column + "' takes true or false, got " + describe(value));
    }

    /** A string no longer than {@code maxLength} characters (code points), when {@code maxLength > 0}. */
    public static String toText(Object value, String column, int maxLength) {
        String s;
        if (value instanceof String str) {
            s = str;
        } else if (value instanceof byte[] || value instanceof Object[]) {
            throw new ValueRejectedException(column, "Column '" + column + "' takes text, got " + describe(value));
        } else if (value instanceof BigDecimal d) {
            s = d.toPlainString();
        } else {
            s = String.valueOf(value);
        }
        if (maxLength > 0 && s.codePointCount(0, s.length()) > maxLength) {
            throw new ValueRejectedException(column, "Column '" + column + "' holds at most " + maxLength + " characters; the value has "
                    + s.codePointCount(0, s.length()));
        }
        return s;
    }

    public static LocalDate toLocalDate(Object value, String column) {
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (value instanceof LocalDate d) {
            return d;
        }
        if (value instanceof java.util.Date d) {
            return new java.sql.Date(d.getTime()).toLocalDate();
        }
        if (value instanceof String s) {
            try {
                return LocalDate.parse(s.trim().length() > 10 ? s.trim().substring(0, 10) : s.trim());
            } catch (DateTimeParseException e) {
                throw new ValueRejectedException(column, "Column '" + column + "' takes a date (yyyy-MM-dd), got text that is not one");
            }
        }
        if (value instanceof Number n) {
            return LocalDate.ofEpochDay(Math.floorDiv(n.longValue(), 86_400_000L));
        }
        throw new ValueRejectedException(column, "Column '" + column + "' takes a date, got " + describe(value));
    }

    /** A wall-clock date-time; for columns with a time zone this is the UTC time. */
    public static LocalDateTime toLocalDateTime(Object value, String column) {
        if (value instanceof Timestamp t) {
            return t.toLocalDateTime();
        }
        if (value instanceof LocalDateTime t) {
            return t;
        }
        if (value instanceof OffsetDateTime t) {
            return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        }
        if (value instanceof ZonedDateTime t) {
            return t.withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime();
        }
        if (value instanceof Instant t) {
            return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        }
        if (value instanceof java.util.Date d) {
            return new Timestamp(d.getTime()).toLocalDateTime();
        }
        if (value instanceof Number n) {
            return LocalDateTime.ofInstant(Instant.ofEpochMilli(n.longValue()), ZoneOffset.UTC);
        }
        if (value instanceof String s) {
            String t = s.trim().replace(' ', 'T');
            try {
                return LocalDateTime.parse(t);
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(t).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
                } catch (DateTimeParseException e2) {
                    throw new ValueRejectedException(column,
                            "Column '" + column + "' takes a timestamp (yyyy-MM-dd HH:mm:ss.ffffff), got text that is not one");
                }
            }
        }
        throw new ValueRejectedException(column, "Column '" + column + "' takes a timestamp, got " + describe(value));
    }

    /** Rejects a date-time with more fractional digits than the column keeps. */
    public static LocalDateTime checkFraction(LocalDateTime value, int fractionalDigits, String column) {
        int nanos = value.getNano();
        int unit = (int) Math.pow(10, 9 - Math.max(0, Math.min(9, fractionalDigits)));
        if (nanos % unit != 0) {
            throw new ValueRejectedException(column, "Column '" + column + "' keeps " + fractionalDigits
                    + " fractional second digits; the value would be rounded");
        }
        return value;
    }

    public static LocalTime toLocalTime(Object value, String column) {
        if (value instanceof LocalTime t) {
            return t;
        }
        if (value instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        if (value instanceof String s) {
            try {
                return LocalTime.parse(s.trim());
            } catch (DateTimeParseException e) {
                throw new ValueRejectedException(column, "Column '" + column + "' takes a time (HH:mm:ss.ffffff), got text that is not one");
            }
        }
        throw new ValueRejectedException(column, "Column '" + column + "' takes a time, got " + describe(value));
    }

    /** The canonical text of a time value: HH:mm:ss with up to six fractional digits, trailing zeros dropped. */
    public static String timeText(LocalTime time) {
        String text = time.toString();
        return text.length() == 5 ? text + ":00" : text;
    }

    public static byte[] toBytes(Object value, String column) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof Object[] array) {
            byte[] bytes = new byte[array.length];
            for (int i = 0; i < array.length; i++) {
                if (!(array[i] instanceof Number n)) {
                    throw new ValueRejectedException(column, "Column '" + column + "' takes bytes; element " + i + " is " + describe(array[i]));
                }
                bytes[i] = n.byteValue();
            }
            return bytes;
        }
        if (value instanceof List<?> list) {
            return toBytes(list.toArray(), column);
        }
        // a string is refused: whether it is base64, hex or text cannot be told, and a wrong guess corrupts silently
        throw new ValueRejectedException(column, "Column '" + column + "' takes bytes (an array of numbers), got " + describe(value));
    }

    /** The kind of a value, never the value itself (it may end up in a log). */
    private static String describe(Object value) {
        return value == null ? "null" : "a value of type " + value.getClass().getSimpleName();
    }
}
