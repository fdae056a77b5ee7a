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

/**
 * templates/one-way-postgresql-to-mariadb.json in a real NiFi: MariaDB gets nifi-bisync from the template's
 * ManageSyncTriggers (no capture runs there), concurrent PostgreSQL writers' changes all arrive in MariaDB.
 */
@ExtendWith(SystemTestNifi.class)
class OneWayTemplateIT {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void concurrentPostgresqlWritersArriveInMariadb(NifiServer nifi) throws Exception {
        SystemDb pg = SystemDb.postgresql("st_one_way");
        SystemDb maria = SystemDb.mariadb("st_one_way");
        try (SyncRun run = SyncRun.start(nifi, "one-way-postgresql-to-mariadb.json", "one-way", List.of(pg, maria),
                List.of(new Direction(pg, maria)), Map.of())) {
            run.write(List.of(pg), 3, 500, 300, 12, 21);
            run.awaitQuiet(List.of(pg), queue -> false);

            assertFalse(run.assertIdentical().isEmpty());
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
            run.assertEveryChangeAccountedFor(Map.of());
            assertEquals(run.writes(pg), run.counter("Capture PostgreSQL", "Changes captured"));
            run.assertProvenance();
            run.screenshot("one-way-postgresql-to-mariadb", 1000);
        }
    }
}
