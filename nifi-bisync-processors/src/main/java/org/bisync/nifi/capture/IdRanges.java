/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A set of history ids written compactly as ranges ({@code 3-9,12,15-20}), small enough for cluster state even for
 * a large batch: history ids are mostly contiguous. {@link #formatCompact} also writes runs of ids with a constant
 * step ({@code 1-99/2}: 1, 3, ..., 99), as MariaDB hands them out with auto_increment_increment above 1. Every form
 * holds exactly the ids given, never one in between (an id in between may belong to a transaction that commits later).
 */
public final class IdRanges {

    private IdRanges() {
    }

    /** The largest step {@link #formatCompact} joins ids by (auto_increment_increment is the number of servers). */
    static final long MAX_STEP = 1000;

    /** A run of ids from first to last, both included, every {@code step}-th one ({@code step} 1: every id). */
    public record Range(long first, long last, long step) {
        public Range {
            if (step < 1 || last < first || (last - first) % step != 0) {
                throw new IllegalArgumentException("Not an id range: " + first + "-" + last + "/" + step);
            }
        }

        public Range(long first, long last) {
            this(first, last, 1);
        }

        /** How many ids the range holds. */
        public long count() {
            return (last - first) / step + 1;
        }
    }

    /**
     * Like {@link #format}, and also joins ids that follow each other at a constant step (up to {@link #MAX_STEP}) into one
     * range: "consecutive as read" rather than adjacent, exact all the same.
     */
    public static String formatCompact(Collection<Long> ids) {
        long[] sorted = ids.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        StringBuilder text = new StringBuilder();
        int start = 0;
        while (start < sorted.length) {
            int end = start;
            if (start + 1 < sorted.length && sorted[start + 1] - sorted[start] <= MAX_STEP) {
                long step = sorted[start + 1] - sorted[start];
                end = start + 1;
                while (end + 1 < sorted.length && sorted[end + 1] - sorted[end] == step) {
                    end++;
                }
                if (end == start + 1 && step > 1) {
                    end = start; // two ids at a step: written one by one, the second may start a run of its own
                }
            }
            long first = sorted[start];
            long last = sorted[end];
            appendRange(text, new Range(first, last, end == start ? 1 : (last - first) / (end - start)));
            start = end + 1;
        }
        return text.toString();
    }

    private static void appendRange(StringBuilder text, Range range) {
        if (!text.isEmpty()) {
            text.append(',');
        }
        text.append(range.first());
        if (range.first() != range.last()) {
            text.append('-').append(range.last());
            if (range.step() != 1) {
                text.append('/').append(range.step());
            }
        }
    }

    public static String format(Collection<Long> ids) {
        long[] sorted = new long[ids.size()];
        int n = 0;
        for (long id : ids) {
            sorted[n++] = id;
        }
        Arrays.sort(sorted); // ids come in id order: nearly free
        StringBuilder text = new StringBuilder();
        Long start = null;
        Long previous = null;
        for (long id : sorted) {
            if (previous != null && id == previous) {
                continue;
            }
            if (previous != null && id == previous + 1) {
                previous = id;
                continue;
            }
            appendRange(text, start, previous);
            start = id;
            previous = id;
        }
        appendRange(text, start, previous);
        return text.toString();
    }

    private static void appendRange(StringBuilder text, Long start, Long end) {
        if (start == null) {
            return;
        }
        if (!text.isEmpty()) {
            text.append(',');
        }
        text.append(start);
        if (!start.equals(end)) {
            text.append('-').append(end);
        }
    }

    public static List<Long> parse(String text) {
        return ids(parseRanges(text));
    }

    /** Every id of the ranges, in the order of the ranges. */
    public static List<Long> ids(List<Range> ranges) {
        List<Long> ids = new ArrayList<>();
        for (Range range : ranges) {
            for (long id = range.first(); id <= range.last(); id += range.step()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The ranges of a text written by {@link #format} or {@link #formatCompact}, in the order written. */
    public static List<Range> parseRanges(String text) {
        List<Range> ranges = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return ranges;
        }
        for (String part : text.split(",")) {
            int dash = part.indexOf('-', 1);
            int slash = part.indexOf('/');
            if (dash < 0) {
                long id = Long.parseLong(part.trim());
                ranges.add(new Range(id, id));
            } else {
                long first = Long.parseLong(part.substring(0, dash).trim());
                long last = Long.parseLong(part.substring(dash + 1, slash < 0 ? part.length() : slash).trim());
                ranges.add(new Range(first, last, slash < 0 ? 1 : Long.parseLong(part.substring(slash + 1).trim())));
            }
        }
        return ranges;
    }
}
