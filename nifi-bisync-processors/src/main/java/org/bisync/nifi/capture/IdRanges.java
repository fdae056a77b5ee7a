package org.bisync.nifi.capture;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A set of history ids written compactly as ranges ({@code 3-9,12,15-20}), small enough for cluster state even for
 * a large batch: history ids are mostly contiguous.
 */
public final class IdRanges {

    private IdRanges() {
    }

    public static String format(Collection<Long> ids) {
        StringBuilder text = new StringBuilder();
        Long start = null;
        Long previous = null;
        for (long id : new TreeSet<>(ids)) {
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
        List<Long> ids = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return ids;
        }
        for (String part : text.split(",")) {
            int dash = part.indexOf('-', 1);
            if (dash < 0) {
                ids.add(Long.parseLong(part.trim()));
            } else {
                long from = Long.parseLong(part.substring(0, dash).trim());
                long to = Long.parseLong(part.substring(dash + 1).trim());
                for (long id = from; id <= to; id++) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }
}
