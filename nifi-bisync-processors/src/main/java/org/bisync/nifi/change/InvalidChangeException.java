/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

/** A change record that cannot be used as it is; the message names the field and what is wrong. */
public class InvalidChangeException extends RuntimeException {

    private final String field;

    public InvalidChangeException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, dotted for nested fields (for example {@code after.email}). */
    public String field() {
        return field;
    }
}
