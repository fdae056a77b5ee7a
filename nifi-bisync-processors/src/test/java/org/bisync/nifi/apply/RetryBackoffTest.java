/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetryBackoffTest {

    @Test
    void eachRetryWaitsTwiceAsLongUpToTheMaximum() {
        RetryBackoff backoff = new RetryBackoff(1_000, 60_000);
        assertEquals(1_000, backoff.delayMillis(1));
        assertEquals(2_000, backoff.delayMillis(2));
        assertEquals(32_000, backoff.delayMillis(6));
        assertEquals(60_000, backoff.delayMillis(7));
        assertEquals(60_000, backoff.delayMillis(Integer.MAX_VALUE), "no overflow on huge counts");
        assertEquals(5_000 + 4_000, backoff.notBefore(5_000, 3));
    }

    @Test
    void aZeroBaseNeverWaitsAndAMaximumBelowTheBaseIsRefused() {
        assertEquals(0, new RetryBackoff(0, 0).delayMillis(30));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(2_000, 1_000));
    }
}
