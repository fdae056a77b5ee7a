package org.bisync.nifi.capture;

/** One row of bisync_history as the triggers (or apply, for forwarded changes) wrote it. JSON columns are raw text. */
public record HistoryRow(long id, String tableName, String operation, String keyData, String beforeData, String afterData,
                         long versionNum, String versionOrigin, Long prevNum, String prevOrigin, String fieldVersions,
                         String origin, String supersedes, String txId, long capturedAt, Long tombstoneNum, String tombstoneOrigin) {
}
