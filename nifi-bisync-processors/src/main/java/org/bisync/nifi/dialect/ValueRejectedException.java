/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

/** A value the target column cannot hold without loss; the message names the column and says why. */
public class ValueRejectedException extends IllegalArgumentException {

    private final String column;

    public ValueRejectedException(String column, String message) {
        super(message);
        this.column = column;
    }

    public String column() {
        return column;
    }
}
