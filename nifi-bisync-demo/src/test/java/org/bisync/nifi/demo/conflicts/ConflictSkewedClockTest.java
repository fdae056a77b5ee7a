/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.junit.jupiter.api.Test;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.CAPTURE_PG;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.clockCorrection;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.awaitClockPast;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.setClockCorrection;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL's clock one hour fast (its bisync_config 'clock_correction_micros' = +1 h, which its triggers add to the
 * database clock), MariaDB honest, LAST_WRITE_WINS. With capture's Clock Correction off, a MariaDB user who edits a
 * row after seeing PostgreSQL's synced value still wins (the per-row "+1" rule), and both sides converge, while a
 * concurrent PostgreSQL edit made earlier in real time beats a later MariaDB one (the skew at work). With Clock
 * Correction on, capture pulls PostgreSQL's correction back to NiFi's clock, and a concurrent MariaDB edit made later
 * in real time wins.
 */
class ConflictSkewedClockTest {

    private static final long HOUR_MICROS = 3_600_000_000L;

    private static long number(String version) {
        return Long.parseLong(version.substring(0, version.indexOf('@')));
    }

    @Test
    void causalEditsOnTheSlowSideWinAndClockCorrectionRestoresRealTimeOrderForConcurrentEdits() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("skew").strategy("LAST_WRITE_WINS")
                .property(CAPTURE_PG, "Maintenance Interval", "0 sec") // every run: the correction moves per round, not per time
                .property(CAPTURE_PG, "Max Clock Correction Step", "7200 sec")
                .start()) {
            setClockCorrection(pair.pg, HOUR_MICROS);
            long nowMicros = System.currentTimeMillis() * 1000;

            // row 1 written on the fast side, synced
            insert(pair.pg, 1, "one", "u1@example.com", "555-0001", "1.00");
            insert(pair.maria, 2, "two", "u2@example.com", "555-0002", "2.00");
            pair.sync();
            pair.assertIdentical();
            long synced = number(version(pair.maria, 1));
            assertTrue(synced > nowMicros + HOUR_MICROS - 60_000_000L, "PostgreSQL's version is an hour ahead: " + synced);

            // a MariaDB user sees it and edits it: "+1" over what it overwrote, although MariaDB's clock is an hour behind
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 1", "one edited on MariaDB after seeing it");
            assertEquals((synced + 1) + "@mariadb", version(pair.maria, 1));
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|one edited on MariaDB after seeing it|u1@example.com|555-0001|1.00");

            // concurrent edits of row 2: PostgreSQL first, MariaDB after; the clock an hour fast wins (no correction)
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 2", "two on PostgreSQL (earlier, fast clock)");
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 2", "two on MariaDB (later)");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(2, "2|two on PostgreSQL (earlier, fast clock)|u2@example.com|555-0002|2.00");
            assertEquals(HOUR_MICROS, clockCorrection(pair.pg), "with Clock Correction off nothing touched the correction");

            // Clock Correction on: capture measures PostgreSQL's clock against NiFi's and pulls the correction back
            // as in NiFi, a property changes while the processor is stopped: it takes effect when it starts again
            pair.harness.runner(CAPTURE_PG).setProperty("Clock Correction", "true");
            pair.harness.restart(CAPTURE_PG);
            for (int round = 0; round < 80 && Math.abs(clockCorrection(pair.pg)) > 1_000_000L; round++) {
                pair.harness.round();
            }
            assertTrue(Math.abs(clockCorrection(pair.pg)) <= 1_000_000L, "the correction is back within a second of NiFi's clock: "
                    + clockCorrection(pair.pg));

            insert(pair.maria, 3, "three", "u3@example.com", "555-0003", "3.00");
            pair.sync();
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 3", "three on PostgreSQL (earlier)");
            // later in MariaDB's time than PostgreSQL's version, whatever is left of the skew (up to a second)
            awaitClockPast(pair.maria, number(version(pair.pg, 3)));
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 3", "three on MariaDB (later)");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(3, "3|three on MariaDB (later)|u3@example.com|555-0003|3.00");
            assertEquals(version(pair.pg, 3), version(pair.maria, 3));
            pair.assertRowOnBothSides(1, "1|one edited on MariaDB after seeing it|u1@example.com|555-0001|1.00");
        }
    }
}
