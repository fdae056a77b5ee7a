/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.apache.nifi.util.MockFlowFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.MARIA_TO_PG;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delete on one side against a concurrent update on the other, under every automatic strategy, on PostgreSQL
 * (priority 1) <-> MariaDB (priority 2); and an update whose delivery is held back until the delete's tombstone is on
 * both sides ("late"): the row is back on both sides or on neither, never on one side only.
 *
 * <p>Rows (updates change {@code name} only, so FIELD_OWNER, with {@code email} owned by MariaDB, decides them like
 * FIELD_NEWEST):
 * 1 deleted on PostgreSQL, then updated on MariaDB; 2 updated on PostgreSQL, then deleted on MariaDB;
 * 3 deleted on MariaDB, then updated on PostgreSQL; 4 updated on MariaDB, then deleted on PostgreSQL;
 * 5 updated on MariaDB (delivery held back), then deleted on PostgreSQL; delivered after both sides hold the tombstone;
 * 6 deleted on PostgreSQL, then updated on MariaDB (delivery held back); delivered after both sides hold the tombstone.
 * The expected column lists the rows that survive.
 */
class ConflictDeleteTest {

    @ParameterizedTest(name = "{0}: surviving rows {1}")
    @CsvSource({
            "LAST_WRITE_WINS, 1 3 6",
            "FIELD_NEWEST, 1 3 6",
            "FIELD_OWNER, 1 3 6",
            "SYSTEM_PRIORITY, 1 4 5 6",
    })
    void deleteAgainstConcurrentUpdateEndsIdenticalAndALateUpdateResurrectsOnBothSidesOrNeither(String strategy, String survivors)
            throws Exception {
        TwoWayPair.Setup setup = TwoWayPair.setup("delete_" + strategy.toLowerCase()).strategy(strategy);
        if (strategy.equals("FIELD_OWNER")) {
            setup.fields("{\"email\": {\"owner\": \"mariadb\"}}");
        }
        try (TwoWayPair pair = setup.start()) {
            for (long id = 1; id <= 6; id++) {
                insert(pair.pg, id, "name" + id, "u" + id + "@example.com", "555-000" + id, id + ".00");
            }
            pair.sync();
            assertEquals(6, pair.assertIdentical().size());

            update(pair.pg, "DELETE FROM contact WHERE id = 1");
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 2", "2 updated on postgresql");
            update(pair.maria, "DELETE FROM contact WHERE id = 3");
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 4", "4 updated on mariadb");
            pair.later();
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 1", "1 updated on mariadb");
            update(pair.maria, "DELETE FROM contact WHERE id = 2");
            update(pair.pg, "UPDATE contact SET name = ? WHERE id = 3", "3 updated on postgresql");
            update(pair.pg, "DELETE FROM contact WHERE id = 4");
            pair.sync();
            pair.assertIdentical();

            // row 5: MariaDB's update is captured but its delivery held back; PostgreSQL deletes the row later
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 5", "5 updated on mariadb (late)");
            List<MockFlowFile> late5 = pair.captureAndHold(TwoWayPair.CAPTURE_MARIA);
            assertFalse(late5.isEmpty(), "capture emitted row 5's update");
            pair.later();
            update(pair.pg, "DELETE FROM contact WHERE id = 5");
            // row 6: PostgreSQL deletes; MariaDB updates later, and that update's delivery is held back
            update(pair.pg, "DELETE FROM contact WHERE id = 6");
            pair.later();
            update(pair.maria, "UPDATE contact SET name = ? WHERE id = 6", "6 updated on mariadb (late)");
            List<MockFlowFile> late6 = pair.captureAndHold(TwoWayPair.CAPTURE_MARIA);
            assertFalse(late6.isEmpty(), "capture emitted row 6's update");
            pair.sync();
            // the deletes have travelled; row 6's fate at MariaDB is decided already, row 5 is gone on both sides
            assertEquals(null, TwoWayPair.row(pair.pg, 5));
            assertTrue(version(pair.pg, 5).endsWith("deleted"), "PostgreSQL keeps row 5's tombstone: " + version(pair.pg, 5));

            pair.deliverLate(MARIA_TO_PG, late5);
            pair.deliverLate(MARIA_TO_PG, late6);
            pair.sync();
            List<String> rows = pair.assertIdentical();
            assertEquals(survivors, String.join(" ", rows.stream().map(r -> r.substring(0, r.indexOf('|'))).toList()),
                    "surviving rows under " + strategy + ": " + rows);
            for (long id = 1; id <= 6; id++) {
                assertEquals(version(pair.pg, id), version(pair.maria, id), "row " + id + " has the same version on both sides");
            }
            String row1 = TwoWayPair.row(pair.pg, 1);
            if (row1 != null) {
                assertEquals("1|1 updated on mariadb|u1@example.com|555-0001|1.00", row1, "the whole row came back");
            }
            String row6 = TwoWayPair.row(pair.pg, 6);
            assertEquals("6|6 updated on mariadb (late)|u6@example.com|555-0006|6.00", row6, "the later update brought row 6 back");
        }
    }
}
