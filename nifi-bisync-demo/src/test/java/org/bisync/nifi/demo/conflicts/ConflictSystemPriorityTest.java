/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.bisync.nifi.topology.SyncSystem;
import org.junit.jupiter.api.Test;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.setClockCorrection;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * SYSTEM_PRIORITY on PostgreSQL (priority 1) <-> MariaDB (priority 2): in a real conflict MariaDB's value wins on both
 * sides whatever the order of the edits, also when both versions carry the same number (crafted with clock corrections
 * far below the row's version, so both triggers fall back to "current + 1"); a PostgreSQL edit made after it received
 * MariaDB's value ranks above what it overwrote and wins on both sides.
 */
class ConflictSystemPriorityTest {

    @Test
    void theHigherSystemWinsConcurrentEditsButALaterEditAtTheLowerSystemWins() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("priority").strategy("SYSTEM_PRIORITY").start()) {
            for (long id = 1; id <= 3; id++) {
                insert(pair.pg, id, "name" + id, "u" + id + "@example.com", "555-000" + id, id + ".00");
            }
            pair.sync();
            pair.assertIdentical();

            // row 1: MariaDB first, PostgreSQL later in real time; row 2: PostgreSQL first, MariaDB later
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 1", "one by MariaDB");
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 2", "two by PostgreSQL");
            pair.later();
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 1", "one by PostgreSQL (later)");
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 2", "two by MariaDB (later)");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|one by MariaDB|u1@example.com|555-0001|1.00");
            pair.assertRowOnBothSides(2, "2|two by MariaDB (later)|u2@example.com|555-0002|2.00");

            // PostgreSQL's user saw MariaDB's value of row 1 and edits it: ranks above what it overwrote, wins everywhere
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 1", "one by PostgreSQL after seeing MariaDB's");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|one by PostgreSQL after seeing MariaDB's|u1@example.com|555-0001|1.00");
            assertEquals(version(pair.pg, 1), version(pair.maria, 1));
        }
    }

    @Test
    void withEqualVersionNumbersThePriorityRankDecidesTheSameWayOnBothSides() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("priority_tie").strategy("SYSTEM_PRIORITY").start()) {
            insert(pair.pg, 3, "three", "u3@example.com", "555-0003", "3.00");
            pair.sync();
            pair.assertIdentical();
            String synced = version(pair.pg, 3);
            assertEquals(synced, version(pair.maria, 3));

            // both clocks far behind the row's version: both triggers give "current + 1", the same number
            long farBehind = -3 * SyncSystem.PRIORITY_STEP_MICROS;
            setClockCorrection(pair.pg, farBehind);
            setClockCorrection(pair.maria, farBehind);
            // MariaDB's triggers keep the correction up to a second per session: each update below opens a session of its own
            update(pair.pg, "UPDATE contact SET email = ? WHERE id = 3", "pg@tie.example");
            update(pair.maria, "UPDATE contact SET email = ? WHERE id = 3", "maria@tie.example");
            String pgVersion = version(pair.pg, 3);
            String mariaVersion = version(pair.maria, 3);
            long syncedNumber = Long.parseLong(synced.substring(0, synced.indexOf('@')));
            assertEquals((syncedNumber + 1) + "@postgresql", pgVersion, "PostgreSQL's edit got current + 1");
            assertEquals((syncedNumber + 1) + "@mariadb", mariaVersion, "MariaDB's edit got the same number");

            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(3, "3|three|maria@tie.example|555-0003|3.00");
            assertEquals(mariaVersion, version(pair.pg, 3), "PostgreSQL holds MariaDB's version");
            assertEquals(mariaVersion, version(pair.maria, 3));

            // and the lower system's edit after it saw the winner still wins (current + 1 again)
            update(pair.pg, "UPDATE contact SET email = ? WHERE id = 3", "pg@after.example");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(3, "3|three|pg@after.example|555-0003|3.00");
            assertNotEquals(mariaVersion, version(pair.maria, 3));
        }
    }
}
