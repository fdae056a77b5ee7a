/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import org.bisync.nifi.systemtest.SyncRun.Direction;
import org.bisync.nifi.systemtest.SyncRun.SystemDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * templates/hub-and-spoke-three-systems.json in a real NiFi: writers on the PostgreSQL hub and on both spokes
 * (MariaDB, SQLite) edit the same keys at once; every system ends identical, the hub forwards each spoke's changes to
 * the other spoke, and the hub's pool serves every processor without an ERROR bulletin.
 */
@ExtendWith(SystemTestNifi.class)
class HubAndSpokeTemplateIT {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void concurrentWritersOnHubAndSpokesEndIdentical(NifiServer nifi) throws Exception {
        SystemDb hub = SystemDb.postgresql("st_hub");
        SystemDb maria = SystemDb.mariadb("st_hub");
        SystemDb sqlite = SystemDb.sqlite("st_hub");
        List<Direction> directions = List.of(new Direction(hub, maria), new Direction(maria, hub),
                new Direction(hub, sqlite), new Direction(sqlite, hub));
        try (SyncRun run = SyncRun.start(nifi, "hub-and-spoke-three-systems.json", "hub-and-spoke", List.of(hub, maria, sqlite),
                directions, Map.of())) {
            run.write(List.of(hub, maria, sqlite), 2, 300, 300, 12, 33);
            run.awaitQuiet(List.of(hub, maria, sqlite), queue -> false);

            assertFalse(run.assertIdentical().isEmpty());
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
            run.assertEveryChangeAccountedFor(Map.of());
            assertEquals(run.writes(maria), run.counter("Capture MariaDB", "Changes captured"));
            assertEquals(run.writes(sqlite), run.counter("Capture SQLite", "Changes captured"));
            // the hub captures its own users' changes and the spokes' changes its applier forwards; a forwarded change
            // is dropped as a loop on its way back to its own spoke, and only there
            long forwardedFromMaria = run.counter(directions.get(0).loops(), "Loops prevented");
            long forwardedFromSqlite = run.counter(directions.get(2).loops(), "Loops prevented");
            assertEquals(run.writes(hub) + forwardedFromMaria + forwardedFromSqlite, run.counter("Capture PostgreSQL", "Changes captured"));
            assertTrue(forwardedFromMaria > 0 && forwardedFromMaria <= run.counter(directions.get(1).apply(), "Changes applied"));
            assertTrue(forwardedFromSqlite > 0 && forwardedFromSqlite <= run.counter(directions.get(3).apply(), "Changes applied"));
            run.assertProvenance();
            run.screenshot("hub-and-spoke-three-systems", 1500);
        }
    }
}
