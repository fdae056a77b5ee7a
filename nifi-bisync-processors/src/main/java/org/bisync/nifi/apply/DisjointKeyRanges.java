/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.KeyGenerator;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the key generators of the systems sharing a two-way table can never hand out the same value (DESIGN.md
 * section 7): every pair of systems has different residues of their increments (two series {@code a + k*m} and
 * {@code b + j*n} never meet exactly when {@code a - b} is no multiple of {@code gcd(m, n)}; with the same increment
 * above 1 that is "different offsets"), or disjoint blocks ([MINVALUE, MAXVALUE] of PostgreSQL sequences).
 */
public final class DisjointKeyRanges {

    private DisjointKeyRanges() {
    }

    /**
     * The pairs whose ranges can meet, such as {@code A and B (same residue of increment 2)}; empty when every pair is
     * disjoint.
     */
    public static List<String> overlaps(Map<String, KeyGenerator> bySystem) {
        List<String> overlaps = new ArrayList<>();
        List<Map.Entry<String, KeyGenerator>> systems = List.copyOf(bySystem.entrySet());
        for (Map.Entry<String, KeyGenerator> system : systems) {
            if (!system.getValue().usable()) {
                overlaps.add(system.getKey() + " (no increment, offset or block)");
            }
        }
        for (int i = 0; i < systems.size(); i++) {
            for (int j = i + 1; j < systems.size(); j++) {
                KeyGenerator a = systems.get(i).getValue();
                KeyGenerator b = systems.get(j).getValue();
                if (a.usable() && b.usable() && !disjoint(a, b)) {
                    overlaps.add(systems.get(i).getKey() + " and " + systems.get(j).getKey());
                }
            }
        }
        return overlaps;
    }

    /** Whether two generators never hand out the same value. */
    public static boolean disjoint(KeyGenerator a, KeyGenerator b) {
        if (!a.usable() || !b.usable()) {
            return false;
        }
        if (a.max() < b.min() || b.max() < a.min()) {
            return true;
        }
        if (!a.residueHolds() || !b.residueHolds()) {
            return false;
        }
        BigInteger gcd = BigInteger.valueOf(a.increment()).gcd(BigInteger.valueOf(b.increment()));
        return BigInteger.valueOf(a.origin()).subtract(BigInteger.valueOf(b.origin())).mod(gcd).signum() != 0;
    }

    /** What each system has, for messages: {@code A: <description>; B: <description>}. */
    public static String describe(Map<String, KeyGenerator> bySystem) {
        List<String> parts = new ArrayList<>();
        bySystem.forEach((system, generator) -> parts.add(system + ": " + generator.description()));
        return String.join("; ", parts);
    }
}
