/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.util.List;

/**
 * One foreign-key constraint as the database reports it, by local names.
 *
 * @param name           the constraint's name (may be null where the engine has none, SQLite)
 * @param childTable     the referencing table
 * @param childColumns   its referencing columns, in key order
 * @param parentTable    the referenced table
 * @param parentColumns  the referenced columns, in the same order
 * @param restrictsDelete whether deleting a referenced parent row fails while a child references it (RESTRICT or NO
 *                       ACTION), as opposed to CASCADE, SET NULL or SET DEFAULT
 */
public record ForeignKey(String name, String childTable, List<String> childColumns, String parentTable, List<String> parentColumns,
                         boolean restrictsDelete) {

    public ForeignKey {
        childColumns = List.copyOf(childColumns);
        parentColumns = List.copyOf(parentColumns);
    }

    @Override
    public String toString() {
        return childTable + childColumns + " -> " + parentTable + parentColumns;
    }
}
