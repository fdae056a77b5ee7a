/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The outcomes of an apply, one per change record, in input order. */
public record ApplyResult(List<ApplyOutcome> outcomes) {

    public ApplyResult {
        outcomes = List.copyOf(outcomes);
    }

    public List<ApplyOutcome> with(ApplyStatus status) {
        return outcomes.stream().filter(o -> o.status() == status).toList();
    }

    public int count(ApplyStatus status) {
        return (int) outcomes.stream().filter(o -> o.status() == status).count();
    }

    public Map<ApplyStatus, Integer> counts() {
        Map<ApplyStatus, Integer> counts = new EnumMap<>(ApplyStatus.class);
        for (ApplyStatus status : ApplyStatus.values()) {
            counts.put(status, count(status));
        }
        return counts;
    }

    @Override
    public String toString() {
        return counts().toString();
    }
}
