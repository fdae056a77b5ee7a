/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Text forms of DATE ("yyyy-MM-dd"), TIME ("HH:mm:ss.SSSSSS") and TIMESTAMP ("yyyy-MM-dd HH:mm:ss.SSSSSS") values.
 * Parsing is lenient: 0 to 9 fraction digits, 'T' or ' ' between date and time.
 *
 * <p>java.sql.Date/Time/Timestamp are converted through their local (JVM time zone) fields, as
 * {@code Date.valueOf(LocalDate)} / {@code Timestamp.valueOf(LocalDateTime)} do, so a value read back in the same
 * time zone equals the one written. java.sql.Time keeps milliseconds (its toLocalTime() would drop them).
 */
final class TemporalText {

    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd");
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

    private static final DateTimeFormatter LENIENT_TIME = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter LENIENT_TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .append(LENIENT_TIME)
            .toFormatter();

    private TemporalText() {
    }

    /** @return the text form, or null when the value is of no known temporal type (the caller decides) */
    static String formatDate(final Object value) {
        final LocalDate date = switch (value) {
            case java.sql.Date d -> d.toLocalDate();
            case LocalDate d -> d;
            case LocalDateTime dt -> dt.toLocalDate();
            case OffsetDateTime dt -> dt.toLocalDate();
            case ZonedDateTime dt -> dt.toLocalDate();
            case Timestamp ts -> ts.toLocalDateTime().toLocalDate();
            case java.util.Date d -> new java.sql.Date(d.getTime()).toLocalDate();
            case Number millis -> new java.sql.Date(millis.longValue()).toLocalDate();
            default -> null;
        };
        return date == null ? null : DATE.format(date);
    }

    static String formatTime(final Object value) {
        final LocalTime time = switch (value) {
            case Time t -> toLocalTime(t);
            case LocalTime t -> t;
            case OffsetTime t -> t.toLocalTime();
            case LocalDateTime dt -> dt.toLocalTime();
            case Timestamp ts -> ts.toLocalDateTime().toLocalTime();
            case java.util.Date d -> toLocalTime(new Time(d.getTime()));
            case Number millis -> toLocalTime(new Time(millis.longValue()));
            default -> null;
        };
        return time == null ? null : TIME.format(time);
    }

    static String formatTimestamp(final Object value) {
        final LocalDateTime dateTime = switch (value) {
            case Timestamp ts -> ts.toLocalDateTime();
            case LocalDateTime dt -> dt;
            case LocalDate d -> d.atStartOfDay();
            case OffsetDateTime dt -> Timestamp.from(dt.toInstant()).toLocalDateTime();
            case ZonedDateTime dt -> Timestamp.from(dt.toInstant()).toLocalDateTime();
            case Instant instant -> Timestamp.from(instant).toLocalDateTime();
            case java.util.Date d -> new Timestamp(d.getTime()).toLocalDateTime();
            case Number millis -> new Timestamp(millis.longValue()).toLocalDateTime();
            default -> null;
        };
        return dateTime == null ? null : TIMESTAMP.format(dateTime);
    }

    static java.sql.Date parseDate(final String text) {
        return java.sql.Date.valueOf(LocalDate.parse(text.trim(), DATE));
    }

    static Time parseTime(final String text) {
        final LocalTime time = LocalTime.parse(text.trim(), LENIENT_TIME);
        final Time whole = Time.valueOf(time);
        return new Time(whole.getTime() + time.getNano() / 1_000_000);
    }

    static Timestamp parseTimestamp(final String text) {
        return Timestamp.valueOf(LocalDateTime.parse(text.trim(), LENIENT_TIMESTAMP));
    }

    private static LocalTime toLocalTime(final Time time) {
        return time.toLocalTime().withNano((int) Math.floorMod(time.getTime(), 1000L) * 1_000_000);
    }
}
