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
