/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

/** The database does not have what the topology describes; the message says what and where. */
public class SchemaMismatchException extends IllegalStateException {
    public SchemaMismatchException(String message) {
        super(message);
    }
}
