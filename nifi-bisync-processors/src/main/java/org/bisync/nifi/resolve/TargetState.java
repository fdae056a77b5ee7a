/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.version.Version;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the target holds for one key: its version row and, where a rule needs it, its current row.
 *
 * @param version       the row's version, or null when the target has no version row for the key
 * @param deleted       whether the version row is a tombstone
 * @param fieldVersions field versions by canonical field name (empty when the table keeps row versions only)
 * @param row           the target's current row by canonical field name, or, for a tombstone of a field-level table,
 *                      the values it kept; null when not read or not there
 * @param tombstone     for a tombstone, the delete it is measured against (its version unless a merge kept a greater
 *                      row version); null for a live row
 */
public record TargetState(Version version, boolean deleted, Map<String, Version> fieldVersions, Map<String, Object> row,
                          Version tombstone) {

    private static final TargetState NONE = new TargetState(null, false, Map.of(), null);

    public TargetState {
        fieldVersions = fieldVersions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fieldVersions));
        row = row == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(row));
        tombstone = deleted ? (tombstone == null ? version : tombstone) : null;
    }

    /** A tombstone measured against its own version, or a live row. */
    public TargetState(Version version, boolean deleted, Map<String, Version> fieldVersions, Map<String, Object> row) {
        this(version, deleted, fieldVersions, row, null);
    }

    /** The target has never seen the key. */
    public static TargetState none() {
        return NONE;
    }

    public static TargetState of(Version version) {
        return new TargetState(version, false, Map.of(), null);
    }

    public static TargetState tombstone(Version version) {
        return new TargetState(version, true, Map.of(), null);
    }

    public TargetState withRow(Map<String, Object> newRow) {
        return new TargetState(version, deleted, fieldVersions, newRow, tombstone);
    }

    public TargetState withFieldVersions(Map<String, Version> newFieldVersions) {
        return new TargetState(version, deleted, newFieldVersions, row, tombstone);
    }

    /** Whether the target holds a live row (a version row that is no tombstone). */
    public boolean live() {
        return version != null && !deleted;
    }
}
