/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges;
import org.bisync.nifi.capture.IdRanges.Range;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Sets of history ids kept as sorted, disjoint ranges: merging, intersecting, membership. */
public final class AckRanges {

    private AckRanges() {
    }

    /**
     * Sorts and merges overlapping or adjacent ranges (adjacent: {@code 1-5} and {@code 6-9} hold every id from 1 to 9);
     * the result's ranges hold every id from first to last (a range at a step above 1 is taken id by id).
     */
    public static List<Range> merge(List<Range> ranges) {
        List<Range> sorted = new ArrayList<>(ranges.size());
        for (Range range : ranges) {
            if (range.step() == 1) {
                sorted.add(range);
            } else {
                IdRanges.ids(List.of(range)).forEach(id -> sorted.add(new Range(id, id)));
            }
        }
        sorted.sort(Comparator.comparingLong(Range::first));
        List<Range> merged = new ArrayList<>();
        for (Range range : sorted) {
            if (!merged.isEmpty() && range.first() <= merged.getLast().last() + 1) {
                Range last = merged.removeLast();
                merged.add(new Range(last.first(), Math.max(last.last(), range.last())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    /**
     * The same ids in as few ranges as exactness allows: runs of single ids at a constant step (a server whose ids
     * grow by more than 1) become one stepped range, which holds those ids and none of the gaps between them.
     */
    public static List<Range> compact(List<Range> ranges) {
        List<Range> compact = new ArrayList<>();
        List<Long> singles = new ArrayList<>();
        for (Range range : ranges) {
            if (range.first() == range.last()) {
                singles.add(range.first());
            } else {
                compact.addAll(IdRanges.parseRanges(IdRanges.formatCompact(singles)));
                singles.clear();
                compact.add(range);
            }
        }
        compact.addAll(IdRanges.parseRanges(IdRanges.formatCompact(singles)));
        return compact;
    }

    /** The ids in both sets; both arguments merged (sorted, disjoint). */
    public static List<Range> intersect(List<Range> a, List<Range> b) {
        List<Range> both = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            long first = Math.max(a.get(i).first(), b.get(j).first());
            long last = Math.min(a.get(i).last(), b.get(j).last());
            if (first <= last) {
                both.add(new Range(first, last));
            }
            if (a.get(i).last() < b.get(j).last()) {
                i++;
            } else {
                j++;
            }
        }
        return both;
    }

    /** Whether a merged set holds an id. */
    public static boolean contains(List<Range> merged, long id) {
        int low = 0;
        int high = merged.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            Range range = merged.get(middle);
            if (id < range.first()) {
                high = middle - 1;
            } else if (id > range.last()) {
                low = middle + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
