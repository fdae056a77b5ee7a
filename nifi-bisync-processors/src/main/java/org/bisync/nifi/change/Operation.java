/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

/** What happened to a row at its source. A key-changing UPDATE is captured as DELETE plus INSERT. */
public enum Operation {
    INSERT, UPDATE, DELETE, SNAPSHOT;

    public boolean removesRow() {
        return this == DELETE;
    }
}
