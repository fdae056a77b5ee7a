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
            // the hub captures its own users' changes and forwards what it applied from each spoke
            assertEquals(run.writes(hub) + run.counter("Apply into PostgreSQL (MariaDB -> PostgreSQL)", "Changes applied")
                            + run.counter("Apply into PostgreSQL (SQLite -> PostgreSQL)", "Changes applied"),
                    run.counter("Capture PostgreSQL", "Changes captured"));
            run.assertProvenance();
        }
    }
}
