/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where the latency run's slow seconds came from, second by second, from a JFR recording of the NiFi JVM: the machine's
 * CPU use and NiFi's share of it ({@code jdk.CPULoad}), NiFi's GC pauses, and the longest wait of a bisync processor's
 * task (a socket read from a database, a lock, a park, a sleep, a file write: JFR's events over its threshold whose
 * stack holds one of our onTrigger methods). A slow second beside a busy machine and an idle, unblocked NiFi points at
 * the machine; a long wait of a task names what it waited for.
 */
final class LatencyStalls {

    /** One second of the run: latency of the changes committed in it, and what the NiFi JVM did from it on. */
    record Second(int second, double p99First, double p99Second, double machineCpu, double nifiCpu, double runnable,
                  double gcPauseMillis, Wait longestWait) {
    }

    /** A wait of a bisync processor's task: JFR event type, how long, which processor, the frame it waited in. */
    record Wait(Instant start, double millis, String type, String processor, String frame) {
    }

    private static final List<String> WAIT_EVENTS = List.of("jdk.SocketRead", "jdk.SocketWrite", "jdk.JavaMonitorEnter",
            "jdk.JavaMonitorWait", "jdk.ThreadPark", "jdk.ThreadSleep", "jdk.FileForce", "jdk.FileWrite", "jdk.FileRead");

    private LatencyStalls() {
    }

