/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.systemtest.SyncRun.Direction;
import org.bisync.nifi.systemtest.SyncRun.SystemDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * templates/two-way-postgresql-mariadb.json in a real NiFi: writers on both sides edit the same keys at once while a
 * user trigger on each side bumps touch_count (excluded from the sync) on every update; the flow ends quiet with both
 * tables identical, every change accounted for, no ERROR bulletin and no FlowFile left.
 */
@ExtendWith(SystemTestNifi.class)
class TwoWayTemplateIT {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void concurrentWritersOnBothSidesWithUserTriggersEndIdentical(NifiServer nifi) throws Exception {
        SystemDb pg = SystemDb.postgresql("st_two_way");
        SystemDb maria = SystemDb.mariadb("st_two_way");
        List<Direction> directions = List.of(new Direction(pg, maria), new Direction(maria, pg));
        try (SyncRun run = SyncRun.start(nifi, "two-way-postgresql-mariadb.json", "two-way", List.of(pg, maria), directions, Map.of())) {
            SampleTable.installTouchTrigger(pg.dataSource());
            SampleTable.installTouchTrigger(maria.dataSource());
            run.write(List.of(pg, maria), 2, 400, 300, 10, 12);
            run.awaitQuiet(List.of(pg, maria), queue -> false);

            List<String> rows = run.assertIdentical();
            assertFalse(rows.isEmpty());
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
            run.assertEveryChangeAccountedFor(Map.of());
            // the user trigger's column is not synced: it adds no change of its own
            assertEquals(run.writes(pg), run.counter("Capture PostgreSQL", "Changes captured"));
            assertEquals(run.writes(maria), run.counter("Capture MariaDB", "Changes captured"));
            assertTrue(SampleTable.touches(pg.dataSource()) > 0 && SampleTable.touches(maria.dataSource()) > 0,
                    "the user triggers fired");
            run.assertProvenance();

            // values set to NULL travel as NULL, not as "left as it is" (a null the writer left out of the JSON)
            long nulled = update(pg, "UPDATE customer SET email = NULL, balance = NULL WHERE id IN "
                    + "(SELECT id FROM customer WHERE email IS NOT NULL ORDER BY id LIMIT 3)")
                    + update(maria, "UPDATE customer SET email = NULL WHERE email IS NOT NULL ORDER BY id DESC LIMIT 3");
            assertEquals(6, nulled);
            run.awaitQuiet(List.of(pg, maria), queue -> false);
            run.assertIdentical();
            run.assertNoFlowFileQueued();
            run.screenshot("two-way-postgresql-mariadb", 1000);
        }
    }

    private static long update(SystemDb system, String update) throws SQLException {
        try (Connection connection = system.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            return statement.executeUpdate(update);
        }
    }
}
