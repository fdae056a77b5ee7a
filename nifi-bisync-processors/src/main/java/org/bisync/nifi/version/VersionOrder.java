/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.version;

import java.util.Comparator;
import java.util.function.ToIntFunction;

/**
 * The one order every system agrees on: number, then the origin's priority rank, then the origin id.
 * A null version (none yet) sorts below every version.
 */
public final class VersionOrder implements Comparator<Version> {

    private final ToIntFunction<String> rankOfOrigin;

    public VersionOrder(ToIntFunction<String> rankOfOrigin) {
        this.rankOfOrigin = rankOfOrigin;
    }

    @Override
    public int compare(Version a, Version b) {
        if (a == null || b == null) {
            return a == b ? 0 : (a == null ? -1 : 1);
        }
        int byNumber = Long.compare(a.number(), b.number());
        if (byNumber != 0) {
            return byNumber;
        }
        int byRank = Integer.compare(rankOfOrigin.applyAsInt(a.origin()), rankOfOrigin.applyAsInt(b.origin()));
        return byRank != 0 ? byRank : a.origin().compareTo(b.origin());
    }

    public boolean isGreater(Version a, Version b) {
        return compare(a, b) > 0;
    }

    public Version max(Version a, Version b) {
        return compare(a, b) >= 0 ? a : b;
    }
}
