package org.bisync.nifi.apply;

import org.bisync.nifi.version.Version;

/** A target's version row as read under lock. */
record TargetVersion(Version version, boolean deleted, String fieldVersions) {
}
