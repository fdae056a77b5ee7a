/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

/** Whether a table's changes flow both ways or only from its source system. */
public enum Direction {
    TWO_WAY,
    ONE_WAY
}
