/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import java.util.regex.Pattern;

/** Database and file names accepted by {@link EmbeddedDatabases}: they go into SQL and paths unquoted-safe. */
final class DatabaseNames {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_]{1,63}");

    private DatabaseNames() {
    }

    static String requireSafe(final String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Database name must match " + SAFE_NAME.pattern() + ": " + name);
        }
        return name;
    }
}
