package org.bisync.nifi.change;

/** A reviewer's choice on a held conflict. */
public enum Resolution {
    TAKE_INCOMING, KEEP_TARGET, USE_AFTER
}
