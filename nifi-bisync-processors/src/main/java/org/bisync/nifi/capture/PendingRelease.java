/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The history rows a capture run read, released in the database only at the next run, once the run's FlowFiles and this
 * state are committed together: a crash before that reads them again (at-least-once), never loses them. Rows that travel
 * are stamped released and kept until every target acknowledged them; rows that travel nowhere are deleted.
 * Re-releasing after a crash is harmless.
 */
public final class PendingRelease {

    /** State key: the ranges of ids read that travel (see {@link IdRanges}). */
    public static final String STATE_RELEASE = "pending.release";
    /** State key: the ranges of ids read that travel nowhere. */
    public static final String STATE_DROP = "pending.drop";

    private PendingRelease() {
    }

    /** Releases what the previous, committed run read, and takes it out of {@code state}. */
    public static void releasePrevious(Connection connection, HistoryReader reader, Map<String, String> state, long nowMicros)
            throws SQLException {
        String travelling = state.remove(STATE_RELEASE);
        if (travelling != null && !travelling.isEmpty()) {
            reader.release(connection, IdRanges.parseRanges(travelling), nowMicros, true);
        }
        String dropped = state.remove(STATE_DROP);
        if (dropped != null && !dropped.isEmpty()) {
            reader.release(connection, IdRanges.parseRanges(dropped), nowMicros, false);
        }
    }

    /** Puts what this run read into {@code state}, for the next run to release. */
    public static void remember(Map<String, String> state, CapturePoll.Result read) {
        List<Long> travelling = read.travellingIds();
        if (!travelling.isEmpty()) {
            state.put(STATE_RELEASE, IdRanges.formatCompact(travelling));
        }
        if (!read.notSentIds().isEmpty()) {
            state.put(STATE_DROP, IdRanges.formatCompact(read.notSentIds()));
        }
    }

    /** Whether {@code state} holds rows still to release. */
    public static boolean any(Map<String, String> state) {
        return state.containsKey(STATE_RELEASE) || state.containsKey(STATE_DROP);
    }
}
