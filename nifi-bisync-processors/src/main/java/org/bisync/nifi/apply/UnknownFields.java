/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.schema.SyncedTable;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fields of change records that the target table has no column for (a column the source has and the target lacks, or
 * one dropped in the target): apply cannot write them and drops them. Excluded fields are not unknown: they are left
 * out by configuration.
 *
 * @param names  the unknown field names, sorted
 * @param values how many values of them the records carry (in {@code before} and {@code after})
 */
public record UnknownFields(Set<String> names, long values) {

    public UnknownFields {
        names = Set.copyOf(names);
    }

    public static UnknownFields of(SyncedTable table, Iterable<ChangeRecord> changes) {
        Set<String> names = new TreeSet<>();
        long[] values = {0};
        for (ChangeRecord change : changes) {
            for (Map<String, Object> row : java.util.Arrays.asList(change.before, change.after)) {
                if (row == null) {
                    continue;
                }
                for (String field : row.keySet()) {
                    if (table.byCanonical(field).isEmpty() && table.settings().isSynced(field)) {
                        names.add(field);
                        values[0]++;
                    }
                }
            }
        }
        return new UnknownFields(names, values[0]);
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }
}
