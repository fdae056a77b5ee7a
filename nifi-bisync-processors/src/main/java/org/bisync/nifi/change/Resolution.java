/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

/** A reviewer's choice on a held conflict. */
public enum Resolution {
    TAKE_INCOMING, KEEP_TARGET, USE_AFTER
}
