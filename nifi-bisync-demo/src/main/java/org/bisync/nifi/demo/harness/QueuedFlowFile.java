/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.util.MockFlowFile;

import java.util.HashMap;
import java.util.Map;

/**
 * A FlowFile between two processors (or held in a funnel): content, attributes, and when it may be taken
 * ({@link HarnessClock} millis; 0 at once), later than now while its penalty lasts.
 */
record QueuedFlowFile(byte[] content, Map<String, String> attributes, long dueAt) {

    QueuedFlowFile(byte[] content, Map<String, String> attributes) {
        this(content, attributes, 0L);
    }

    /** A FlowFile a processor emitted at {@code now}; a penalized one is due once {@code penaltyMillis} passed. */
    static QueuedFlowFile emitted(MockFlowFile flowFile, long now, long penaltyMillis) {
        long dueAt = flowFile.isPenalized() ? now + penaltyMillis : 0L;
        return new QueuedFlowFile(flowFile.toByteArray(), new HashMap<>(flowFile.getAttributes()), dueAt);
    }

    boolean due(long now) {
        return dueAt <= now;
    }

    /** A copy with its own attribute map, so one copy's consumer cannot change another's. */
    QueuedFlowFile copy() {
        return new QueuedFlowFile(content, new HashMap<>(attributes), dueAt);
    }

    /** An attribute holding epoch millis (Apply's retry back-off, PreventLoops' parking); 0 when absent or not a number. */
    long attributeMillis(String attribute) {
        String value = attributes.get(attribute);
        try {
            return value == null ? 0L : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0L;
        }
    }
}
