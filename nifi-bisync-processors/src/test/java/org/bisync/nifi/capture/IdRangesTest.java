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
}
