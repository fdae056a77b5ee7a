/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.junit.jupiter.api.Test;

import static org.bisync.nifi.resolve.NotInstalledGrace.Severity.ERROR;
import static org.bisync.nifi.resolve.NotInstalledGrace.Severity.WARNING;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The grace a target gets to be installed, on a clock the test gives. */
class NotInstalledGraceTest {

    private static final long GRACE = 60;

    @Test
    void aWarningWithinTheGraceCountedFromTheFirstTimeMissingThenAnError() {
        NotInstalledGrace grace = new NotInstalledGrace(GRACE);

        assertEquals(WARNING, grace.missing(1_000));
        assertEquals(WARNING, grace.missing(1_000 + GRACE - 1), "still within the grace of the first time");
        assertEquals(ERROR, grace.missing(1_000 + GRACE));
        assertEquals(ERROR, grace.missing(1_000 + 10 * GRACE));
    }

    @Test
    void foundInstalledGivesTheNextAbsenceAGraceOfItsOwn() {
        NotInstalledGrace grace = new NotInstalledGrace(GRACE);
        grace.missing(0);
        assertEquals(ERROR, grace.missing(GRACE));

        grace.clear();

        assertEquals(WARNING, grace.missing(5 * GRACE), "a new grace starts at the next absence");
        assertEquals(ERROR, grace.missing(6 * GRACE));
    }
}
