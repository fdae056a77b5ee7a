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
 * within a few rounds, the same rounds on a machine twice as slow.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TimerWindowsTest {

    /**
     * People editing one row on both sides in turn, each edit made on the version the other side synced: the runaway
     * guard (at most 2 crossings per key and direction within an hour) parks the key; it is released after the hour,
     * within the same few rounds any settle gets.
     */
    @Test
    void aKeyParkedForAnHourIsReleasedAfterAFewRoundsAsItsGreatestVersion() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("clock_parked");
        DataSource maria = EmbeddedDatabases.mariadb("clock_parked");
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> {
            for (String direction : List.of(TwoWayFaults.PREVENT_INTO_MARIA, TwoWayFaults.PREVENT_INTO_PG)) {
                b.processorProperty(direction, "Max Updates Per Key", "2").processorProperty(direction, "Runaway Window", "1 hour");
            }
            return b;
        })) {
            SampleTable.execute(pg, "INSERT INTO customer (id, name) VALUES (1, 'v0')");
            TwoWayFaults.settle(harness, 50);
            for (int v = 1; v <= 8; v++) {
                SampleTable.execute(v % 2 == 1 ? maria : pg, "UPDATE customer SET name = 'v" + v + "' WHERE id = 1");
                TwoWayFaults.settle(harness, 50);
            }

            assertTrue(harness.counter("PreventLoops", "Runaway keys parked") > 0, "the key was parked");
            assertTrue(harness.counter("PreventLoops", "Parked changes released") > 0,
                    "and released when its hour had passed on the harness's clock");
            List<String> rows = SampleTable.rows(maria);
            assertEquals(SampleTable.rows(pg), rows, "both sides hold the same row");
            assertTrue(rows.size() == 1 && rows.get(0).startsWith("1|v8|"), "the last edit: " + rows);
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }
}
