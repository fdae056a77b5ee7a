/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

/**
 * A system lacks what nifi-bisync installs (the bisync tables, or a synced table's version table), so nothing can be
 * decided or applied there until it is installed. Not a problem of the change records: processors keep them queued
 * (penalized) and say what to do, and carry on by themselves once the installation is there.
 */
public class NotInstalledException extends IllegalStateException {
    public NotInstalledException(String message) {
        super(message);
    }
}
