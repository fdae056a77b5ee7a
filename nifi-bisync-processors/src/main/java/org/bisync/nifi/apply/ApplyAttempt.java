/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Outcomes and warnings of one transaction, kept only if it commits. */
final class ApplyAttempt {
    final Map<Integer, ApplyOutcome> outcomes = new HashMap<>();
    final List<String> warnings = new ArrayList<>();
}
