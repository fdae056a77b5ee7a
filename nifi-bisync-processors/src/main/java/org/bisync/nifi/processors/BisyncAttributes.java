/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

/** FlowFile attributes bisync processors read and write. */
public final class BisyncAttributes {
    public static final String TABLE = "bisync.table";
    public static final String SOURCE_SYSTEM = "bisync.source.system";
    public static final String TARGET_SYSTEM = "bisync.target.system";
    public static final String RECORD_COUNT = "record.count";
    public static final String MIME_TYPE = "mime.type";
    /** Why the FlowFile's records were routed where they are (failure, retry, loop, conflict). */
    public static final String REASON = "bisync.reason";
    /** Capture: the database clock's offset from NiFi's, in microseconds (database minus NiFi). */
    public static final String CLOCK_OFFSET = "bisync.clock.offset.micros";
    /** Capture: the first and last history ids of the FlowFile. */
    public static final String FIRST_SEQUENCE = "bisync.sequence.first";
    public static final String LAST_SEQUENCE = "bisync.sequence.last";
    /**
     * Capture, on a page of the initial load: the key the page starts after (absent on the first page) and the key of
     * its last row (absent on the last page), encoded by {@link org.bisync.nifi.change.KeyCodec}. The page holds every
     * row of the source with a key in that range when it was read.
     */
    public static final String SNAPSHOT_AFTER = "bisync.snapshot.after";
    public static final String SNAPSHOT_LAST = "bisync.snapshot.last";
    /** Apply: capture-to-apply latency of the FlowFile's newest change, in milliseconds. */
    public static final String LATENCY_MILLIS = "bisync.latency.millis";
    /** Counts per outcome, written by Resolve and Apply. */
    public static final String APPLIED = "bisync.applied";
    public static final String STALE = "bisync.stale";
    public static final String MERGED = "bisync.merged";
    public static final String CONFLICTS = "bisync.conflicts";
    public static final String FAILED = "bisync.failed";
    /**
     * Resolve: on a FlowFile passed on as it came, the decision of every one of its records (APPLY), which the records
     * do not carry themselves then.
     */
    public static final String DECISION = "bisync.decision";
    /** Apply: how often the FlowFile's records were sent to retry (the incoming value plus one). */
    public static final String RETRY_COUNT = "bisync.retry.count";
    /** Apply: epoch millis before which a retry FlowFile is sent back to retry without touching the database. */
    public static final String RETRY_NOT_BEFORE = "bisync.retry.not-before";
    /** Apply: how many records settled a foreign-key conflict (on the FlowFile that carries them to success). */
    public static final String SETTLED = "bisync.settled";
    /** PreventLoops: when a parked key's window ends, epoch millis. */
    public static final String LOOP_PARKED_UNTIL = "bisync.loop.parked.until";

    private BisyncAttributes() {
    }
}
