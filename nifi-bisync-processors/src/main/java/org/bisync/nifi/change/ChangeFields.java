/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

/** Names of the change record's top-level fields: the contract between processors (DESIGN.md section 3). */
public final class ChangeFields {
    public static final String TABLE = "table";
    public static final String OPERATION = "operation";
    public static final String KEY = "key";
    public static final String BEFORE = "before";
    public static final String AFTER = "after";
    public static final String CHANGED_FIELDS = "changed_fields";
    public static final String VERSION = "version";
    public static final String VERSION_ORIGIN = "version_origin";
    public static final String PREV_VERSION = "prev_version";
    public static final String PREV_VERSION_ORIGIN = "prev_version_origin";
    public static final String FIELD_VERSIONS = "field_versions";
    public static final String SUPERSEDES = "supersedes";
    public static final String TOMBSTONE_VERSION = "tombstone_version";
    public static final String TOMBSTONE_VERSION_ORIGIN = "tombstone_version_origin";
    public static final String ORIGIN = "origin";
    public static final String SOURCE_SYSTEM = "source_system";
    public static final String TRANSACTION_ID = "transaction_id";
    public static final String SEQUENCE = "sequence";
    public static final String CAPTURED_AT = "captured_at";
    public static final String DECISION = "decision";
    public static final String EXPECTED_VERSION = "expected_version";
    public static final String EXPECTED_VERSION_ORIGIN = "expected_version_origin";
    public static final String TARGET_ROW = "target_row";
    public static final String TARGET_VERSION = "target_version";
    public static final String TARGET_VERSION_ORIGIN = "target_version_origin";
    public static final String RESOLUTION = "resolution";
    /** Set by a processor that routes a record to failure: why. */
    public static final String ERROR = "error";

    /** Fields of the nested version records in {@link #FIELD_VERSIONS} and {@link #SUPERSEDES}. */
    public static final String V_NUMBER = "version";
    public static final String V_ORIGIN = "version_origin";

    private ChangeFields() {
    }
}
