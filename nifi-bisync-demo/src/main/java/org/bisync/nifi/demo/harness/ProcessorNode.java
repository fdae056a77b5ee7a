/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.util.FormatUtils;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.demo.harness.Outcomes.ChangeId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One processor of the template: its runner, its input queue and what the harness knows of its runs. */
final class ProcessorNode {

    final VersionedProcessor definition;
    TestRunner runner;
    /** Runners this node had before restarts of the flow, kept for their counters. */
    final List<TestRunner> retired = new ArrayList<>();
    /** The system its changes go to (its Target System ID), or null. */
    final String target;
    /** Whether it has no incoming connection (capture, an installing ManageSyncTriggers). */
    final boolean source;
    final SourceSchedule schedule;
    final Deque<QueuedFlowFile> queue = new ArrayDeque<>();
    /** Records handed to the runner and what came out, until its queue is empty and the difference can be taken. */
    final Map<ChangeId, Integer> pendingIn = new HashMap<>();
    final Map<ChangeId, Integer> pendingOut = new HashMap<>();
    /** Whether its @OnScheduled ran since it was last stopped. */
    boolean scheduled;
    /** Stopped by the harness until started again: not run, FlowFiles queue for it. */
    boolean stopped;
    /** Until when (harness clock) it does not run after a run that took nothing for good, as NiFi yields it. */
    long yieldedUntil;
    final long penaltyMillis;
    final long yieldMillis;
    long runs;
    /** Wall-clock time spent inside the processor's runs. */
    long runNanos;

    ProcessorNode(VersionedProcessor definition, TestRunner runner, String target, boolean source) {
        this.definition = definition;
        this.runner = runner;
        this.target = target;
        this.source = source;
        this.schedule = new SourceSchedule(definition.getSchedulingPeriod());
        this.penaltyMillis = millis(definition.getPenaltyDuration());
        this.yieldMillis = millis(definition.getYieldDuration());
    }

    private static long millis(String period) {
        return period == null ? 0L : FormatUtils.getTimeDuration(period, TimeUnit.MILLISECONDS);
    }

    String name() {
        return definition.getName();
    }

    /** Whether something waits for it that it may take at {@code now}. */
    boolean hasInput(long now) {
        return !runner.isQueueEmpty() || queue.stream().anyMatch(item -> item.due(now));
    }

    /** FlowFiles waiting for it: in its incoming connections and taken in by its runner but not finished. */
    int queued() {
        return queue.size() + runner.getQueueSize().getObjectCount();
    }

    /** A counter summed over its runner and those it had before restarts of the flow; 0 when it never counted. */
    long counter(String counter) {
        long sum = 0;
        for (TestRunner old : retired) {
            Long value = old.getCounterValue(counter);
            sum += value == null ? 0 : value;
        }
        Long value = runner.getCounterValue(counter);
        return sum + (value == null ? 0 : value);
    }

    /** Stops its runner, logging instead of throwing when its @OnStopped fails. */
    void stopQuietly(Consumer<String> log) {
        try {
            runner.stop();
        } catch (RuntimeException | AssertionError e) {
            log.accept("stopping " + name() + " failed: " + e);
        }
    }
}
