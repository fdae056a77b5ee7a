/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bisync.nifi.schema.SyncedTable;

import java.util.Map;

/**
 * The field versions the initial load stamps on a row without a version row (the dialects' stampMissingVersions).
 * Where every field's initial version is the row's ({@link BisyncTables#STAMP_FLOOR} plus the system's bias), none are
 * stored: a stamped row has every field at its row version. Under FIELD_OWNER a system's owned fields carry the owner's
 * bias, so each field of a row that differs when the sync starts goes to its owner; those versions are stored, so that
 * the triggers rank a later delete above them.
 */
public final class InitialStamp {

    private InitialStamp() {
    }

    /** The field_versions text to stamp (local column to [number, system]), or null when the row version covers every field. */
    public static String fieldVersionsJson(SyncedTable table) {
        if (table.fieldBiases().values().stream().allMatch(bias -> bias == table.bias())) {
            return null;
        }
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Long> field : table.fieldBiases().entrySet()) {
            json.putArray(field.getKey()).add(BisyncTables.STAMP_FLOOR + field.getValue()).add(table.systemId());
        }
        return json.toString();
    }
}
