/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import java.util.Map;

/**
 * A key whose rows differ between systems, with what each system holds.
 *
 * @param table the canonical table name
 * @param key   the key by canonical field
 * @param sides per system id, what it holds
 */
public record KeyComparison(String table, Map<String, Object> key, Map<String, SideState> sides) {
}
