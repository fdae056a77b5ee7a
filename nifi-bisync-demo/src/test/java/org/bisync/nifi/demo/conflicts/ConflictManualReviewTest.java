/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.apache.nifi.serialization.record.Record;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.MARIA_TO_PG;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.PG_TO_MARIA;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.row;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * MANUAL on PostgreSQL <-> MariaDB, following the review steps of ResolveConflicts' additional details: concurrent
 * edits of rows 1-3 land on the conflict queue of both directions with {@code target_row} and both versions while rows 4
 * and 5 of the same batches sync; a reviewer sets {@code resolution} on the records of one side (TAKE_INCOMING on 1,
 * KEEP_TARGET on 2, USE_AFTER with an edited {@code after} on 3) and routes them back into that side's
 * ResolveConflicts; both sides end identical with the chosen rows, and the mirrored copies on the other side's
 * conflict queue are removed as STALE when replayed.
 */
class ConflictManualReviewTest {

    private static long id(Record record) {
        return ((Number) ((Record) record.getValue("key")).getValue("id")).longValue();
    }

    private static List<Record> byId(List<Record> records) {
        return records.stream().sorted(Comparator.comparingLong(ConflictManualReviewTest::id)).toList();
    }

    @Test
    void conflictsAreHeldOnBothSidesAndTheReviewersChoiceEndsIdenticalOnBothSides() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("manual").strategy("MANUAL").start()) {
            for (long id = 1; id <= 5; id++) {
                insert(pair.pg, id, "name" + id, "u" + id + "@example.com", "555-000" + id, id + ".00");
            }
            pair.sync();
            assertEquals(5, pair.assertIdentical().size());

            for (long id = 1; id <= 3; id++) {
                update(pair.pg, "UPDATE contact SET name = ? WHERE id = ?", id + " on postgresql", id);
                update(pair.maria, "UPDATE contact SET name = ? WHERE id = ?", id + " on mariadb", id);
            }
            update(pair.pg, "UPDATE contact SET email = ? WHERE id = 4", "four@pg.example");
            update(pair.maria, "UPDATE contact SET email = ? WHERE id = 5", "five@maria.example");
            pair.sync();

            // the other records of the batches went on
            pair.assertRowOnBothSides(4, "4|name4|four@pg.example|555-0004|4.00");
            pair.assertRowOnBothSides(5, "5|name5|five@maria.example|555-0005|5.00");
            // each side still holds its own edit of rows 1-3
            for (long id = 1; id <= 3; id++) {
                assertEquals(id + "|" + id + " on postgresql|u" + id + "@example.com|555-000" + id + "|" + id + ".00", row(pair.pg, id));
                assertEquals(id + "|" + id + " on mariadb|u" + id + "@example.com|555-000" + id + "|" + id + ".00", row(pair.maria, id));
            }
            // both directions hold their copy, with the target's row and both versions
            List<Record> intoMaria = byId(pair.conflicts(PG_TO_MARIA));
            List<Record> intoPg = byId(pair.conflicts(MARIA_TO_PG));
            assertEquals(List.of(1L, 2L, 3L), intoMaria.stream().map(ConflictManualReviewTest::id).toList());
            assertEquals(List.of(1L, 2L, 3L), intoPg.stream().map(ConflictManualReviewTest::id).toList());
            for (Record record : intoMaria) {
                long id = id(record);
                assertEquals("CONFLICT", record.getAsString("decision"));
                assertEquals(id + " on postgresql", ((Record) record.getValue("after")).getAsString("name"));
                assertEquals(id + " on mariadb", ((Record) record.getValue("target_row")).getAsString("name"));
                assertEquals(version(pair.pg, id), record.getAsLong("version") + "@" + record.getAsString("version_origin"));
                assertEquals(version(pair.maria, id), record.getAsLong("target_version") + "@" + record.getAsString("target_version_origin"));
            }
            for (Record record : intoPg) {
                long id = id(record);
                assertEquals(id + " on mariadb", ((Record) record.getValue("after")).getAsString("name"));
                assertEquals(id + " on postgresql", ((Record) record.getValue("target_row")).getAsString("name"));
                assertEquals(version(pair.pg, id), record.getAsLong("target_version") + "@" + record.getAsString("target_version_origin"));
            }

            // the reviewer works on the PostgreSQL -> MariaDB queue
            intoMaria.get(0).setValue("resolution", "TAKE_INCOMING");
            intoMaria.get(1).setValue("resolution", "KEEP_TARGET");
            intoMaria.get(2).setValue("resolution", "USE_AFTER");
            Record edited = (Record) intoMaria.get(2).getValue("after");
            edited.setValue("name", "3 as reviewed");
            edited.setValue("email", "three@reviewed.example");
            pair.routeBackToResolve(PG_TO_MARIA, intoMaria);
            pair.sync();

            pair.assertIdentical();
            pair.assertRowOnBothSides(1, "1|1 on postgresql|u1@example.com|555-0001|1.00");
            pair.assertRowOnBothSides(2, "2|2 on mariadb|u2@example.com|555-0002|2.00");
            pair.assertRowOnBothSides(3, "3|3 as reviewed|three@reviewed.example|555-0003|3.00");
            for (long id = 1; id <= 3; id++) {
                assertEquals(version(pair.pg, id), version(pair.maria, id), "row " + id + " has the same version on both sides");
            }
            assertEquals(3, pair.conflicts(PG_TO_MARIA).size(), "nothing new was held into MariaDB");
            assertEquals(3, pair.conflicts(MARIA_TO_PG).size(), "nothing new was held into PostgreSQL");

            // the mirrored copies, replayed with any resolution, are STALE: the resolution supersedes them
            long staleBefore = pair.counter("Resolve conflicts " + MARIA_TO_PG, "Changes stale");
            List<Record> mirrored = byId(pair.conflicts(MARIA_TO_PG));
            mirrored.forEach(r -> r.setValue("resolution", "TAKE_INCOMING"));
            List<String> before = pair.assertIdentical();
            pair.routeBackToResolve(MARIA_TO_PG, mirrored);
            pair.sync();
            assertEquals(staleBefore + 3, pair.counter("Resolve conflicts " + MARIA_TO_PG, "Changes stale"),
                    "the three mirrored copies were removed as stale");
            assertEquals(before, pair.assertIdentical(), "replaying the mirrored copies changed nothing");
            assertEquals(3, pair.conflicts(MARIA_TO_PG).size(), "and held nothing again");

            // a later edit of a resolved row syncs normally
            update(pair.maria, "UPDATE contact SET phone = ? WHERE id = 2", "555-2222");
            pair.sync();
            pair.assertRowOnBothSides(2, "2|2 on mariadb|u2@example.com|555-2222|2.00");
        }
    }

    @Test
    void aResolutionAgainstATargetThatMovedOnIsHeldAgainWithTheFreshTargetRow() throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("manual_moved").strategy("MANUAL").start()) {
            insert(pair.pg, 1, "one", "u1@example.com", "555-0001", "1.00");
            pair.sync();
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 1", "one on postgresql");
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 1", "one on mariadb");
            pair.sync();
            List<Record> intoMaria = pair.conflicts(PG_TO_MARIA);
            assertEquals(1, intoMaria.size());
            String reviewedTarget = intoMaria.get(0).getAsLong("target_version") + "@" + intoMaria.get(0).getAsString("target_version_origin");
            String sentByPostgres = intoMaria.get(0).getAsLong("version") + "@" + intoMaria.get(0).getAsString("version_origin");

            // MariaDB's user edits again while the reviewer looks at the old target row
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 1", "one on mariadb again");
            intoMaria.get(0).setValue("resolution", "TAKE_INCOMING");
            pair.routeBackToResolve(PG_TO_MARIA, intoMaria);
            pair.sync();

            // held again into MariaDB with the fresh target row and no resolution; the table keeps MariaDB's new edit
            List<Record> again = pair.conflicts(PG_TO_MARIA).stream()
                    .filter(r -> !reviewedTarget.equals(r.getAsLong("target_version") + "@" + r.getAsString("target_version_origin")))
                    .collect(Collectors.toList());
            assertEquals(1, again.size(), "the resolution came back for review");
            assertEquals("one on mariadb again", ((Record) again.get(0).getValue("target_row")).getAsString("name"));
            assertEquals(null, again.get(0).getValue("resolution"));
            assertNotEquals(reviewedTarget, version(pair.maria, 1));
            assertEquals("1|one on mariadb again|u1@example.com|555-0001|1.00", row(pair.maria, 1));
            assertEquals(sentByPostgres, version(pair.pg, 1), "PostgreSQL keeps its own edit and version");
            assertEquals("1|one on postgresql|u1@example.com|555-0001|1.00", row(pair.pg, 1));
            assertEquals(2, pair.conflicts(MARIA_TO_PG).size(), "PostgreSQL holds both of MariaDB's edits for review");
        }
    }
}