    /**
     * Prints the {@code slowest} seconds by the greater p99 of the two directions, against the run's medians, and the
     * GC summary. {@code start} is the wall-clock time of second 0 of both series.
     */
    static void report(Path jfr, Instant start, int seconds, RunQueue runQueue, String firstLabel, double[] firstCommit,
                       double[] firstMillis, String secondLabel, double[] secondCommit, double[] secondMillis, int slowest) {
        double[] machine = new double[seconds + 5];
        double[] nifi = new double[seconds + 5];
        int[] cpuSamples = new int[seconds + 5];
        double[] gc = new double[seconds + 5];
        List<Wait> waits = new ArrayList<>();
        long gcCount = 0;
        double gcTotal = 0;
        double gcLongest = 0;
        try (RecordingFile recording = new RecordingFile(jfr)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                int second = (int) Math.floor(Duration.between(start, event.getStartTime()).toMillis() / 1000.0);
                boolean inRun = second >= 0 && second < machine.length;
                switch (type) {
                    case "jdk.CPULoad" -> {
                        // sampled at the end of its second
                        int s = second - 1;
                        if (s >= 0 && s < machine.length) {
                            machine[s] += event.getFloat("machineTotal");
                            nifi[s] += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                            cpuSamples[s]++;
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        double pause = event.getDuration("sumOfPauses").toNanos() / 1e6;
                        gcCount++;
                        gcTotal += pause;
                        gcLongest = Math.max(gcLongest, event.getDuration("longestPause").toNanos() / 1e6);
                        if (inRun) {
                            gc[second] += pause;
                        }
                    }
                    default -> {
                        if (inRun && WAIT_EVENTS.contains(type)) {
                            Wait wait = taskWait(event, type);
                            if (wait != null) {
                                waits.add(wait);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + jfr, e);
        }
        double[] p99First = p99PerSecond(firstCommit, firstMillis, seconds);
        double[] p99Second = p99PerSecond(secondCommit, secondMillis, seconds);
        List<Second> rows = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            // a change committed in second s that took L ms was held somewhere between s and s + L: look there
            double held = Math.max(p99First[s], p99Second[s]);
            int until = Math.min(machine.length, s + 1 + (int) Math.ceil(held / 1000));
            rows.add(new Second(s, p99First[s], p99Second[s], mean(machine, cpuSamples, s, until), mean(nifi, cpuSamples, s, until),
                    runQueue.mean(s, until), sum(gc, s, until), longest(waits, start, s, until)));
        }
        System.out.printf("Where the slow seconds came from (JFR of the NiFi JVM; machine and NiFi CPU of all cores, threads "
                + "runnable on the machine (/proc/stat, %d cores), NiFi's GC pauses and the longest wait of a bisync task, from the "
                + "second the changes were committed until their p99 arrived):%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("  %-8s %10s %10s %9s %9s %9s %9s  %s%n", "second", "p99 " + shortLabel(firstLabel),
                "p99 " + shortLabel(secondLabel), "machine", "NiFi", "runnable", "GC ms", "longest wait of a bisync task");
        List<Second> bySlowness = rows.stream().sorted(Comparator.comparingDouble((Second r) -> Math.max(r.p99First(), r.p99Second()))
                .reversed()).toList();
        bySlowness.stream().limit(slowest).sorted(Comparator.comparingInt(Second::second)).forEach(LatencyStalls::print);
        Second median = medianRow(bySlowness.subList(Math.min(slowest, bySlowness.size()), bySlowness.size()));
        if (median != null) {
            System.out.printf("  %-8s %10.0f %10.0f %8.0f%% %8.0f%% %9.1f %9.0f  %s%n", "median*", median.p99First(), median.p99Second(),
                    100 * median.machineCpu(), 100 * median.nifiCpu(), median.runnable(), median.gcPauseMillis(),
                    median.longestWait() == null ? "-" : String.format("%.0f ms", median.longestWait().millis()));
            System.out.println("  (* the other seconds' medians)");
        }
        System.out.printf("  NiFi GC over the recording: %d collections, %.0f ms paused in all, longest pause %.0f ms%n", gcCount, gcTotal,
                gcLongest);
        waits.stream().sorted(Comparator.comparingDouble(Wait::millis).reversed()).limit(slowest).forEach(w -> System.out.printf(
                "  long wait at %5.1f s: %6.0f ms %-20s %-28s %s%n", Duration.between(start, w.start()).toMillis() / 1000.0, w.millis(),
                w.type(), w.processor(), w.frame()));
    }

    private static void print(Second r) {
        Wait w = r.longestWait();
        System.out.printf("  %-8s %10.0f %10.0f %8.0f%% %8.0f%% %9.1f %9.0f  %s%n", r.second() + " s", r.p99First(), r.p99Second(),
                100 * r.machineCpu(), 100 * r.nifiCpu(), r.runnable(), r.gcPauseMillis(),
                w == null ? "-" : String.format("%.0f ms %s in %s (%s)", w.millis(), w.type(), w.processor(), w.frame()));
    }

    /** A wait inside one of our processors' onTrigger, or null for any other thread (NiFi's idle pool threads park). */
    private static Wait taskWait(RecordedEvent event, String type) {
        RecordedStackTrace stack = event.getStackTrace();
        RecordedThread thread = event.getThread();
        if (stack == null || thread == null) {
            return null;
        }
        String processor = null;
        String frame = null;
        for (RecordedFrame f : stack.getFrames()) {
            String method = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (frame == null && !method.startsWith("java.") && !method.startsWith("jdk.") && !method.startsWith("sun.")) {
                frame = method;
            }
            if (method.startsWith("org.bisync.nifi.processors.") && method.endsWith(".onTrigger")) {
                processor = method.substring("org.bisync.nifi.processors.".length(), method.length() - ".onTrigger".length());
            }
        }
        if (processor == null) {
            return null;
        }
        return new Wait(event.getStartTime(), event.getDuration().toNanos() / 1e6, type.substring("jdk.".length()), processor,
                frame == null ? "?" : frame);
    }

    static double[] p99PerSecond(double[] commitSeconds, double[] millis, int seconds) {
        List<List<Double>> perSecond = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            perSecond.add(new ArrayList<>());
        }
        for (int i = 0; i < commitSeconds.length; i++) {
            int s = (int) Math.floor(commitSeconds[i]);
            if (s >= 0 && s < seconds) {
                perSecond.get(s).add(millis[i]);
            }
        }
        double[] p99 = new double[seconds];
        for (int s = 0; s < seconds; s++) {
            double[] sorted = perSecond.get(s).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            p99[s] = sorted.length == 0 ? 0 : LatencyProbe.percentile(sorted, 99);
        }
        return p99;
    }

    private static double mean(double[] values, int[] samples, int from, int until) {
        double sum = 0;
        int n = 0;
        for (int s = from; s < until; s++) {
            sum += values[s];
            n += samples[s];
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double sum(double[] values, int from, int until) {
        return Arrays.stream(values, from, until).sum();
    }

    private static Wait longest(List<Wait> waits, Instant start, int from, int until) {
        Wait best = null;
        for (Wait w : waits) {
            double at = Duration.between(start, w.start()).toMillis() / 1000.0;
            if (at >= from && at < until && (best == null || w.millis() > best.millis())) {
                best = w;
            }
        }
        return best;
    }

    private static Second medianRow(List<Second> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        return new Second(-1, median(rows.stream().mapToDouble(Second::p99First).toArray()),
                median(rows.stream().mapToDouble(Second::p99Second).toArray()),
                median(rows.stream().mapToDouble(Second::machineCpu).filter(v -> !Double.isNaN(v)).toArray()),
                median(rows.stream().mapToDouble(Second::nifiCpu).filter(v -> !Double.isNaN(v)).toArray()),
                median(rows.stream().mapToDouble(Second::runnable).filter(v -> !Double.isNaN(v)).toArray()),
                median(rows.stream().mapToDouble(Second::gcPauseMillis).toArray()),
                new Wait(Instant.EPOCH, median(rows.stream().mapToDouble(r -> r.longestWait() == null ? 0 : r.longestWait().millis()).toArray()),
                        "", "", ""));
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String shortLabel(String label) {
        return label.replace("PostgreSQL", "PG").replace("MariaDB", "Maria").replace(" -> ", ">");
    }

    /**
     * The machine's runnable threads (procs_running of /proc/stat, this sampler included) every 100 ms from a start on:
     * more of them than cores means threads, of NiFi, the databases or anyone else, wait for a core.
     */
    static final class RunQueue implements AutoCloseable {
        private final long startNanos;
        private final List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean running = true;

        RunQueue(long startNanos) {
            this.startNanos = startNanos;
            this.thread = Thread.ofPlatform().daemon().name("run-queue-sampler").start(this::sample);
        }

        private void sample() {
            while (running) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/stat"))) {
                        if (line.startsWith("procs_running ")) {
                            samples.add(new double[] {(System.nanoTime() - startNanos) / 1e9, Double.parseDouble(line.substring(14).trim())});
                        }
                    }
                    Thread.sleep(100);
                } catch (IOException | RuntimeException e) {
                    return; // not Linux: no figure
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Mean runnable threads over seconds [from, until) of the run; NaN without samples. */
        double mean(int from, int until) {
            double sum = 0;
            int n = 0;
            synchronized (samples) {
                for (double[] sample : samples) {
                    if (sample[0] >= from && sample[0] < until) {
                        sum += sample[1];
                        n++;
                    }
                }
            }
            return n == 0 ? Double.NaN : sum / n;
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }
}
