/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.processor.Processor;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.bisync.nifi.processors.ChangeFlowFiles.change;
import static org.bisync.nifi.processors.ChangeFlowFiles.enqueue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Map;

/**
 * A target system (B, PostgreSQL) whose database has the synced table but not nifi-bisync's installation, as the target
 * of a one-way sync has when nothing installs it: ResolveConflicts and ApplyBidirectionalChanges keep the changes and
 * say what to install where; once ManageSyncTriggers installed it, the same changes go through.
 */
class NotInstalledTargetTest {

    private static final String TOPOLOGY = ChangeFlowFiles.topology("LAST_WRITE_WINS");
    private static final String EXPECTED = "Table 'customer' in system 'B' has no version table bisync_v_customer: install "
            + "nifi-bisync in system 'B' (ManageSyncTriggers with Action Install, or a CaptureTriggerHistory of that system)";

    private static DataSource target(String database) throws SQLException {
        DataSource dataSource = EmbeddedDatabases.postgres(database);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE customer (id int PRIMARY KEY, name text, email text)");
        }
        return dataSource;
    }

    private static TestRunner runner(Class<? extends Processor> type, DataSource target) throws Exception {
        Map<String, DataSource> systems = Map.of("A", target, "B", target);
        if (type != ManageSyncTriggers.class) {
            return BisyncRunners.forTarget(TestRunners.newTestRunner(type), TOPOLOGY, systems, "B");
        }
        TestRunner runner = BisyncRunners.withTopology(TestRunners.newTestRunner(type), TOPOLOGY, systems);
        runner.setProperty(ManageSyncTriggers.SYSTEM_ID, "B");
        runner.setProperty(ManageSyncTriggers.ACTION, ManageSyncTriggers.INSTALL.getValue());
        runner.setIncomingConnection(false); // runs on its schedule, as in the one-way template
        return runner;
    }

    private static List<String> errors(TestRunner runner) {
        return runner.getLogger().getErrorMessages().stream().map(LogMessage::getMsg).toList();
    }

    private static List<String> warnings(TestRunner runner) {
        return runner.getLogger().getWarnMessages().stream().map(LogMessage::getMsg).toList();
    }

    private static void install(DataSource target) throws Exception {
        TestRunner manage = runner(ManageSyncTriggers.class, target);
        manage.run();
        assertEquals(List.of(), errors(manage), "ManageSyncTriggers installed nifi-bisync in B");
        manage.assertAllFlowFilesTransferred(ManageSyncTriggers.SUCCESS, 1);
    }

    /** ResolveConflicts on a clock the test moves. */
    static final class ResolveConflictsOnTestClock extends ResolveConflicts {
        long now;

        @Override
        protected long nanoTime() {
            return now;
        }
    }

    @Test
    void resolveConflictsKeepsTheChangesQueuedAndSaysWhatToInstallWhere() throws Exception {
        DataSource target = target("not_installed_resolve");
        ResolveConflictsOnTestClock processor = new ResolveConflictsOnTestClock();
        Map<String, DataSource> systems = Map.of("A", target, "B", target);
        TestRunner resolve = BisyncRunners.forTarget(TestRunners.newTestRunner(processor), TOPOLOGY, systems, "B");
        enqueue(resolve, List.of(change(1, "Ann", new Version(1_000, "A"), null, "A")));

        resolve.run(1, false, true);
        // the target's own capture may still be installing it (the group's first start): a warning first
        assertEquals(List.of(), errors(resolve));
        assertTrue(warnings(resolve).stream().anyMatch(m -> m.contains(EXPECTED)), "the warning says what to do: " + warnings(resolve));
        processor.now += ResolveConflicts.NOT_INSTALLED_GRACE_NANOS;
        resolve.run(1, false, false);

        resolve.assertTransferCount(ResolveConflicts.SUCCESS, 0);
        resolve.assertTransferCount(ResolveConflicts.FAILURE, 0);
        assertEquals(1, resolve.getQueueSize().getObjectCount(), "the FlowFile was rolled back into the queue: nothing is lost");
        assertTrue(errors(resolve).stream().anyMatch(m -> m.contains(EXPECTED)), "still missing after a minute: an error that says "
                + "what to do: " + errors(resolve));

        install(target);
        resolve.run(1, true, false);
        resolve.assertAllFlowFilesTransferred(ResolveConflicts.SUCCESS, 1);
        assertEquals(1, ChangeFlowFiles.changes(resolve.getFlowFilesForRelationship(ResolveConflicts.SUCCESS).get(0)).size(),
                "once installed, the queued change is decided");
    }

    @Test
    void applyRoutesTheChangesToRetryPenalizedWithAReasonThatSaysWhatToInstallWhere() throws Exception {
        DataSource target = target("not_installed_apply");
        TestRunner apply = runner(ApplyBidirectionalChanges.class, target);
        ChangeRecord insert = change(1, "Ann", new Version(1_000, "A"), null, "A");
        insert.decision = Decision.APPLY;
        enqueue(apply, List.of(insert));

        apply.run();

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.RETRY, 1);
        MockFlowFile retry = apply.getFlowFilesForRelationship(ApplyBidirectionalChanges.RETRY).get(0);
        retry.assertAttributeEquals(BisyncAttributes.REASON, EXPECTED);
        assertTrue(retry.isPenalized(), "retried with back-off");
        assertEquals(1, ChangeFlowFiles.changes(retry).size(), "the change travels on unchanged");
        assertTrue(errors(apply).stream().anyMatch(m -> m.contains(EXPECTED)), "the error says what to do: " + errors(apply));

        install(target);
        apply.clearTransferState();
        java.util.Map<String, String> due = new java.util.HashMap<>(retry.getAttributes());
        due.put(BisyncAttributes.RETRY_NOT_BEFORE, "0"); // its back-off has ended
        apply.enqueue(retry.toByteArray(), due);
        apply.run(1, true, false);
        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        try (Connection connection = target.getConnection(); Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT name FROM customer WHERE id = 1")) {
            assertTrue(rs.next(), "once installed, the retried change is applied");
            assertEquals("Ann", rs.getString(1));
        }
    }
}
