/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.demo.harness.Outcomes.ChangeId;
import org.bisync.nifi.demo.harness.Outcomes.Leg;
import org.bisync.nifi.demo.harness.Outcomes.Outcome;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows every change record per (change, target) into {@link Outcomes}: captured, delivered to a direction (once more
 * per duplicate), and how each copy ended; a copy a processor took in and did not emit was dropped by it.
 */
final class OutcomeTracker {

    private static final List<String> TOTALS = List.of("bisync.applied", "bisync.stale", "bisync.merged", "bisync.conflicts", "bisync.failed");

    private final Outcomes outcomes;
    private final Consumer<String> log;

    OutcomeTracker(Outcomes outcomes, Consumer<String> log) {
        this.outcomes = outcomes;
        this.log = log;
    }

    /** The change records of a FlowFile, or none when its content is not records (e.g. capture's failure lines). */
    List<Record> records(QueuedFlowFile item) {
        if (!item.attributes().containsKey(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE)) {
            return List.of();
        }
        List<Record> records = new ArrayList<>();
        try (RecordReader reader = new JsonRecordReaderService().createRecordReader(item.attributes(),
                new ByteArrayInputStream(item.content()), item.content().length, null)) {
            Record record;
            while ((record = reader.nextRecord()) != null) {
                records.add(record);
            }
        } catch (Exception e) {
            log.accept("unreadable FlowFile content: " + ProcessorTurns.rootMessage(e));
            return List.of();
        }
        return records;
    }

    /** Counts the changes a capture emitted; returns how many records were changes. */
    int captured(List<Record> records) {
        int changes = 0;
        for (Record record : records) {
            ChangeId id = changeId(record);
            if (id != null) {
                outcomes.captured(id);
                changes++;
            }
        }
        return changes;
    }

    /** One more copy of each change is on its way to {@code target}. */
    void delivered(List<Record> records, String target) {
        for (Record record : records) {
            ChangeId id = changeId(record);
            if (id != null) {
                outcomes.delivered(new Leg(id, target));
            }
        }
    }

    /** One copy of each change towards {@code target} ended this way. */
    void ended(List<Record> records, String target, Outcome outcome) {
        for (Record record : records) {
            ChangeId id = changeId(record);
            if (id != null) {
                outcomes.ended(new Leg(id, target), outcome, 1);
            }
        }
    }

    /** The node's runner took these records in. */
    void takenIn(ProcessorNode node, List<Record> records) {
        records.forEach(r -> count(node.pendingIn, changeId(r)));
    }

    /** The node's runner emitted these records. */
    void emitted(ProcessorNode node, List<Record> records) {
        records.forEach(r -> count(node.pendingOut, changeId(r)));
    }

    /** Records taken back out of a runner's input queue: counted in again when the next runner takes them. */
    void takenBack(ProcessorNode node, List<Record> records) {
        for (Record record : records) {
            ChangeId id = changeId(record);
            if (id != null) {
                node.pendingIn.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
            }
        }
    }

    /** What went into the node and did not come out was dropped by it (known once the runner's queue is empty). */
    void settleDrops(ProcessorNode node) {
        if (!node.runner.isQueueEmpty()) {
            return;
        }
        if (node.target != null) {
            node.pendingIn.forEach((id, copies) -> {
                int dropped = copies - node.pendingOut.getOrDefault(id, 0);
                if (dropped > 0) {
                    outcomes.ended(new Leg(id, node.target), dropOutcome(node), dropped);
                }
            });
        }
        node.pendingIn.clear();
        node.pendingOut.clear();
    }

    /** Adds the counts a processor wrote into the FlowFile's attributes to the totals. */
    void addTotals(QueuedFlowFile item) {
        for (String attribute : TOTALS) {
            String value = item.attributes().get(attribute);
            if (value != null) {
                try {
                    outcomes.addTotal(attribute, Long.parseLong(value.trim()));
                } catch (NumberFormatException e) {
                    log.accept("attribute " + attribute + " is not a number: " + value);
                }
            }
        }
    }

    private static Outcome dropOutcome(ProcessorNode node) {
        String type = node.definition.getType();
        if (type.equals(Templates.PREVENT_LOOPS)) {
            return Outcome.DROPPED_BY_PREVENT_LOOPS;
        }
        if (type.equals(Templates.RESOLVE)) {
            return Outcome.STALE_AT_RESOLVE;
        }
        return Outcome.STALE_AT_APPLY;
    }

    private static void count(Map<ChangeId, Integer> counts, ChangeId id) {
        if (id != null) {
            counts.merge(id, 1, Integer::sum);
        }
    }

    private static ChangeId changeId(Record record) {
        Object source = record.getSchema().getField("source_system").isPresent() ? record.getValue("source_system") : null;
        Object sequence = record.getSchema().getField("sequence").isPresent() ? record.getValue("sequence") : null;
        if (source == null || sequence == null) {
            return null;
        }
        return new ChangeId(source.toString(), sequence.toString());
    }
}
