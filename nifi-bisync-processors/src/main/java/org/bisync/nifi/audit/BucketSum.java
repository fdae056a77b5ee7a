/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import java.math.BigInteger;

/** A bucket of rows as one system holds it: how many rows, and the sum of their row-hash numbers. */
public record BucketSum(long count, BigInteger hashSum) {

    public static final BucketSum EMPTY = new BucketSum(0, BigInteger.ZERO);

    BucketSum plus(long rowHashNumber) {
        return new BucketSum(count + 1, hashSum.add(BigInteger.valueOf(rowHashNumber)));
    }
}
