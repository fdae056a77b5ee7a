/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.loops;

import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunawayGuardTest {

    private static final VersionOrder ORDER = new VersionOrder(id -> id.equals("B") ? 2 : 1);
    private final AtomicLong now = new AtomicLong(1_000_000L);
    private final RunawayGuard guard = new RunawayGuard(5, 10_000, ORDER, now::get);
    private static final String KEY = RunawayGuard.keyId("customer", "{id=1}");

    /** A change made at A on top of B's synced write: what a ping-pong produces. */
    private RunawayGuard.Admission pingPong(long number) {
        return guard.admit(KEY, new Version(number, "A"), new Version(number - 1, "B"));
    }

    @Test
    void keyWithinTheLimitPasses() {
        for (int i = 1; i <= 5; i++) {
            assertFalse(pingPong(i * 10).parked());
            now.addAndGet(100);
        }
        assertFalse(guard.isParked(KEY));
    }

    @Test
    void moreThanMaxUpdatesWithinTheWindowParksTheKey() {
        for (int i = 1; i <= 5; i++) {
            assertFalse(pingPong(i * 10).parked());
        }
        RunawayGuard.Admission sixth = pingPong(60);
        assertTrue(sixth.parked());
        assertTrue(sixth.newlyParked(), "the first parked change raises the bulletin");
        assertEquals(1_000_000L + 10_000, sixth.parkedUntilMillis());
        RunawayGuard.Admission seventh = guard.admit(KEY, new Version(70, "A"), new Version(65, "A"));
        assertTrue(seventh.parked(), "every change of a parked key is parked, counted or not");
        assertFalse(seventh.newlyParked());
        assertTrue(guard.isParked(KEY));
        assertFalse(guard.admit(RunawayGuard.keyId("customer", "{id=2}"), new Version(1, "A"), new Version(0, "B")).parked(),
                "other keys are not affected");
    }

    @Test
    void updatesSpreadBeyondTheWindowNeverTrip() {
        for (int i = 1; i <= 50; i++) {
            assertFalse(pingPong(i * 10).parked());
            now.addAndGet(2_001);
        }
    }

    @Test
    void oneSystemsOwnRepeatedEditsNeverTrip() {
        for (int i = 1; i <= 1000; i++) {
            assertFalse(guard.admit(KEY, new Version(i, "A"), new Version(i - 1, "A")).parked());
        }
        assertFalse(guard.admit(KEY, new Version(2000, "A"), null).parked());
    }

    /**
     * People editing one row often on side A, while edits of it made on B arrive now and then: some of A's edits land on
     * B's synced version (their previous version's origin is B), but most on A's own. No loop: never parked.
     */
    @Test
    void frequentEditsOnOneSideAmongOccasionalSyncedWritesNeverTrip() {
        for (int i = 1; i <= 300; i++) {
            Version prev = i % 3 == 0 ? new Version(10L * i - 5, "B") : new Version(10L * (i - 1), "A");
            assertFalse(guard.admit(KEY, new Version(10L * i, "A"), prev).parked(), "edit " + i);
            now.addAndGet(10);
        }
        assertFalse(guard.isParked(KEY));
    }

    /** A ping-pong that one own edit interrupted is still parked once its unbroken run exceeds the limit. */
    @Test
    void aPingPongIsParkedAfterAnInterruptingOwnEdit() {
        for (int i = 1; i <= 4; i++) {
            assertFalse(pingPong(i * 10).parked());
        }
        assertFalse(guard.admit(KEY, new Version(45, "A"), new Version(40, "A")).parked());
        for (int i = 5; i <= 9; i++) {
            assertFalse(pingPong(i * 10).parked(), "the run started again at the own edit");
        }
        assertTrue(pingPong(100).parked(), "six reactions in a row");
    }

    @Test
    void parkedKeyIsHeldUntilItsWindowEndsThenOnlyTheGreatestVersionIsReleased() {
        for (int i = 1; i <= 6; i++) {
            pingPong(i * 10);
        }
        pingPong(70);
        RunawayGuard.Release early = guard.release(KEY, 1_010_000L, List.of(new Version(60, "A")));
        assertTrue(early.hold());

        now.addAndGet(10_001);
        RunawayGuard.Release first = guard.release(KEY, 1_010_000L, List.of(new Version(60, "A")));
        assertFalse(first.hold());
        assertTrue(first.allSuperseded(), "60 is below the key's greatest parked version 70");
        RunawayGuard.Release second = guard.release(KEY, 1_010_000L, List.of(new Version(70, "A")));
        assertEquals(new Version(70, "A"), second.pass());
        RunawayGuard.Release duplicate = guard.release(KEY, 1_010_000L, List.of(new Version(70, "A")));
        assertTrue(duplicate.allSuperseded(), "the greatest version is released once");
        assertFalse(guard.isParked(KEY));
    }

    @Test
    void parkedChangeArrivingLaterExtendsTheWindow() {
        for (int i = 1; i <= 6; i++) {
            pingPong(i * 10);
        }
        now.addAndGet(9_000);
        RunawayGuard.Admission late = pingPong(80);
        assertEquals(1_000_000L + 9_000 + 10_000, late.parkedUntilMillis());
        now.addAndGet(1_500);
        assertTrue(guard.release(KEY, 1_010_000L, List.of(new Version(60, "A"))).hold(),
                "the guard's later window wins over the one recorded on the FlowFile");
    }

    @Test
    void afterARestartTheFlowFilesOwnGreatestVersionIsReleased() {
        RunawayGuard restarted = new RunawayGuard(5, 10_000, ORDER, now::get);
        assertTrue(restarted.release(KEY, now.get() + 5, List.of(new Version(5, "A"))).hold());
        now.addAndGet(10);
        RunawayGuard.Release release = restarted.release(KEY, now.get() - 5, List.of(new Version(5, "A"), new Version(9, "A"), new Version(9, "B")));
        assertEquals(new Version(9, "B"), release.pass(), "ranked by the version order: B above A on equal numbers");
        assertNull(restarted.release(KEY, 0L, List.of(new Version(7, "A"))).pass());
    }
}
