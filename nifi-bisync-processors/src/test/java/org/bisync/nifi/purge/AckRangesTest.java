/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges.Range;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AckRangesTest {

    @Test
    void mergeJoinsOverlappingAndAdjacentRangesButNeverAcrossAGap() {
        List<Range> merged = AckRanges.merge(List.of(new Range(6, 9), new Range(1, 5), new Range(3, 4), new Range(11, 12)));
        assertEquals(List.of(new Range(1, 9), new Range(11, 12)), merged, "10 was never acknowledged");
    }

    @Test
    void intersectKeepsOnlyIdsEveryTargetAcknowledged() {
        List<Range> a = List.of(new Range(1, 10), new Range(20, 30));
        List<Range> b = List.of(new Range(5, 22), new Range(25, 25), new Range(29, 40));
        assertEquals(List.of(new Range(5, 10), new Range(20, 22), new Range(25, 25), new Range(29, 30)), AckRanges.intersect(a, b));
        assertEquals(List.of(), AckRanges.intersect(a, List.of()));
    }

    @Test
    void containsFindsIdsInsideRangesOnly() {
        List<Range> ranges = List.of(new Range(1, 3), new Range(7, 7), new Range(10, 20));
        for (long id : new long[] {1, 2, 3, 7, 10, 15, 20}) {
            assertTrue(AckRanges.contains(ranges, id), "contains " + id);
        }
        for (long id : new long[] {0, 4, 6, 8, 9, 21}) {
            assertFalse(AckRanges.contains(ranges, id), "does not contain " + id);
        }
    }
}
