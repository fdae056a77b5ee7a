/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges;
import org.bisync.nifi.capture.IdRanges.Range;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Acknowledgements a target's processor has decided but not yet written into the source's bisync_ack, kept as merged id
 * ranges per (source, target). A write that fails (the source is down, a failover) leaves them here, and they are
 * written with the next ones: dropping them would hold the source's history and tombstones back for good. The set can
 * be saved as text (NiFi state) so a restart does not lose it either.
 */
public final class PendingAcks {

    /** Writes the acknowledgements of one source and target (see {@link AckLedger#acknowledge}). */
    public interface Writer {
        void write(String source, String target, List<Range> ranges) throws Exception;
    }

    private record Pair(String source, String target) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair other) {
            int bySource = source.compareTo(other.source);
            return bySource != 0 ? bySource : target.compareTo(other.target);
        }
    }

    private static final String STATE_PREFIX = "ack.pending.";

    private final Map<Pair, List<Range>> pending = new TreeMap<>();

    /** Adds decided history ids of a source for a target. */
    public synchronized void add(String source, String target, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<Range> ranges = new ArrayList<>(pending.getOrDefault(new Pair(source, target), List.of()));
        ranges.addAll(IdRanges.parseRanges(IdRanges.format(ids)));
        pending.put(new Pair(source, target), AckRanges.merge(ranges));
    }

    /**
     * Writes everything pending, per source and target; what was written is forgotten, what failed stays for the next
     * call. Returns the failures by source (empty when every write succeeded).
     */
    public synchronized Map<String, Exception> flush(Writer writer) {
        Map<String, Exception> failures = new LinkedHashMap<>();
        var entries = pending.entrySet().iterator();
        while (entries.hasNext()) {
            var entry = entries.next();
            try {
                writer.write(entry.getKey().source(), entry.getKey().target(), entry.getValue());
                entries.remove();
            } catch (Exception e) {
                failures.put(entry.getKey().source(), e);
            }
        }
        return failures;
    }

    /** How many history ids wait to be acknowledged. */
    public synchronized long count() {
        long count = 0;
        for (List<Range> ranges : pending.values()) {
            for (Range range : ranges) {
                count += range.last() - range.first() + 1;
            }
        }
        return count;
    }

    public synchronized boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The pending set as state entries (source, target and ranges per entry). */
    public synchronized Map<String, String> toState() {
        Map<String, String> state = new LinkedHashMap<>();
        int n = 0;
        for (Map.Entry<Pair, List<Range>> entry : pending.entrySet()) {
            state.put(STATE_PREFIX + n++, entry.getKey().source() + "\n" + entry.getKey().target() + "\n" + format(entry.getValue()));
        }
        return state;
    }

    /** Adds what {@link #toState} wrote; other entries of the state are ignored. */
    public synchronized void restore(Map<String, String> state) {
        for (Map.Entry<String, String> entry : state.entrySet()) {
            if (!entry.getKey().startsWith(STATE_PREFIX)) {
                continue;
            }
            String[] parts = entry.getValue().split("\n", 3);
            if (parts.length == 3) {
                Pair pair = new Pair(parts[0], parts[1]);
                List<Range> ranges = new ArrayList<>(pending.getOrDefault(pair, List.of()));
                ranges.addAll(IdRanges.parseRanges(parts[2]));
                pending.put(pair, AckRanges.merge(ranges));
            }
        }
    }

    private static String format(List<Range> ranges) {
        StringBuilder text = new StringBuilder();
        for (Range range : ranges) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(range.first());
            if (range.last() != range.first()) {
                text.append('-').append(range.last());
            }
        }
        return text.toString();
    }
}
