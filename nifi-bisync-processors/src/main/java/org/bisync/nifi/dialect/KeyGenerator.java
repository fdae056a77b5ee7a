/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.math.BigInteger;

/**
 * How one system hands out the values of a generated key column, as its database says (DESIGN.md section 7): the values
 * {@code origin + k * increment} (for whole k) that lie in the block {@code [min, max]}. Read by
 * {@link ApplyDialect#keyGenerator}; two-way sync on a generated key needs the generators of all systems to be disjoint.
 *
 * @param description  what was found, for messages, such as {@code PostgreSQL sequence increment 2 start 1 block [1, 2147483647]}
 * @param increment    the step between generated values; 0 when the system has no generator nifi-bisync can describe
 *                     (SQLite's rowid, a key the application fills)
 * @param origin       a value of the series (a sequence's start, MariaDB's auto_increment_offset): fixes the residue
 * @param min          the smallest value the generator hands out
 * @param max          the greatest value the generator hands out
 * @param residueHolds whether every generated value is {@code origin} modulo {@code increment} (false for a sequence
 *                     that was restarted off its start's residue, or cycles onto another one)
 */
public record KeyGenerator(String description, long increment, long origin, long min, long max, boolean residueHolds) {

    /** A key whose values follow no increment/offset or block that nifi-bisync can read. */
    public static KeyGenerator none(String description) {
        return new KeyGenerator(description, 0, 0, Long.MIN_VALUE, Long.MAX_VALUE, false);
    }

    /** Whether the system has a generator with an increment, a residue and a block. */
    public boolean usable() {
        return increment != 0;
    }

    /** Whether this generator could hand out {@code value} (same residue, inside the block). */
    public boolean produces(long value) {
        return usable() && value >= min && value <= max && (!residueHolds || inResidue(value));
    }

    private boolean inResidue(long value) {
        return BigInteger.valueOf(value).subtract(BigInteger.valueOf(origin)).mod(BigInteger.valueOf(increment).abs()).signum() == 0;
    }
}
