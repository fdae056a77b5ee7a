/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

/**
 * Classifies an incoming change against the target's current version. Every comparison uses the whole version
 * (number and origin, ranked by {@link VersionOrder}), never the number alone.
 */
public final class ConflictDetector {

    private final VersionOrder order;

    public ConflictDetector(VersionOrder order) {
        this.order = order;
    }

    /**
     * @param change the incoming change
     * @param target the target's version for the change's key, or null when it has none
     */
    public Relation classify(ChangeRecord change, Version target) {
        if (target != null && target.equals(change.version)) {
            return Relation.DUPLICATE;
        }
        if (target == null ? change.prevVersion == null
                : target.equals(change.prevVersion) || change.supersedes.contains(target)) {
            return Relation.FAST_FORWARD;
        }
        if (target == null) {
            return Relation.CONFLICT_WITHOUT_HISTORY;
        }
        if (target.origin().equals(change.version.origin()) && order.isGreater(target, change.version)) {
            return Relation.OLDER_FROM_SAME_ORIGIN;
        }
        return Relation.CONFLICT;
    }
}
