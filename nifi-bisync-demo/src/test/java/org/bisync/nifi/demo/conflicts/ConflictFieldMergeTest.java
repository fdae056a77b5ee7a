/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.junit.jupiter.api.Test;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** FIELD_NEWEST on PostgreSQL <-> MariaDB: concurrent edits of different fields of one row are both kept on both sides. */
class ConflictFieldMergeTest {

    @Test
    void emailEditedOnOneSideAndPhoneOnTheOtherConcurrentlyAreBothKeptOnBothSides() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("field_newest").strategy("FIELD_NEWEST").start()) {
            insert(pair.pg, 1, "Ada", "ada@old.example", "555-0001", "10.00");
            insert(pair.pg, 2, "Bob", "bob@old.example", "555-0002", "20.00");
            pair.sync();
            pair.assertIdentical();

            // both before any sync: email on A, phone on B (row 1); and the other order on row 2
            update(pair.pg, "UPDATE contact SET email = ? WHERE id = 1", "ada@new.example");
            update(pair.maria, "UPDATE contact SET phone = ? WHERE id = 2", "555-2222");
            pair.later();
            update(pair.maria, "UPDATE contact SET phone = ? WHERE id = 1", "555-1111");
            update(pair.pg, "UPDATE contact SET email = ? WHERE id = 2", "bob@new.example");

            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|Ada|ada@new.example|555-1111|10.00");
            pair.assertRowOnBothSides(2, "2|Bob|bob@new.example|555-2222|20.00");
            assertEquals(4, pair.harness.counter("ResolveConflicts", "Changes merged"), "each row's concurrent edit merged in both directions");

            // a later edit of a merged row still travels (the merged versions are in step on both sides)
            update(pair.maria, "UPDATE contact SET email = ? WHERE id = 1", "ada@newer.example");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|Ada|ada@newer.example|555-1111|10.00");
        }
    }

    @Test
    void theSameFieldEditedOnBothSidesKeepsTheNewestEditAndTheOtherFieldsMerge() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("field_newest_same").strategy("FIELD_NEWEST").start()) {
            insert(pair.maria, 1, "Cy", "cy@old.example", "555-0003", "30.00");
            pair.sync();
            update(pair.maria, "UPDATE contact SET email = ?, balance = ? WHERE id = 1", "cy@maria.example", 31);
            pair.later();
            update(pair.pg, "UPDATE contact SET email = ?, phone = ? WHERE id = 1", "cy@pg.example", "555-3333");
            pair.sync();
            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|Cy|cy@pg.example|555-3333|31.00");
        }
    }
}
