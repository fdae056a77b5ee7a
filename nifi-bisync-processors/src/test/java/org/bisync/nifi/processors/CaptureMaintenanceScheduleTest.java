/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureMaintenanceScheduleTest {

    private static final long INTERVAL = 10_000;
    private static final long RUN_EVERY = 200;
    private static final long TEN_MINUTES = 600_000;

    /**
     * The two captures of a pair start together; had they kept an exact Maintenance Interval, their maintenance (a
     * burst of queries on both databases that holds back both polls) would stall both directions at the same moment,
     * every interval. Each session is simulated as capture runs every 200 ms for ten minutes.
     */
    @Test
    void capturesStartedTogetherDriftApartAndStillMaintainAboutEveryInterval() {
        CaptureSession first = new CaptureSession(null, null, "postgresql");
        CaptureSession second = new CaptureSession(null, null, "mariadb");
        int firstRuns = 0;
        int secondRuns = 0;
        int together = 0;
        for (long now = 1_000_000; now < 1_000_000 + TEN_MINUTES; now += RUN_EVERY) {
            boolean a = first.maintenanceDue(now, INTERVAL);
            boolean b = second.maintenanceDue(now, INTERVAL);
            firstRuns += a ? 1 : 0;
            secondRuns += b ? 1 : 0;
            together += a && b ? 1 : 0;
        }
        long expected = TEN_MINUTES / INTERVAL;
        assertTrue(Math.abs(firstRuns - expected) <= expected / 10 && Math.abs(secondRuns - expected) <= expected / 10,
                "about one maintenance per interval, were " + firstRuns + " and " + secondRuns + " in " + expected + " intervals");
        // the first run of each maintains at once (the installation check at start); after that they rarely meet
        assertTrue(together <= 1 + expected / 5, together + " of " + firstRuns + " maintenance runs at the same moment");
    }
}
