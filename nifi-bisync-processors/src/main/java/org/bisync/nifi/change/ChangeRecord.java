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
 * One captured change, as every processor sees it (DESIGN.md section 3). Row maps ({@link #key}, {@link #before},
 * {@link #after}, {@link #targetRow}) are keyed by canonical field name and hold record values of the types
 * {@code org.bisync.nifi.dialect.TypeMapping} documents. Mutable on purpose: processors fill in their fields as the
 * change travels.
 */
public final class ChangeRecord {

    public String table;
    public Operation operation;
    public Map<String, Object> key = new LinkedHashMap<>();
    public Map<String, Object> before;
    public Map<String, Object> after;
    public List<String> changedFields = new ArrayList<>();
    public Version version;
    public Version prevVersion;
    /** Field versions of field-level tables and one-way fields; empty when the table has none. */
    public Map<String, Version> fieldVersions = new LinkedHashMap<>();
    /** For a merge or a review resolution: the versions it replaces. */
    public List<Version> supersedes = new ArrayList<>();
    /**
     * Field-level tables: for a DELETE, the delete its kept row ({@link #before}) is measured against when that is not
     * the change's own {@link #version} (a merge of a delete with a row whose version is greater); null otherwise.
     */
    public Version tombstoneVersion;
    public String origin;
    public String sourceSystem;
    public String transactionId;
    public long sequence;
    public long capturedAt;

    public Decision decision;
    public Version expectedVersion;
    public Map<String, Object> targetRow;
    public Version targetVersion;
    public Resolution resolution;

    /** The row this change leaves behind: {@code after}, or null for a delete. */
    public Map<String, Object> resultingRow() {
        return operation.removesRow() ? null : after;
    }

    /**
     * The tombstone this change leaves: for a delete its {@link #tombstoneVersion}, or its version when that is not
     * set; null for a change that leaves a live row.
     */
    public Version tombstone() {
        if (!operation.removesRow()) {
            return null;
        }
        return tombstoneVersion != null ? tombstoneVersion : version;
    }

    /**
     * A human-readable identity for logs and error messages: table, key column names and version, never a value (the
     * record itself carries the key).
     */
    public String describe() {
        return table + keyColumns(key) + " v" + version + " from " + origin;
    }

    /** The names of a key's columns, as {@code (a, b)}: what logs may say of a key, never its values. */
    public static String keyColumns(Map<String, ?> key) {
        return key == null ? "(no key)" : "(" + String.join(", ", key.keySet()) + ")";
    }

    public ChangeRecord copy() {
        ChangeRecord c = new ChangeRecord();
        c.table = table;
        c.operation = operation;
        c.key = new LinkedHashMap<>(key);
        c.before = before == null ? null : new LinkedHashMap<>(before);
        c.after = after == null ? null : new LinkedHashMap<>(after);
        c.changedFields = new ArrayList<>(changedFields);
        c.version = version;
        c.prevVersion = prevVersion;
        c.fieldVersions = new LinkedHashMap<>(fieldVersions);
        c.supersedes = new ArrayList<>(supersedes);
        c.tombstoneVersion = tombstoneVersion;
        c.origin = origin;
        c.sourceSystem = sourceSystem;
        c.transactionId = transactionId;
        c.sequence = sequence;
        c.capturedAt = capturedAt;
        c.decision = decision;
        c.expectedVersion = expectedVersion;
        c.targetRow = targetRow == null ? null : new LinkedHashMap<>(targetRow);
        c.targetVersion = targetVersion;
        c.resolution = resolution;
        return c;
    }
}
