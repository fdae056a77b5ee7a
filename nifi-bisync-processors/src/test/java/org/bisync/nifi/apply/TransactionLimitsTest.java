/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Runs {@code transactions} transactions of a table, each as long as {@code millisPerTransaction} says for its size. */
    private static void apply(TransactionLimits limits, int transactions, java.util.function.IntToLongFunction millisPerTransaction) {
        for (int i = 0; i < transactions; i++) {
            int keys = limits.keysFor("customer");
            limits.took("customer", keys, millisPerTransaction.applyAsLong(keys) * MS);
        }
    }

    @Test
    void aBusyDatabaseNeverShrinksTransactionsBelowTheFloor() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        limits.took("customer", 500, 5000 * MS);
        assertEquals(TransactionLimits.MIN_KEYS, limits.keysFor("customer"));
    }

    /**
     * A loaded machine: every transaction takes 150 ms of round trips, plus 0.1 ms a key. No size meets the 100-ms limit;
     * at 50 keys the apply makes ten times the round trips of 500 for locks held about as long (155 against 200 ms),
     * and falls behind just when time is short. It goes back to full size, within twice the floor's time.
     */
    @Test
    void whenRoundTripsNotRowsTakeTheTimeTransactionsGoBackToFullSize() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        apply(limits, 20, keys -> 150 + keys / 10);
        assertEquals(500, limits.keysFor("customer"));
    }

    @Test
    void whenRowsTakeTheTimeTransactionsStayNearTheLimit() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        apply(limits, 20, keys -> 5 + keys);
        int keys = limits.keysFor("customer");
        assertTrue(keys >= TransactionLimits.MIN_KEYS && keys <= 100, keys + " keys take " + (5 + keys) + " ms");
    }

    @Test
    void oneSmallTransactionThatWaitedLongDoesNotLiftTheBoundBeyondTenTimesTheLimit() {
        TransactionLimits limits = new TransactionLimits(500, 100);
        limits.took("customer", 10, 60_000 * MS); // waited a minute for a user's row lock
        limits.took("customer", 500, 1_500 * MS);
        assertTrue(limits.keysFor("customer") < 500, "shrunk: 1.5 s is over ten times the 100-ms limit");
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
