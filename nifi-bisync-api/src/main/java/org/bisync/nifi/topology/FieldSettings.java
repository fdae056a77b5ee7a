/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import java.util.Map;

/**
 * Settings of one field of a synced table.
 *
 * @param owner the system that owns the field (its bias applies under {@link Strategy#FIELD_OWNER}; a one-way field
 *              flows only from it); null when none
 * @param oneWay true for a read-only (managed) field: only the owner's edits travel, with a field version of its own
 * @param names  the field's column name per system, where it differs from the canonical name
 */
public record FieldSettings(String owner, boolean oneWay, Map<String, String> names) {

    public FieldSettings {
        names = names == null ? Map.of() : Map.copyOf(names);
        if (oneWay && owner == null) {
            throw new IllegalArgumentException("A one-way field needs an owner system");
        }
    }

    public static FieldSettings none() {
        return new FieldSettings(null, false, Map.of());
    }
}
