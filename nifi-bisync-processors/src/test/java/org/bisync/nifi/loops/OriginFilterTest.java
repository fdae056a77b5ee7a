/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.loops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginFilterTest {

    @Test
    void changeMadeAtTheTargetIsALoop() {
        OriginFilter filter = new OriginFilter("crm");
        assertTrue(filter.isLoop("crm"));
    }

    @Test
    void changeMadeElsewhereTravels() {
        OriginFilter filter = new OriginFilter("crm");
        assertFalse(filter.isLoop("erp"));
        assertFalse(filter.isLoop("CRM"), "system ids are compared exactly");
        assertFalse(filter.isLoop(null));
    }
}
