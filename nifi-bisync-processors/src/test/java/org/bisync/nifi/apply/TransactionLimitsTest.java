/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionLimitsTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void slowTransactionShrinksTheNextToAboutHalfTheLimitAtTheMeasuredRate() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        limits.took("customer", 500, 250 * MS);

        assertEquals(100, limits.keysFor("customer"));
        assertEquals(500, limits.keysFor("other"), "per table");
    }

    @Test
    void fastTransactionsGrowBackDoublingUpToTheMaximum() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        limits.took("customer", 500, 250 * MS);
        limits.took("customer", 100, 10 * MS);
        assertEquals(200, limits.keysFor("customer"));
        limits.took("customer", 200, 10 * MS);
        limits.took("customer", 400, 10 * MS);
        assertEquals(500, limits.keysFor("customer"));
    }

    @Test
    void transactionsUnderTheLimitGrowByAQuarterWhenRoundTripsTakeMostOfIt() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        limits.took("customer", 500, 400 * MS);
        assertEquals(62, limits.keysFor("customer"));
        // a busy database: 60 ms of round trips whatever the size, well under the limit but not under half of it
        limits.took("customer", 62, 60 * MS);
        assertEquals(77, limits.keysFor("customer"));
        limits.took("customer", 77, 80 * MS);
        assertEquals(77, limits.keysFor("customer"), "close to the limit: no growth");
        limits.took("customer", 40, 10 * MS);
        assertEquals(77, limits.keysFor("customer"), "a smaller transaction than the current size says nothing about a larger one");
    }

    @Test
    void aBusyDatabaseNeverShrinksTransactionsBelowTheFloorWhereRoundTripsDominate() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        // each transaction takes its round trips' time whatever its size: shrinking further only multiplies them
        for (int i = 0; i < 10; i++) {
            limits.took("customer", limits.keysFor("customer"), 400 * MS);
        }
        assertEquals(TransactionLimits.MIN_KEYS, limits.keysFor("customer"));
    }

    @Test
    void theFloorIsTheMaximumWhenThatIsSmaller() {
        TransactionLimits limits = new TransactionLimits(10, 100);
        limits.took("customer", 10, 1000 * MS);
        assertEquals(10, limits.keysFor("customer"));
    }

    @Test
    void noLimitByTimeKeepsTheMaximum() {
        TransactionLimits limits = TransactionLimits.byKeys(500);
        limits.took("customer", 500, 10_000 * MS);
        assertEquals(500, limits.keysFor("customer"));
    }
}
