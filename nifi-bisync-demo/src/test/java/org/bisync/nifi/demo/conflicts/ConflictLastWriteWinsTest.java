/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DBSync scenario on PostgreSQL <-> MariaDB through the real processors (LAST_WRITE_WINS): rows 6 and 7 are edited
 * on both sides in opposite orders before any sync; afterwards both tables are identical and hold the latest edit of
 * each row.
 */
class ConflictLastWriteWinsTest {

    @Test
    void rowsEditedOnBothSidesInOppositeOrdersEndIdenticalWithTheLatestEditOfEachRow() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("lww_dbsync").strategy("LAST_WRITE_WINS").start()) {
            for (long id = 1; id <= 10; id++) {
                insert(pair.pg, id, "name" + id, "user" + id + "@example.com", "555-000" + id, id + ".00");
            }
            pair.sync();
            assertEquals(10, pair.assertIdentical().size(), "the ten rows reached MariaDB");

            // row 6: first on A (PostgreSQL), then on B (MariaDB); row 7: first on B, then on A; no sync in between
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 6", "six edited on PostgreSQL");
            pair.later();
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 7", "seven edited on MariaDB");
            pair.later();
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 6", "six edited on MariaDB");
            pair.later();
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 7", "seven edited on PostgreSQL");

            pair.sync();
            List<String> rows = pair.assertIdentical();
            assertEquals(10, rows.size());
            pair.assertRowOnBothSides(6, "6|six edited on MariaDB|user6@example.com|555-0006|6.00");
            pair.assertRowOnBothSides(7, "7|seven edited on PostgreSQL|user7@example.com|555-0007|7.00");
            pair.assertRowOnBothSides(5, "5|name5|user5@example.com|555-0005|5.00");
            assertEquals(TwoWayPair.version(pair.pg, 6), TwoWayPair.version(pair.maria, 6), "row 6 has the same version on both sides");
            assertEquals(TwoWayPair.version(pair.pg, 7), TwoWayPair.version(pair.maria, 7), "row 7 has the same version on both sides");
            assertTrue(TwoWayPair.version(pair.pg, 6).endsWith("@mariadb"), TwoWayPair.version(pair.pg, 6));
            assertTrue(TwoWayPair.version(pair.pg, 7).endsWith("@postgresql"), TwoWayPair.version(pair.pg, 7));
            // each side saw both conflicts: the incoming change won one and lost the other
            assertEquals(2, pair.harness.counter("ResolveConflicts", "Conflicts won"), "the later edits won");
            assertEquals(2, pair.harness.counter("ResolveConflicts", "Conflicts lost"), "the earlier edits lost");
        }
    }
}
