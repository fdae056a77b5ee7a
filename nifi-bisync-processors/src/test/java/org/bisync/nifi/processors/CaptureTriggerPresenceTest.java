/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.processors.CaptureTriggerHistoryTest.causes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture looks at the database's catalog, not only at what bisync_installed records: a trigger dropped (a migration tool
 * rebuilding the table) or disabled outside nifi-bisync is rebuilt with a warning naming it in Install mode, and stops
 * capture with a message naming it in Verify mode.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureTriggerPresenceTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A"}, {"id": "B"}], "tables": [{"name": "customer"}]}""";
    private static final String INSERT_TRIGGER = "bisync_t_customer_ins";

    private DataSource dataSource;
    private TestRunner runner;

    private void start(TestEngine engine, String database) throws Exception {
        dataSource = engine.freshDatabase(database);
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        runner = BisyncRunners.capture(TOPOLOGY, Map.of("A", dataSource, "B", dataSource), "A");
        runner.setProperty(CaptureTriggerHistory.MAINTENANCE_INTERVAL, "0 sec");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aDroppedTriggerIsRebuiltWithAWarningNamingItAndCaptureResumes(TestEngine engine) throws Exception {
        start(engine, "presence_dropped");
        runner.run(1, false, true);
        dropInsertTrigger(engine);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'while the trigger was gone')");

        runner.run(1, false, false);
        assertTrue(warnings().stream().anyMatch(m -> m.contains(INSERT_TRIGGER + " is missing") && m.contains("customer")),
                () -> "a bulletin names the dropped trigger: " + warnings());
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (2, 'after the rebuild')");
        runner.run(1, false, false);
        assertEquals(List.of(2L), capturedKeys(), "capture resumed with the rebuilt trigger");
        int warned = warnings().size();
        runner.run(1, false, false);
        assertEquals(warned, warnings().size(), "once rebuilt, the next maintenance finds nothing to warn about");
    }

    @Test
    void aDisabledPostgresTriggerIsRebuiltEnabledWithAWarningNamingIt() throws Exception {
        start(TestEngine.POSTGRESQL, "presence_disabled");
        runner.run(1, false, true);
        Jdbc.exec(dataSource, "ALTER TABLE customer DISABLE TRIGGER " + INSERT_TRIGGER);
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (1, 'while the trigger was disabled')");

        runner.run(1, false, false);
        assertTrue(warnings().stream().anyMatch(m -> m.contains(INSERT_TRIGGER + " is disabled")),
                () -> "a bulletin names the disabled trigger: " + warnings());
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (2, 'after the rebuild')");
        runner.run(1, false, false);
        assertEquals(List.of(2L), capturedKeys(), "the rebuilt trigger fires again");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void verifyOnlyStopsNamingATriggerDroppedWhileCaptureRuns(TestEngine engine) throws Exception {
        start(engine, "presence_verify");
        runner.run(1, true, true); // installed as a DBA would from the generated script
        runner.setProperty(CaptureTriggerHistory.TRIGGER_MANAGEMENT, CaptureTriggerHistory.VERIFY.getValue());
        runner.run(1, false, true);
        dropInsertTrigger(engine);

        AssertionError refused = assertThrows(AssertionError.class, () -> runner.run(1, false, false));
        assertTrue(causes(refused).contains("customer (trigger " + INSERT_TRIGGER + " is missing"), causes(refused));
        AssertionError again = assertThrows(AssertionError.class, () -> runner.run(1, false, false));
        assertTrue(causes(again).contains(INSERT_TRIGGER), "it keeps refusing until the trigger is back: " + causes(again));
        assertEquals(0, runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).size());
    }

    @Test
    void verifyOnlyRefusesToStartNamingADisabledPostgresTrigger() throws Exception {
        start(TestEngine.POSTGRESQL, "presence_verify_disabled");
        runner.run(1, true, true);
        Jdbc.exec(dataSource, "ALTER TABLE customer DISABLE TRIGGER bisync_t_customer_upd");
        runner.setProperty(CaptureTriggerHistory.TRIGGER_MANAGEMENT, CaptureTriggerHistory.VERIFY.getValue());

        AssertionError refused = assertThrows(AssertionError.class, () -> runner.run(1, true, true));
        assertTrue(causes(refused).contains("customer (trigger bisync_t_customer_upd is disabled)"), causes(refused));
    }

    /**
     * PostgreSQL and MariaDB: the trigger alone. SQLite: the table rebuilt as migration tools do it (new table, copy,
     * drop, rename), which drops every trigger of the table and keeps its columns, so bisync_installed still matches.
     */
    private void dropInsertTrigger(TestEngine engine) throws SQLException {
        switch (engine) {
            case POSTGRESQL -> Jdbc.exec(dataSource, "DROP TRIGGER " + INSERT_TRIGGER + " ON customer");
            case MARIADB -> Jdbc.exec(dataSource, "DROP TRIGGER " + INSERT_TRIGGER);
            case SQLITE -> Jdbc.exec(dataSource, "CREATE TABLE customer_new (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))",
                    "INSERT INTO customer_new SELECT id, name FROM customer", "DROP TABLE customer",
                    "ALTER TABLE customer_new RENAME TO customer");
        }
    }

    private List<String> warnings() {
        return runner.getLogger().getWarnMessages().stream().map(LogMessage::getMsg).toList();
    }

    private List<Long> capturedKeys() throws Exception {
        List<Long> keys = new ArrayList<>();
        for (MockFlowFile flowFile : runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS)) {
            for (Record change : CaptureTriggerHistoryTest.records(flowFile)) {
                keys.add(((Record) change.getValue("key")).getAsLong("id"));
            }
        }
        runner.clearTransferState();
        return keys;
    }

}
