/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.loops;

import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The safety net against runaway ping-pong (user triggers or applications that react to synced writes): more than
 * {@code maxUpdates} counted changes of one (table, key) within {@code windowMillis} park the key. Every change of a
 * parked key is parked until the key's window ends (a new parked change extends it); then only the key's greatest
 * parked version is released, the others are superseded. Both sides therefore still end on the same value.
 *
 * <p>Only an unbroken run of changes each made on top of another system's version is counted: in a loop every change
 * is a reaction to the synced write before it, so the origins alternate and each change's previous version came
 * through the sync. A change made on top of its own system's version (or a new row) ends the run: one system's own
 * repeated edits of a row, a backlog of them, or people editing the same row on both sides (whose edits land on their
 * own side's earlier edits now and then) never trip the guard. Thread-safe; the clock is injectable.
 */
public final class RunawayGuard {

    /** The verdict on a new change. */
    public record Admission(boolean parked, boolean newlyParked, long parkedUntilMillis) {
        static final Admission PASS = new Admission(false, false, 0L);
    }

    /** The verdict on a parked FlowFile of one key coming back. */
    public record Release(boolean hold, long parkedUntilMillis, Version pass) {
        /** Nothing passes: the key's greatest version was (or will be) released from another FlowFile. */
        public boolean allSuperseded() {
            return !hold && pass == null;
        }
    }

    private static final class Parked {
        long until;
        Version greatest;
        Version released;
    }

    private final int maxUpdates;
    private final long windowMillis;
    private final LongSupplier clock;
    private final VersionOrder order;
    private final Map<String, Deque<Long>> recent = new HashMap<>();
    private final Map<String, Parked> parked = new HashMap<>();
    private int admissionsSinceCleanup;

    public RunawayGuard(int maxUpdates, long windowMillis, VersionOrder order, LongSupplier clock) {
        if (maxUpdates < 1 || windowMillis < 1) {
            throw new IllegalArgumentException("Max updates and window must be positive, were " + maxUpdates + " and " + windowMillis);
        }
        this.maxUpdates = maxUpdates;
        this.windowMillis = windowMillis;
        this.order = Objects.requireNonNull(order, "order");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The identity of a key within its table, as used by the methods below. */
    public static String keyId(String table, Object key) {
        return table + "|" + key;
    }

    /**
     * Counts a change of {@code keyId} and says whether it passes or is parked.
     *
     * @param version   the change's version
     * @param prevVersion its previous version (null for a new row)
     */
    public synchronized Admission admit(String keyId, Version version, Version prevVersion) {
        long now = clock.getAsLong();
        cleanupNow(now);
        Parked p = parked.get(keyId);
        if (p != null && p.released == null && now < p.until) {
            p.until = Math.max(p.until, now + windowMillis);
            p.greatest = order.max(p.greatest, version);
            return new Admission(true, false, p.until);
        }
        if (prevVersion == null || prevVersion.origin().equals(version.origin())) {
            // made on top of its own system's version: not a reaction to a synced write, so whatever crossed before
            // was people editing on both sides, not a loop; the run of crossings starts again
            recent.remove(keyId);
            return Admission.PASS;
        }
        Deque<Long> times = recent.computeIfAbsent(keyId, k -> new ArrayDeque<>());
        times.addLast(now);
        while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
            times.removeFirst();
        }
        if (times.size() <= maxUpdates) {
            return Admission.PASS;
        }
        times.clear();
        Parked fresh = new Parked();
        fresh.until = now + windowMillis;
        fresh.greatest = version;
        parked.put(keyId, fresh);
        return new Admission(true, true, fresh.until);
    }

    /**
     * Decides on a parked FlowFile of one key coming back: hold it while the key's window lasts; then release the
     * key's greatest parked version (once), everything else is superseded.
     *
     * @param parkedUntilMillis the end of the window as recorded on the FlowFile (the guard's own record wins when it
     *                          is later; after a restart only the FlowFile's is known)
     * @param versions          the versions of the FlowFile's changes of that key
     */
    public synchronized Release release(String keyId, long parkedUntilMillis, Collection<Version> versions) {
        long now = clock.getAsLong();
        Parked p = parked.get(keyId);
        long until = p == null ? parkedUntilMillis : Math.max(parkedUntilMillis, p.until);
        if (now < until) {
            return new Release(true, until, null);
        }
        Version own = versions.stream().reduce(null, order::max);
        if (p == null) {
            // restarted since the key was parked: only this FlowFile is known; its greatest version is the best guess
            p = new Parked();
            p.until = until;
            p.greatest = own;
            parked.put(keyId, p);
        }
        p.greatest = order.max(p.greatest, own);
        if (own != null && own.equals(p.greatest) && !own.equals(p.released)) {
            p.released = own;
            return new Release(false, until, own);
        }
        return new Release(false, until, null);
    }

    /** Whether the key is parked right now (for tests and status). */
    public synchronized boolean isParked(String keyId) {
        Parked p = parked.get(keyId);
        return p != null && p.released == null && clock.getAsLong() < p.until;
    }

    /** Forgets counters and released keys whose windows ended long ago, so memory stays bounded. */
    private void cleanupNow(long now) {
        if (++admissionsSinceCleanup < 10_000) {
            return;
        }
        admissionsSinceCleanup = 0;
        recent.values().removeIf(times -> times.isEmpty() || times.peekLast() <= now - windowMillis);
        for (Iterator<Parked> it = parked.values().iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (p.released != null && p.until <= now - 10 * windowMillis) {
                it.remove();
            }
        }
    }

    public long windowMillis() {
        return windowMillis;
    }
}
