/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.loops;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Screens the changes on their way to one target: drops a change whose origin is the target ({@link OriginFilter}),
 * parks the changes of a runaway key ({@link RunawayGuard}), and, when a parked key's window has ended, lets only its
 * greatest version go on. Each change travels with {@code T}, what the caller sends on for it (its record as read).
 */
public final class LoopScreen {

    /** A change and what the caller sends on for it. */
    public record Item<T>(T payload, ChangeRecord change) {
    }

    /**
     * What a batch of new changes came to.
     *
     * @param passed      what goes on to the target, in batch order
     * @param loops       the changes dropped because their origin is the target
     * @param parked      per runaway key, its changes parked (in batch order)
     * @param parkedUntil per runaway key, until when (epoch millis) it is parked
     * @param newlyParked the first change of each key this batch made runaway
     */
    public record Admitted<T>(List<T> passed, List<ChangeRecord> loops, Map<String, List<T>> parked, Map<String, Long> parkedUntil,
                              List<ChangeRecord> newlyParked) {
    }

    /**
     * What parked changes came to.
     *
     * @param holdUntil  when above 0, a key's window has not ended: the whole batch waits until then (epoch millis)
     * @param passed     otherwise, each key's greatest version, to go on
     * @param superseded otherwise, the other changes, which that greatest version supersedes
     * @param keys       the runaway keys of the batch
     */
    public record Released<T>(long holdUntil, List<T> passed, List<ChangeRecord> superseded, List<String> keys) {
    }

    private final OriginFilter origins;
    private final RunawayGuard guard;

    public LoopScreen(OriginFilter origins, RunawayGuard guard) {
        this.origins = origins;
        this.guard = guard;
    }

    public RunawayGuard guard() {
        return guard;
    }

    /** Screens a batch of new changes. */
    public <T> Admitted<T> admit(List<Item<T>> items) {
        List<T> passed = new ArrayList<>();
        List<ChangeRecord> loops = new ArrayList<>();
        Map<String, List<T>> parked = new LinkedHashMap<>();
        Map<String, Long> parkedUntil = new LinkedHashMap<>();
        List<ChangeRecord> newlyParked = new ArrayList<>();
        for (Item<T> item : items) {
            ChangeRecord change = item.change();
            if (origins.isLoop(change.origin)) {
                loops.add(change);
                continue;
            }
            String keyId = RunawayGuard.keyId(change.table, change.key);
            RunawayGuard.Admission admission = guard.admit(keyId, change.version, change.prevVersion);
            if (!admission.parked()) {
                passed.add(item.payload());
                continue;
            }
            if (admission.newlyParked()) {
                newlyParked.add(change);
            }
            parked.computeIfAbsent(keyId, k -> new ArrayList<>()).add(item.payload());
            parkedUntil.merge(keyId, admission.parkedUntilMillis(), Math::max);
        }
        return new Admitted<>(passed, loops, parked, parkedUntil, newlyParked);
    }

    /**
     * Releases a batch parked until {@code parkedUntilMillis}: holds it again while a key's window has not ended, else
     * passes each key's greatest version once.
     */
    public <T> Released<T> release(List<Item<T>> items, long parkedUntilMillis) {
        Map<String, List<Item<T>>> byKey = new LinkedHashMap<>();
        for (Item<T> item : items) {
            byKey.computeIfAbsent(RunawayGuard.keyId(item.change().table, item.change().key), k -> new ArrayList<>()).add(item);
        }
        Map<String, RunawayGuard.Release> releases = new LinkedHashMap<>();
        long holdUntil = 0L;
        for (Map.Entry<String, List<Item<T>>> entry : byKey.entrySet()) {
            List<Version> versions = entry.getValue().stream().map(i -> i.change().version).toList();
            RunawayGuard.Release release = guard.release(entry.getKey(), parkedUntilMillis, versions);
            releases.put(entry.getKey(), release);
            if (release.hold()) {
                holdUntil = Math.max(holdUntil, release.parkedUntilMillis());
            }
        }
        List<String> keys = new ArrayList<>(byKey.keySet());
        if (holdUntil > 0L) {
            return new Released<>(holdUntil, List.of(), List.of(), keys);
        }
        List<T> passed = new ArrayList<>();
        List<ChangeRecord> superseded = new ArrayList<>();
        for (Map.Entry<String, List<Item<T>>> entry : byKey.entrySet()) {
            Version pass = releases.get(entry.getKey()).pass();
            boolean passedOne = false;
            for (Item<T> item : entry.getValue()) {
                if (!passedOne && item.change().version.equals(pass)) {
                    passed.add(item.payload());
                    passedOne = true;
                } else {
                    superseded.add(item.change());
                }
            }
        }
        return new Released<>(0L, passed, superseded, keys);
    }
}
