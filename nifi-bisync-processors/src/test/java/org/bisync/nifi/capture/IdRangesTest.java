/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdRangesTest {

    @Test
    void contiguousIdsCollapseIntoRangesAndComeBackSorted() {
        String text = IdRanges.format(List.of(9L, 3L, 4L, 5L, 12L, 15L, 16L));
        assertEquals("3-5,9,12,15-16", text);
        assertEquals(List.of(3L, 4L, 5L, 9L, 12L, 15L, 16L), IdRanges.parse(text));
    }

    @Test
    void rangesComeBackAsWrittenWithSingleIdsAsOneIdRanges() {
        assertEquals(List.of(new IdRanges.Range(3, 5), new IdRanges.Range(9, 9), new IdRanges.Range(15, 16)),
                IdRanges.parseRanges("3-5,9,15-16"));
        assertEquals(List.of(), IdRanges.parseRanges(""));
    }

    @Test
    void emptySetIsEmptyText() {
        assertEquals("", IdRanges.format(List.of()));
        assertEquals(List.of(), IdRanges.parse(""));
        assertEquals(List.of(), IdRanges.parse(null));
    }

    @Test
    void idsAtAConstantStepAsMariaDbHandsThemOutWithAnIncrementOfTwoAreOneRangeHoldingExactlyThem() {
        List<Long> odd = new java.util.ArrayList<>();
        for (long id = 1; id <= 999; id += 2) {
            odd.add(id);
        }
        String text = IdRanges.formatCompact(odd);
        assertEquals("1-999/2", text);
        assertEquals(odd, IdRanges.parse(text));
        assertEquals(List.of(new IdRanges.Range(1, 999, 2)), IdRanges.parseRanges(text));
    }

    @Test
    void aMissingIdInAStepRunSplitsItSoNoRangeHoldsAnIdThatWasNotRead() {
        // 7 was not read (its transaction had not committed): no range may take it
        List<Long> read = List.of(1L, 3L, 5L, 9L, 11L, 13L, 14L, 15L, 16L, 40L);
        String text = IdRanges.formatCompact(read);
        assertEquals("1-5/2,9-13/2,14-16,40", text);
        assertEquals(read, IdRanges.parse(text));
        assertEquals("3-5,9-15/3,16", IdRanges.formatCompact(List.of(9L, 3L, 4L, 5L, 12L, 15L, 16L)));
        assertEquals(List.of(3L, 4L, 5L, 9L, 12L, 15L, 16L), IdRanges.parse("3-5,9-15/3,16"));
        assertEquals("1,3-5", IdRanges.formatCompact(List.of(1L, 3L, 4L, 5L)));
    }
}
