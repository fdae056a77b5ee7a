/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.resolve.FieldLevelJoin;
import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What one key gets written: the last winning change of that key in the batch. */
final class PlannedWrite {
    final String keyId;
    final Map<String, Object> key;
    /** The target's version row before this transaction, or null. */
    final TargetVersion original;
    final List<PendingChange> records = new ArrayList<>();
    /** The resulting row (canonical names); null for a delete. */
    Map<String, Object> row;
    /** For a delete in a table whose tombstones keep values: the values kept (canonical names). */
    Map<String, Object> keptRow;
    /** For a delete: the tombstone it is measured against when that is not {@link #version}; else null. */
    Version tombstone;
    /** Field-level tables: the state this write leaves, for a later change of the same key in the batch. */
    FieldLevelJoin.State joined;
    boolean writeData = true;
    /** The key had no user row when apply locked the keys' rows: its row is inserted before the version rows are locked. */
    boolean rowAbsent;
    /** Its version row was inserted already (a key that had none: the insert claimed it). */
    boolean versionWritten;
    boolean keepTarget;
    boolean resolution;
    Version version;
    /** The target's field_versions text, kept when the change brings none. */
    String fieldVersions;
    Map<String, Version> incomingFieldVersions = Map.of();
    boolean history;
    Map<String, Object> historyBefore;
    Version historyPrev;
    String historyOrigin;
    List<Version> supersedes = List.of();
    String transactionId;
    long capturedAt;

    PlannedWrite(String keyId, Map<String, Object> key, TargetVersion original) {
        this.keyId = keyId;
        this.key = key;
        this.original = original;
    }

    /** The tombstone to record beside {@link #version}: {@link #tombstone} when this write deletes the row, else null. */
    Version recordedTombstone() {
        return row == null ? tombstone : null;
    }

    /** A tombstone of {@code version} for a key whose version row was {@code original}, written for {@code records}. */
    static PlannedWrite tombstone(String keyId, Map<String, Object> key, TargetVersion original, Version version, List<PendingChange> records) {
        PlannedWrite write = new PlannedWrite(keyId, key, original);
        write.records.addAll(records);
        write.row = null;
        write.version = version;
        return write;
    }

    TargetVersion asTargetVersion() {
        return new TargetVersion(version, row == null && !keepTarget, fieldVersions);
    }

    String storedFieldVersions(RowImages images) {
        return incomingFieldVersions.isEmpty() ? fieldVersions : images.fieldVersions(incomingFieldVersions);
    }
}
