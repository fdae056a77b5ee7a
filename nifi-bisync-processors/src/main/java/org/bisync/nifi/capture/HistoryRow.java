/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

/** One row of bisync_history as the triggers (or apply, for forwarded changes) wrote it. JSON columns are raw text. */
public record HistoryRow(long id, String tableName, String operation, String keyData, String beforeData, String afterData,
                         long versionNum, String versionOrigin, Long prevNum, String prevOrigin, String fieldVersions,
                         String origin, String supersedes, String txId, long capturedAt, Long tombstoneNum, String tombstoneOrigin) {

    /** About how much memory the row takes: the characters of its text columns, plus a little for the others. */
    public long approximateBytes() {
        return 64L + length(tableName) + length(keyData) + length(beforeData) + length(afterData) + length(fieldVersions)
                + length(supersedes) + length(versionOrigin) + length(prevOrigin) + length(origin) + length(txId) + length(tombstoneOrigin);
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }
}
