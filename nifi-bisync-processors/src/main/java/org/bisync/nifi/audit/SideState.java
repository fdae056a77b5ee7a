/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.version.Version;

import java.util.Map;

/**
 * What one system holds for an audited key.
 *
 * @param row           the row by canonical field, or null when the system has none
 * @param rowHash       the hash of the row's canonical text, or null when there is no row
 * @param version       the key's version in the system's version table, or null when it has none
 * @param tombstone     whether that version row is a tombstone
 * @param fieldVersions field versions (field-level tables)
 */
public record SideState(Map<String, Object> row, String rowHash, Version version, boolean tombstone, Map<String, Version> fieldVersions) {

    public boolean present() {
        return row != null;
    }

    /** Whether both hold the same row, or both none. */
    public boolean sameContent(SideState other) {
        return java.util.Objects.equals(rowHash, other.rowHash);
    }
}
