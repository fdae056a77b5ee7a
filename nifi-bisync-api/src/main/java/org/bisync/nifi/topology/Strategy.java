/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

/** How a table's conflicts are settled. Every automatic strategy is "greater version wins" with its own biases. */
public enum Strategy {
    /** Bias 0 everywhere: the later edit (by the per-row hybrid clock) wins. */
    LAST_WRITE_WINS(true, false),
    /** Each system's triggers add its priority bias: a real conflict goes to the higher system. */
    SYSTEM_PRIORITY(true, false),
    /** One version per field; a field's owner adds its bias on the fields it owns. Edits of different fields merge. */
    FIELD_OWNER(true, true),
    /** One version per field with bias 0: the newest edit of each field wins, edits of different fields merge. */
    FIELD_NEWEST(true, true),
    /** A detected conflict is held for a person to decide. */
    MANUAL(false, false);

    private final boolean automatic;
    private final boolean fieldLevel;

    Strategy(boolean automatic, boolean fieldLevel) {
        this.automatic = automatic;
        this.fieldLevel = fieldLevel;
    }

    public boolean isAutomatic() {
        return automatic;
    }

    public boolean isFieldLevel() {
        return fieldLevel;
    }
}
