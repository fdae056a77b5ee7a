/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.bisync.nifi.demo.harness.FlowHarness.RoundReport;
import org.bisync.nifi.processors.BisyncAttributes;

import java.util.function.Consumer;

/**
 * Scheduling: which processor runs when. A round runs every due source, then every other processor with input, in name
 * order; rounds repeat until the flow is quiet; and when a round moved nothing while FlowFiles wait, the
 * {@link HarnessClock} jumps to the moment the first of them is due, so no run waits for a window to pass.
 */
final class RoundScheduler {

    private final LoadedFlow flow;
    private final ProcessorTurns turns;
    private final HarnessClock clock;
    private int round;
    private int lastCaptured;

    RoundScheduler(LoadedFlow flow, ProcessorTurns turns, HarnessClock clock) {
        this.flow = flow;
        this.turns = turns;
        this.clock = clock;
    }

    /**
     * One round: every source (capture) runs once, then every other processor takes what is queued for it, in name
     * order; what they emit is queued for the next round (or taken later in this round by a processor further down).
     * When the round moved nothing while FlowFiles wait (penalized, parked by PreventLoops, backing off in Apply's retry,
     * or in front of a yielded processor), the harness clock jumps to the moment the first of them is due.
     */
    RoundReport round() {
        round++;
        int failedBefore = turns.failedRuns();
        int captured = 0;
        int moved = 0;
        long now = clock.millis();
        for (ProcessorNode node : flow.nodes()) {
            if (node.source && !node.stopped && node.schedule.due(now)) {
                node.schedule.ran(now);
                captured += turns.runSource(node);
            }
        }
        for (ProcessorNode node : flow.nodes()) {
            if (!node.source && !node.stopped && node.yieldedUntil <= now && node.hasInput(now)) {
                moved += turns.runWithInput(node, now);
            }
        }
        lastCaptured = captured;
        if (captured == 0 && moved == 0) {
            advanceClockToNextDue(); // only waiting FlowFiles left: the next round finds the first of them due
        }
        return new RoundReport(round, captured, moved, flow.queued(), turns.failedRuns() - failedBefore);
    }

    /**
     * Runs rounds until nothing is queued and a round's captures emitted nothing, or {@code maxRounds} rounds ran. No
     * real time passes for a window (see {@link #round}), so the number of rounds does not depend on the machine's speed.
     *
     * @return true when quiet
     */
    boolean runUntilQuiet(int maxRounds, Consumer<RoundReport> progress) {
        int quietRounds = 0;
        for (int i = 0; i < maxRounds; i++) {
            RoundReport report = round();
            progress.accept(report);
            if (report.captured() == 0 && report.queued() == 0 && report.failedRuns() == 0) {
                // two quiet rounds: the first may have released what the previous one emitted
                if (++quietRounds >= 2) {
                    return true;
                }
            } else {
                quietRounds = 0;
            }
        }
        return false;
    }

    /**
     * Moves the harness clock to the earliest moment a waiting FlowFile can move: the end of its penalty, of its
     * processor's yield, or the time its own attributes say it is due (Apply's retry back-off, PreventLoops' parking).
     */
    private void advanceClockToNextDue() {
        long now = clock.millis();
        long next = Long.MAX_VALUE;
        for (ProcessorNode node : flow.nodes()) {
            if (node.stopped) {
                continue;
            }
            long earliest = node.runner.isQueueEmpty() ? Long.MAX_VALUE : now;
            for (QueuedFlowFile item : node.queue) {
                earliest = Math.min(earliest, Math.max(item.dueAt(),
                        Math.max(item.attributeMillis(BisyncAttributes.RETRY_NOT_BEFORE), item.attributeMillis(BisyncAttributes.LOOP_PARKED_UNTIL))));
            }
            if (earliest != Long.MAX_VALUE) {
                next = Math.min(next, Math.max(earliest, node.yieldedUntil));
            }
        }
        if (next != Long.MAX_VALUE && next > now) {
            clock.advanceTo(next);
        }
    }

    int rounds() {
        return round;
    }

    /** Changes the sources captured in the last round. */
    int lastCaptured() {
        return lastCaptured;
    }
}
