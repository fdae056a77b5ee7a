/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the variants of each scenario of a trigger benchmark in interleaved rounds and prints, per scenario, the median
 * of each variant with its spread, the cost of ours against the floor (the median and quartiles of the per-round
 * ratios, and the ratio of the medians) and a verdict of the per-round ratios' median against {@link #LIMIT}, for two
 * measures: rows per second (wall clock), and the CPU time per row of the database session that ran the writes (the
 * server thread or backend process, or the JVM thread for an embedded engine), which other processes' load hardly moves.
 * A round measures every variant of every scenario once, the variants' order rotated from round to round (ours, floor;
 * floor, ours; ...), so load that comes and goes on a shared machine falls on all variants alike instead of on whichever
 * ran last. The first round warms up and is not counted.
 *
 * <p>The first variant of a scenario is ours, the second the floor (or, where a scenario has several candidates for the
 * floor, the cheapest of them in each measure); further variants (breakdowns) are reported against the floor too but
 * take no part in the verdict.
 */
public final class InterleavedRounds {

    /** Our triggers may cost at most this many times the floor. */
    public static final double LIMIT = 1.1;

    /** One timed measurement: prepares what it needs untimed and measures its timed part. */
    @FunctionalInterface
    public interface Trial {
        Sample measure() throws Exception;
    }

    /** Rows per second of wall clock, and CPU microseconds of the database session per row (NaN where unknown). */
    public record Sample(double rowsPerSecond, double cpuMicrosPerRow) {
    }

    public record Variant(String name, Trial trial) {
    }

    /**
     * Ours first, then {@code floors} candidates for the floor (the cheapest trigger doing our two writes may take a
     * different form for different statement shapes), then breakdowns.
     */
    public record Scenario(String name, List<Variant> variants, int floors) {
        public Scenario {
            if (floors < 1 || variants.size() < 1 + floors) {
                throw new IllegalArgumentException("a scenario compares ours (first) with the floor (second, or the cheapest of the next " + floors + ")");
            }
        }

        public Scenario(String name, List<Variant> variants) {
            this(name, variants, 1);
        }
    }

    private final String title;
    private final int rounds;

    /** @param rounds counted rounds, after one warm-up round */
    public InterleavedRounds(String title, int rounds) {
        this.title = title;
        this.rounds = rounds;
    }

    /** The counted rounds from {@code -Drounds}, 11 by default. */
    public static int roundsFromProperty() {
        return Integer.getInteger("rounds", 11);
    }

