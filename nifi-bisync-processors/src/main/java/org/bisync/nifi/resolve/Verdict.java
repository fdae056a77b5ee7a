/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

/**
 * The result of resolving one change.
 *
 * @param outcome  what was decided
 * @param relation how the change related to the target's version
 * @param nearTie  a conflict between versions closer than the near-tie tolerance (decided normally, only flagged)
 * @param reason   a sentence for logs and provenance
 */
public record Verdict(Outcome outcome, Relation relation, boolean nearTie, String reason) {
}
