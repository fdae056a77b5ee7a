/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.flowfile.FlowFile;
import org.bisync.nifi.apply.RetryBackoff;

import java.util.Map;

/**
 * How often a FlowFile came back from ApplyBidirectionalChanges' {@code retry} and when it may be tried next, from its
 * attributes ({@link BisyncAttributes#RETRY_COUNT}, {@link BisyncAttributes#RETRY_NOT_BEFORE}); a FlowFile without them
 * (or with values that are no numbers) is on its first attempt.
 *
 * @param count           retries so far
 * @param notBeforeMillis epoch millis before which it must not be tried (0: any time)
 */
record RetryState(int count, long notBeforeMillis) {

    static RetryState of(FlowFile flowFile) {
        return new RetryState((int) Math.min(Integer.MAX_VALUE, number(flowFile.getAttribute(BisyncAttributes.RETRY_COUNT))),
                number(flowFile.getAttribute(BisyncAttributes.RETRY_NOT_BEFORE)));
    }

    private static long number(String value) {
        try {
            return value == null ? 0L : Math.max(0L, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    boolean due(long nowMillis) {
        return nowMillis >= notBeforeMillis;
    }

    /** The attributes of the next retry: the count plus one and its back-off. */
    Map<String, String> next(RetryBackoff backoff, long nowMillis) {
        int next = count == Integer.MAX_VALUE ? count : count + 1;
        return Map.of(BisyncAttributes.RETRY_COUNT, String.valueOf(next),
                BisyncAttributes.RETRY_NOT_BEFORE, String.valueOf(backoff.notBefore(nowMillis, next)));
    }
}
