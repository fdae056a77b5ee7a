/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import org.bisync.nifi.version.Version;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the change records tests feed to the processors and their cores. Key fields go into the key and, for a change
 * that leaves a row, into {@code after} as well, in the order given; {@link #version(long, String)} also sets origin and
 * source system to the version's origin unless {@link #from(String)} says otherwise.
 */
public final class ChangeRecordBuilder {

    private final ChangeRecord change = new ChangeRecord();
    private boolean originSet;

    private ChangeRecordBuilder(String table, Operation operation) {
        change.table = table;
        change.operation = operation;
        change.after = operation.removesRow() ? null : new LinkedHashMap<>();
    }

    public static ChangeRecordBuilder change(String table, Operation operation) {
        return new ChangeRecordBuilder(table, operation);
    }

    public static ChangeRecordBuilder insert(String table) {
        return change(table, Operation.INSERT);
    }

    public static ChangeRecordBuilder update(String table) {
        return change(table, Operation.UPDATE);
    }

    public static ChangeRecordBuilder delete(String table) {
        return change(table, Operation.DELETE);
    }

    /** A key field: in the key, and in {@code after} when the change leaves a row. */
    public ChangeRecordBuilder key(String field, Object value) {
        change.key.put(field, value);
        if (change.after != null) {
            change.after.put(field, value);
        }
        return this;
    }

    /** A key field in the key only. */
    public ChangeRecordBuilder keyOnly(String field, Object value) {
        change.key.put(field, value);
        return this;
    }

    public ChangeRecordBuilder after(String field, Object value) {
        if (change.after == null) {
            change.after = new LinkedHashMap<>();
        }
        change.after.put(field, value);
        return this;
    }

    /** Replaces {@code after} by a copy of the row, or by null. */
    public ChangeRecordBuilder after(Map<String, Object> row) {
        change.after = row == null ? null : new LinkedHashMap<>(row);
        return this;
    }

    /** Uses the map itself as {@code after} (for a test that changes it later). */
    public ChangeRecordBuilder afterRow(Map<String, Object> row) {
        change.after = row;
        return this;
    }

    public ChangeRecordBuilder before(Map<String, Object> row) {
        change.before = row == null ? null : new LinkedHashMap<>(row);
        return this;
    }

    public ChangeRecordBuilder changed(String... fields) {
        change.changedFields = new ArrayList<>(List.of(fields));
        return this;
    }

    public ChangeRecordBuilder version(long number, String origin) {
        return version(new Version(number, origin));
    }

    public ChangeRecordBuilder version(Version version) {
        change.version = version;
        if (!originSet && version != null) {
            change.origin = version.origin();
            change.sourceSystem = version.origin();
        }
        return this;
    }

    public ChangeRecordBuilder prev(Version prev) {
        change.prevVersion = prev;
        return this;
    }

    /** Origin and source system. */
    public ChangeRecordBuilder from(String system) {
        change.origin = system;
        change.sourceSystem = system;
        originSet = true;
        return this;
    }

    public ChangeRecordBuilder fieldVersion(String field, Version version) {
        change.fieldVersions.put(field, version);
        return this;
    }

    public ChangeRecordBuilder supersedes(Version version) {
        change.supersedes.add(version);
        return this;
    }

    public ChangeRecordBuilder sequence(long sequence) {
        change.sequence = sequence;
        return this;
    }

    public ChangeRecordBuilder capturedAt(long micros) {
        change.capturedAt = micros;
        return this;
    }

    /** Captured now, in UTC microseconds. */
    public ChangeRecordBuilder capturedNow() {
        return capturedAt(System.currentTimeMillis() * 1000L);
    }

    public ChangeRecordBuilder decision(Decision decision) {
        change.decision = decision;
        return this;
    }

    /** Decided APPLY, as ResolveConflicts hands it to the applier. */
    public ChangeRecordBuilder toApply() {
        return decision(Decision.APPLY);
    }

    public ChangeRecord build() {
        return change;
    }
}
