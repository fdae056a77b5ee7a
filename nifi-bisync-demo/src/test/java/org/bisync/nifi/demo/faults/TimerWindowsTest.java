/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NiFi-side windows pass on the harness's clock, not in real time: a key parked by PreventLoops for an hour is released
 * within a few rounds, so the test takes as long on a machine twice as slow, in the same number of rounds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TimerWindowsTest {

    @Test
    void aKeyParkedForAnHourIsReleasedAfterAFewRoundsAsItsGreatestVersion() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("clock_parked");
        DataSource maria = EmbeddedDatabases.mariadb("clock_parked");
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> b
                .processorProperty(TwoWayFaults.PREVENT_INTO_MARIA, "Max Updates Per Key", "2")
                .processorProperty(TwoWayFaults.PREVENT_INTO_MARIA, "Runaway Window", "1 hour"))) {
            SampleTable.execute(pg, "INSERT INTO customer (id, name) VALUES (1, 'v0')");
            for (int v = 1; v <= 5; v++) {
                SampleTable.execute(pg, "UPDATE customer SET name = 'v" + v + "' WHERE id = 1");
            }
            int before = harness.rounds();
            TwoWayFaults.settle(harness, 50);

            assertEquals(1, harness.processorCounter(TwoWayFaults.PREVENT_INTO_MARIA, "Runaway keys parked"), "the key was parked");
            assertTrue(harness.processorCounter(TwoWayFaults.PREVENT_INTO_MARIA, "Parked changes released") > 0,
                    "and released when its hour had passed on the harness's clock");
            List<String> rows = SampleTable.rows(maria);
            assertEquals(SampleTable.rows(pg), rows, "MariaDB holds what PostgreSQL holds");
            assertTrue(rows.size() == 1 && rows.get(0).startsWith("1|v5|"), "the key's greatest version reached MariaDB: " + rows);
            assertTrue(harness.rounds() - before < 50, "within a few rounds: " + (harness.rounds() - before));
        }
    }
}
