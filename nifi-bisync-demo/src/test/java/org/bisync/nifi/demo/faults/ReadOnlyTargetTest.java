/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.faults;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.Workload;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.KillableServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mariadb.jdbc.MariaDbDataSource;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target that turns read-only (a failover, a maintenance window) while changes flow into it, then writable again:
 * its writes fail meanwhile, the changes wait in retry instead of failing, and after quiet both sides are identical
 * with every change accounted for.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ReadOnlyTargetTest {

    @Test
    void postgresTurnedReadOnlyAndBackLosesNothing() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("fault_read_only_pg");
        DataSource maria = EmbeddedDatabases.mariadb("fault_read_only_pg");
        // every new session of the database is read-only, the flow's included (a fresh connection per use here)
        String readOnly = "ALTER DATABASE fault_read_only_pg SET default_transaction_read_only = on";
        String writable = "ALTER DATABASE fault_read_only_pg RESET default_transaction_read_only";
        readOnlyAndBack(pg, maria, TwoWayFaults.RESOLVE_INTO_PG, TwoWayFaults.APPLY_INTO_PG, () -> SampleTable.execute(pg, readOnly),
                // a read-only session cannot alter the database until it is allowed to write itself
                () -> SampleTable.execute(pg, "SET default_transaction_read_only = off", writable));
    }

    @Test
    void mariadbTurnedReadOnlyAndBackLosesNothing() throws Exception {
        // read_only stops every session without the READ ONLY ADMIN privilege: a server that checks privileges, and a
        // flow user with every privilege on its database only
        try (KillableServer server = KillableServer.mariadbWithGrants("fault_read_only")) {
            DataSource root = server.createDatabase("fault_read_only");
            // 'localhost' too: a TCP connection from 127.0.0.1 is seen as localhost, where an anonymous user would win over '%'
            for (String host : List.of("localhost", "%")) {
                SampleTable.execute(root, "CREATE USER 'bisync_flow'@'" + host + "' IDENTIFIED BY 'flow-pw'",
                        "GRANT ALL PRIVILEGES ON fault_read_only.* TO 'bisync_flow'@'" + host + "'");
            }
            MariaDbDataSource maria = new MariaDbDataSource(server.jdbcUrl("fault_read_only").replace("user=root", "user=bisync_flow&password=flow-pw"));
            DataSource pg = EmbeddedDatabases.postgres("fault_read_only_maria");
            readOnlyAndBack(pg, maria, TwoWayFaults.RESOLVE_INTO_MARIA, TwoWayFaults.APPLY_INTO_MARIA,
                    () -> SampleTable.execute(root, "SET GLOBAL read_only = 1"), () -> SampleTable.execute(root, "SET GLOBAL read_only = 0"));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void readOnlyAndBack(DataSource pg, DataSource maria, String resolveIntoTarget, String applyIntoTarget,
                                        Step turnReadOnly, Step turnWritable)
            throws Exception {
        try (FlowHarness harness = TwoWayFaults.start(pg, maria, b -> b.seed(3))) {
            List<Workload> writers = new ArrayList<>();
            List<Thread> threads = TwoWayFaults.writers(pg, maria, 3, 1, 100, 30, writers);
            TwoWayFaults.join(threads, writers); // the target's own writers are done before it turns read-only
            turnReadOnly.run();
            try {
                // until the flow met the read-only target: Resolve cannot lock-read its versions (PostgreSQL refuses
                // row locks in a read-only transaction) or Apply cannot write
                while (harness.runner(resolveIntoTarget).getLogger().getErrorMessages().isEmpty()
                        && harness.processorCounter(applyIntoTarget, "Changes retried") == 0
                        && harness.processorCounter(applyIntoTarget, "Changes failed") == 0) {
                    harness.round();
                    assertTrue(harness.rounds() < 300, "the flow met the read-only target; last failure: " + harness.lastFailure());
                }
                for (int i = 0; i < 5; i++) {
                    harness.round(); // a little longer read-only: retries meet it again
                }
            } finally {
                turnWritable.run();
            }
            TwoWayFaults.settle(harness);
            TwoWayFaults.assertConvergedAndAccounted(harness, pg, maria, writers);
            // the changes waited (in front of Resolve, or in Apply's retry) instead of failing: checked above, none failed
        }
    }
}
