/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

/** A history row that cannot be turned into a change; the message names the row id, table and column. */
public class HistoryFormatException extends RuntimeException {

    private final HistoryRow row;

    public HistoryFormatException(HistoryRow row, String problem) {
        super("History row " + row.id() + " of table '" + row.tableName() + "': " + problem);
        this.row = row;
    }

    public HistoryRow row() {
        return row;
    }
}