    /** Runs every scenario's variants interleaved, prints the report, and returns whether every scenario is within the limit. */
    public boolean run(List<Scenario> scenarios) throws Exception {
        System.out.println(title);
        System.out.println(rounds + " counted rounds after a warm-up; variants interleaved, their order rotated each round; " + loadAverage());
        Map<Scenario, Map<String, double[]>> rates = new LinkedHashMap<>();
        Map<Scenario, Map<String, double[]>> cpu = new LinkedHashMap<>();
        for (Scenario scenario : scenarios) {
            Map<String, double[]> rateByVariant = new LinkedHashMap<>();
            Map<String, double[]> cpuByVariant = new LinkedHashMap<>();
            for (Variant v : scenario.variants()) {
                rateByVariant.put(v.name(), new double[rounds]);
                cpuByVariant.put(v.name(), new double[rounds]);
            }
            rates.put(scenario, rateByVariant);
            cpu.put(scenario, cpuByVariant);
        }
        long start = System.nanoTime();
        for (int round = -1; round < rounds; round++) {
            for (Scenario scenario : scenarios) {
                List<Variant> variants = scenario.variants();
                int n = variants.size();
                for (int i = 0; i < n; i++) {
                    Variant variant = variants.get(Math.floorMod(i + round, n));
                    Sample sample = variant.trial().measure();
                    if (round >= 0) {
                        rates.get(scenario).get(variant.name())[round] = sample.rowsPerSecond();
                        cpu.get(scenario).get(variant.name())[round] = sample.cpuMicrosPerRow();
                    }
                }
            }
            if (round >= 0) {
                System.out.printf(Locale.ROOT, "  round %d/%d done after %.0f s%n", round + 1, rounds, (System.nanoTime() - start) / 1e9);
            }
        }
        boolean allWithin = true;
        List<String> verdicts = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            System.out.println();
            System.out.println(scenario.name());
            String wall = report(scenario, "rows/s, wall clock", rates.get(scenario), true);
            String session = report(scenario, "session CPU us/row", cpu.get(scenario), false);
            allWithin &= wall.startsWith("PASS") && (session.startsWith("PASS") || session.startsWith("n/a"));
            verdicts.add(wall);
            verdicts.add(session);
        }
        System.out.println();
        verdicts.forEach(System.out::println);
        System.out.println((allWithin ? "ALL PASS" : "NOT ALL PASS") + ": our triggers against the floor, limit " + LIMIT + "x; " + loadAverage());
        return allWithin;
    }

    /**
     * Prints one measure's table and returns its verdict line. For a rate the cost is floor / ours, for a time per row
     * ours / floor.
     */
    private String report(Scenario scenario, String measure, Map<String, double[]> values, boolean rate) {
        List<Variant> variants = scenario.variants();
        double[] ours = values.get(variants.get(0).name());
        if (Double.isNaN(ours[0])) {
            return String.format(Locale.ROOT, "n/a  %-44s %s: not measured on this engine", scenario.name(), measure);
        }
        // the floor is the cheapest candidate in this measure (the highest rate, the least time)
        Variant floorVariant = variants.get(1);
        for (Variant candidate : variants.subList(2, 1 + scenario.floors())) {
            double median = quantile(values.get(candidate.name()), 0.5);
            double best = quantile(values.get(floorVariant.name()), 0.5);
            if (rate ? median > best : median < best) {
                floorVariant = candidate;
            }
        }
        double[] floor = values.get(floorVariant.name());
        System.out.printf(Locale.ROOT, "  %-30s %10s %10s %10s %10s %10s %8s%n", measure, "median", "min", "q1", "q3", "max", "cost");
        if (scenario.floors() > 1) {
            System.out.println("  the floor, cheapest of " + scenario.floors() + " candidates: " + floorVariant.name());
        }
        double floorMedian = quantile(floor, 0.5);
        for (Variant variant : variants) {
            double[] v = values.get(variant.name());
            double median = quantile(v, 0.5);
            System.out.printf(Locale.ROOT, "  %-30s %,10.1f %,10.1f %,10.1f %,10.1f %,10.1f %7.3fx%n", variant.name(), median, quantile(v, 0),
                    quantile(v, 0.25), quantile(v, 0.75), quantile(v, 1), rate ? floorMedian / median : median / floorMedian);
        }
        double[] paired = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            paired[i] = rate ? floor[i] / ours[i] : ours[i] / floor[i];
        }
        double oursMedian = quantile(ours, 0.5);
        // the verdict takes the per-round ratios: each compares two runs made moments apart, so load that comes and goes
        // between rounds cancels out of it, while it moves the medians of each variant apart
        double cost = quantile(paired, 0.5);
        double q1 = quantile(paired, 0.25);
        double q3 = quantile(paired, 0.75);
        String clarity = q3 <= LIMIT || q1 > LIMIT ? "clear: per-round ratios' IQR on one side of it"
                : "close: per-round ratios' IQR spans it, rerun with more rounds";
        System.out.printf(Locale.ROOT, "  cost of ours: per-round ratios median %.3fx, IQR %.3f-%.3f, min %.3f, max %.3f; ratio of medians %.3fx%n",
                cost, q1, q3, quantile(paired, 0), quantile(paired, 1), rate ? floorMedian / oursMedian : oursMedian / floorMedian);
        return String.format(Locale.ROOT, "%s %-44s %s: ours %,.1f, floor %,.1f: per-round median %.3fx (IQR %.3f-%.3f) %s %.1fx (%s)",
                cost <= LIMIT ? "PASS" : "FAIL", scenario.name(), measure, oursMedian, floorMedian, cost, q1, q3, cost <= LIMIT ? "<=" : ">", LIMIT, clarity);
    }

    /** Linear interpolation between the closest ranks; q 0 is the minimum, 0.5 the median, 1 the maximum. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static String loadAverage() {
        try {
            return "load average " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "load average unknown";
        }
    }
}
