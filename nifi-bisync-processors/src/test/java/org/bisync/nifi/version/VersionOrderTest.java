/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.version;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionOrderTest {

    private final VersionOrder order = new VersionOrder(Map.of("low", 1, "high", 2)::get);

    @Test
    void greaterNumberWinsWhateverTheRank() {
        assertTrue(order.isGreater(new Version(11, "low"), new Version(10, "high")));
    }

    @Test
    void equalNumbersAreDecidedByRankThenOriginId() {
        assertTrue(order.isGreater(new Version(10, "high"), new Version(10, "low")));
        VersionOrder sameRank = new VersionOrder(origin -> 0);
        assertTrue(sameRank.isGreater(new Version(10, "b"), new Version(10, "a")));
    }

    @Test
    void noVersionSortsBelowEveryVersion() {
        assertTrue(order.isGreater(new Version(Long.MIN_VALUE, "low"), null));
        assertEquals(0, order.compare(null, null));
    }

    @Test
    void equalityUsesTheWholeTripleNotTheNumberAlone() {
        assertNotEquals(new Version(10, "low"), new Version(10, "high"));
        assertEquals(new Version(10, "low"), new Version(10, "low"));
    }
}
