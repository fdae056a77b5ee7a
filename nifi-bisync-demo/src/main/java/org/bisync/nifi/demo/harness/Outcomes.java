/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What became of every captured change on its way to every target: each copy delivered into a direction (including
 * copies the harness duplicated on purpose) must end in exactly one terminal outcome.
 */
public final class Outcomes {

    /** Where a change copy ended. */
    public enum Outcome {
        /** Written by ApplyBidirectionalChanges (left it on success). */
        APPLIED,
        /** Dropped by ApplyBidirectionalChanges: its version check in SQL found the target at this version or newer. */
        STALE_AT_APPLY,
        /** Removed by ResolveConflicts as stale (a duplicate, an echo, or older than the target). */
        STALE_AT_RESOLVE,
        /** Held in a conflicts-for-review queue. */
        CONFLICT,
        /** Held in a failed-changes queue. */
        FAILED,
        /** Dropped by PreventLoops (its origin is the target, or superseded while parked). */
        DROPPED_BY_PREVENT_LOOPS
    }

    /** A change as captured: the system it was captured from and its history sequence there. */
    public record ChangeId(String sourceSystem, String sequence) implements Comparable<ChangeId> {
        @Override
        public int compareTo(ChangeId other) {
            int bySource = sourceSystem.compareTo(other.sourceSystem);
            return bySource != 0 ? bySource : Long.compare(parse(sequence), parse(other.sequence));
        }

        private static long parse(String sequence) {
            try {
                return Long.parseLong(sequence);
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }

        @Override
        public String toString() {
            return sourceSystem + "#" + sequence;
        }
    }

    /** One change on its way to one target. */
    public record Leg(ChangeId change, String target) {
    }

    private final Map<ChangeId, Integer> captured = new ConcurrentHashMap<>();
    private final Map<Leg, Integer> delivered = new ConcurrentHashMap<>();
    private final Map<Leg, Map<Outcome, Integer>> ended = new ConcurrentHashMap<>();
    private final Map<String, Long> totals = new ConcurrentHashMap<>();

    void captured(ChangeId change) {
        captured.merge(change, 1, Integer::sum);
    }

    void delivered(Leg leg) {
        delivered.merge(leg, 1, Integer::sum);
    }

    void ended(Leg leg, Outcome outcome, int copies) {
        ended.computeIfAbsent(leg, l -> new ConcurrentHashMap<>()).merge(outcome, copies, Integer::sum);
    }

    void addTotal(String name, long amount) {
        totals.merge(name, amount, Long::sum);
    }

    /** Distinct changes captured. */
    public int capturedChanges() {
        return captured.size();
    }

    /** Capture emissions, counting a change emitted again after a restart twice. */
    public int captureEmissions() {
        return captured.values().stream().mapToInt(Integer::intValue).sum();
    }

    public Map<ChangeId, Integer> capturedCounts() {
        return Collections.unmodifiableMap(captured);
    }

    /** Terminal outcomes over all legs. */
    public Map<Outcome, Integer> byOutcome() {
        Map<Outcome, Integer> sums = new EnumMap<>(Outcome.class);
        ended.values().forEach(m -> m.forEach((o, n) -> sums.merge(o, n, Integer::sum)));
        return sums;
    }

    /** Terminal outcomes of the legs into one target. */
    public Map<Outcome, Integer> byOutcome(String target) {
        Map<Outcome, Integer> sums = new EnumMap<>(Outcome.class);
        ended.forEach((leg, m) -> {
            if (leg.target().equals(target)) {
                m.forEach((o, n) -> sums.merge(o, n, Integer::sum));
            }
        });
        return sums;
    }

    /** Copies delivered into the directions that end at a target. */
    public int deliveredTo(String target) {
        return delivered.entrySet().stream().filter(e -> e.getKey().target().equals(target)).mapToInt(Map.Entry::getValue).sum();
    }

    /**
     * Sums the FlowFile attributes Resolve and Apply write (bisync.applied, bisync.stale, bisync.merged, bisync.conflicts,
     * bisync.failed) and the processors' counters, by name.
     */
    public Map<String, Long> totals() {
        return new TreeMap<>(totals);
    }

    public long total(String name) {
        return totals.getOrDefault(name, 0L);
    }

    /**
     * Legs whose copies did not each end exactly once: delivered n times but ended m != n times, or ended without being
     * delivered. Empty when every change is accounted for once per target (and per duplicate).
     */
    public List<String> unaccounted() {
        List<String> problems = new ArrayList<>();
        delivered.forEach((leg, copies) -> {
            int endings = ended.getOrDefault(leg, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
            if (endings != copies) {
                problems.add(leg.change() + " -> " + leg.target() + ": delivered " + copies + ", ended " + endings + " "
                        + ended.getOrDefault(leg, Map.of()));
            }
        });
        ended.forEach((leg, m) -> {
            if (!delivered.containsKey(leg)) {
                problems.add(leg.change() + " -> " + leg.target() + ": ended " + m + " but never delivered");
            }
        });
        Collections.sort(problems);
        return problems;
    }

    /** Changes captured that never entered any direction (a capture whose output goes nowhere). */
    public List<ChangeId> neverDelivered() {
        java.util.Set<ChangeId> reached = new java.util.HashSet<>();
        delivered.keySet().forEach(leg -> reached.add(leg.change()));
        List<ChangeId> missing = new ArrayList<>();
        for (ChangeId change : captured.keySet()) {
            if (!reached.contains(change)) {
                missing.add(change);
            }
        }
        Collections.sort(missing);
        return missing;
    }
}
