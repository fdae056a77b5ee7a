/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;

/** A change waiting to be applied. */
final class PendingChange {
    final int index;
    final ChangeRecord change;
    String keyId;
    boolean standardized;

    PendingChange(int index, ChangeRecord change) {
        this.index = index;
        this.change = change;
    }
}
