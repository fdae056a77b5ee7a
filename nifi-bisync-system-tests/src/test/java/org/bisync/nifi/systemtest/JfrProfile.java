/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A JFR recording of another JVM (NiFi's) through jcmd, and what it says: the hottest methods by CPU samples (the
 * frame on top of the stack), the hottest of our own methods including what they call, and the samples per processor
 * (the bisync processor whose onTrigger is on the stack).
 */
final class JfrProfile {

    private final long pid;
    private final String name;

    private JfrProfile(long pid, String name) {
        this.pid = pid;
        this.name = name;
    }

    static JfrProfile start(long pid, String name) {
        jcmd(pid, "JFR.start", "name=" + name, "settings=profile");
        return new JfrProfile(pid, name);
    }

    /** Dumps the recording into {@code file}, stops it and prints its summary. */
    void stopAndReport(Path file, int top) {
        jcmd(pid, "JFR.dump", "name=" + name, "filename=" + file.toAbsolutePath());
        jcmd(pid, "JFR.stop", "name=" + name);
        report(file, top);
    }

    static void report(Path file, int top) {
        Map<String, Long> selfSamples = new HashMap<>();
        Map<String, Long> ourInclusive = new HashMap<>();
        Map<String, Long> perProcessor = new HashMap<>();
        long total = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = stack.getFrames();
                selfSamples.merge(method(frames.get(0)), 1L, Long::sum);
                Set<String> ours = new LinkedHashSet<>();
                String processor = "(no bisync processor on the stack)";
                for (RecordedFrame frame : frames) {
                    String method = method(frame);
                    if (method.startsWith("org.bisync.")) {
                        ours.add(method);
                    }
                    if (method.startsWith("org.bisync.nifi.processors.") && method.endsWith(".onTrigger")) {
                        processor = method.substring("org.bisync.nifi.processors.".length(), method.length() - ".onTrigger".length());
                    }
                }
                ours.forEach(m -> ourInclusive.merge(m, 1L, Long::sum));
                perProcessor.merge(processor, 1L, Long::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        System.out.printf("JFR %s: %,d CPU samples of the NiFi JVM%n", file.getFileName(), total);
        print("CPU samples per bisync processor (its onTrigger on the stack)", perProcessor, total, top);
        print("hottest methods (top frame)", selfSamples, total, top);
        print("hottest nifi-bisync methods (with what they call)", ourInclusive, total, top);
    }

    private static void print(String title, Map<String, Long> samples, long total, int top) {
        System.out.println("  " + title + ":");
        samples.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(top)
                .forEach(e -> System.out.printf("    %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getValue(), e.getKey()));
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void jcmd(long pid, String... command) {
        List<String> line = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", line) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
