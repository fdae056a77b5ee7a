/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.junit.jupiter.api.Test;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same key inserted on both sides before any sync (PostgreSQL <-> MariaDB): both end identical. */
class ConflictInsertTest {

    @Test
    void theSameKeyInsertedOnBothSidesConcurrentlyEndsIdenticalWithTheLaterInsert() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("insert_lww").strategy("LAST_WRITE_WINS").start()) {
            insert(pair.pg, 1, "pg first", "a@pg.example", "1", "1.00");
            insert(pair.maria, 2, "maria first", "b@maria.example", "2", "2.00");
            pair.later();
            insert(pair.maria, 1, "maria later", "a@maria.example", "11", "11.00");
            insert(pair.pg, 2, "pg later", "b@pg.example", "22", "22.00");
            pair.sync();
            assertEquals(2, pair.assertIdentical().size());
            pair.assertRowOnBothSides(1, "1|maria later|a@maria.example|11|11.00");
            pair.assertRowOnBothSides(2, "2|pg later|b@pg.example|22|22.00");
        }
    }

    @Test
    void theSameKeyInsertedOnBothSidesUnderSystemPriorityKeepsTheHigherSystemsRow() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("insert_priority").strategy("SYSTEM_PRIORITY").start()) {
            insert(pair.maria, 1, "maria first", "a@maria.example", "11", "11.00");
            pair.later();
            insert(pair.pg, 1, "pg later", "a@pg.example", "1", "1.00");
            pair.sync();
            assertEquals(1, pair.assertIdentical().size());
            pair.assertRowOnBothSides(1, "1|maria first|a@maria.example|11|11.00");
        }
    }

    @Test
    void theSameKeyInsertedOnBothSidesUnderFieldNewestMergesPerField() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("insert_fields").strategy("FIELD_NEWEST").start()) {
            insert(pair.pg, 1, "pg first", "a@pg.example", "1", "1.00");
            pair.later();
            insert(pair.maria, 1, "maria later", "a@maria.example", "11", "11.00");
            pair.sync();
            assertEquals(1, pair.assertIdentical().size());
            // every field of the later insert is newer
            pair.assertRowOnBothSides(1, "1|maria later|a@maria.example|11|11.00");
        }
    }
}
