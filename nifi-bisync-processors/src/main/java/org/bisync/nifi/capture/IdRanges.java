package org.bisync.nifi.capture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * A set of history ids written compactly as ranges ({@code 3-9,12,15-20}), small enough for cluster state even for
 * a large batch: history ids are mostly contiguous.
 */
public final class IdRanges {

    private IdRanges() {
    }

    /** A run of consecutive ids, both ends included. */
    public record Range(long first, long last) {
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
            for (long id = range.first(); id <= range.last(); id++) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The ranges of a text written by {@link #format}, in the order written. */
    public static List<Range> parseRanges(String text) {
        List<Range> ranges = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return ranges;
        }
        for (String part : text.split(",")) {
            int dash = part.indexOf('-', 1);
            if (dash < 0) {
                long id = Long.parseLong(part.trim());
                ranges.add(new Range(id, id));
            } else {
                ranges.add(new Range(Long.parseLong(part.substring(0, dash).trim()), Long.parseLong(part.substring(dash + 1).trim())));
            }
        }
        return ranges;
    }
}
