/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.version.Version;

/** A target's version row as read under lock. */
record TargetVersion(Version version, boolean deleted, String fieldVersions) {
}
