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
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A FlowFile replayed from provenance after the tombstone of its row was purged. Its INSERT meets a target without a
 * version row for the key and no prev_version, which looks like a fast-forward: applied, the row would come back on
 * that side only, and nothing would carry it to the other (the applier's write is not captured). The target already
 * acknowledged that change to its source, so Resolve and Apply drop it as STALE.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PurgedTombstoneReplayTest {

    private static final String INTO_MARIA = "To apply PostgreSQL -> MariaDB";

    @Test
    void aReplayedInsertAfterItsTombstoneWasPurgedDoesNotBringTheRowBackOnOneSide() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("fault_purged_replay");
        DataSource maria = EmbeddedDatabases.mariadb("fault_purged_replay");
        AtomicBoolean keeping = new AtomicBoolean(true); // only the insert's FlowFile is kept for the replay
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> b.keepForReplay(name -> keeping.get() && name.equals(INTO_MARIA)))) {
            SampleTable.execute(pg, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
            TwoWayFaults.settle(harness);
            keeping.set(false);
            SampleTable.execute(pg, "DELETE FROM customer WHERE id = 1");
            TwoWayFaults.settle(harness);
            harness.round(); // capture releases what it emitted last
            for (String system : List.of("PostgreSQL", "MariaDB")) {
                harness.runner("Purge tombstones in " + system).run(1, false, false);
            }
            assertEquals(0, SampleTable.tombstones(pg) + SampleTable.tombstones(maria), "both tombstones were purged");

            assertEquals(1, harness.replay(name -> true), "the insert's FlowFile is replayed into Apply");
            TwoWayFaults.settle(harness);
            assertEquals(List.of(), SampleTable.rows(pg));
            assertEquals(List.of(), SampleTable.rows(maria), "the replayed insert did not bring the deleted row back at MariaDB");
        }
    }
}
