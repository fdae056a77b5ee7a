/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.processors.ChangeFlowFiles.change;
import static org.bisync.nifi.processors.ChangeFlowFiles.enqueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ResolveConflicts reads the target's rows (manual review) with the columns it read at start. A column dropped in the
 * target while it runs fails that read once (PostgreSQL, MariaDB); the table is read again and the next run decides,
 * instead of failing every run until a restart.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ResolveConflictsSchemaChangeTest {

    /** One-way: the target has no triggers of ours, which would keep the column from being dropped. */
    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer", "direction": "ONE_WAY", "source": "A", "strategy": "MANUAL"}]}""";

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aColumnDroppedInTheTargetWhileRunningFailsOneReadAndTheNextRunDecides(TestEngine engine) throws Exception {
        DataSource target = engine.freshDatabase("resolve_dropped");
        Jdbc.exec(target, "CREATE TABLE customer (id int NOT NULL PRIMARY KEY, name varchar(40), email varchar(60))");
        TestRunner manage = BisyncRunners.withTopology(TestRunners.newTestRunner(ManageSyncTriggers.class), TOPOLOGY,
                Map.of("A", target, "B", target));
        manage.setProperty(ManageSyncTriggers.SYSTEM_ID, "B");
        manage.setProperty(ManageSyncTriggers.ACTION, "Install");
        manage.setIncomingConnection(false);
        manage.run();
        manage.assertAllFlowFilesTransferred(ManageSyncTriggers.SUCCESS, 1);
        TestRunner resolve = BisyncRunners.forTarget(TestRunners.newTestRunner(ResolveConflicts.class), TOPOLOGY,
                Map.of("A", target, "B", target), "B");
        enqueue(resolve, List.of(change(1, "Ann", new Version(1_000, "A"), null, "A")));
        resolve.run(1, false, true);
        resolve.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        resolve.clearTransferState();

        Jdbc.exec(target, "ALTER TABLE customer DROP COLUMN email");
        enqueue(resolve, List.of(change(2, "Bob", new Version(1_001, "A"), null, "A")));
        resolve.run(1, false, false);
        resolve.run(1, false, false);

        resolve.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        assertEquals(0, resolve.getQueueSize().getObjectCount(), "decided: nothing waits");
        List<String> errors = ApplyMessagesAndSchemaChangesTest.texts(resolve.getLogger().getErrorMessages());
        assertTrue(errors.size() <= 1, "at most one failed read (SQLite's may not fail at all), not one per run: " + errors);
        assertTrue(errors.stream().noneMatch(e -> e.contains("Bob")), "no row value: " + errors);
    }

}
