/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A history row capture cannot decode goes to failure with the row itself, so it can be inspected and replayed. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CaptureUndecodableRowTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "customer"}]}""";

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anUndecodableHistoryRowGoesToFailureCarryingEveryColumnAsStored(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("capture_undecodable");
        TestRunner runner = installedCapture(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");

        Jdbc.exec(dataSource, "INSERT INTO bisync_history (table_name, operation, key_data, after_data, version_num, version_origin, origin, "
                        + "captured_at) VALUES ('customer', 'INSERT', '{\"id\": 1}', '{\"id\": 1, \"name\": ', 17, 'A', 'A', 42)",
                "INSERT INTO bisync_history (table_name, operation, key_data, before_data, version_num, version_origin, prev_num, "
                        + "prev_origin, origin, captured_at) VALUES ('gone', 'DELETE', '{\"id\": 7}', '{\"id\": 7}', 19, 'A', 18, 'B', 'A', 43)");
        runner.run(1, false, false);

        runner.assertAllFlowFilesTransferred(CaptureTriggerHistory.FAILURE, 1);
        MockFlowFile failure = runner.getFlowFilesForRelationship(CaptureTriggerHistory.FAILURE).getFirst();
        failure.assertAttributeEquals(BisyncAttributes.MIME_TYPE, "application/json");
        JsonNode rows = new ObjectMapper().readTree(failure.getContent());
        assertEquals(2, rows.size(), rows.toString());

        JsonNode broken = rows.get(0);
        assertEquals("customer", broken.get("table_name").asText());
        assertEquals("INSERT", broken.get("operation").asText());
        assertEquals("{\"id\": 1}", broken.get("key_data").asText());
        assertEquals("{\"id\": 1, \"name\": ", broken.get("after_data").asText(), "the raw text, as stored");
        assertTrue(broken.get("before_data").isNull());
        assertEquals(17, broken.get("version_num").asLong());
        assertEquals(42, broken.get("captured_at").asLong());
        assertEquals(Jdbc.count(dataSource, "SELECT id FROM bisync_history WHERE version_num = 17"), broken.get("id").asLong());
        assertTrue(broken.get("reason").asText().contains("'customer'"), broken.get("reason").asText());

        JsonNode gone = rows.get(1);
        assertEquals("gone", gone.get("table_name").asText());
        assertEquals("DELETE", gone.get("operation").asText());
        assertEquals(18, gone.get("prev_num").asLong());
        assertEquals("B", gone.get("prev_origin").asText());
        assertTrue(gone.get("reason").asText().contains("not part of the sync topology"), gone.get("reason").asText());
    }

    /**
     * A row that cannot be decoded neither holds back the rows behind it nor is lost: it goes to failure with a reason
     * naming its history id, table and field (no value), the good row behind it goes to success in the same run, and
     * both are released (moved to bisync_released) only on the next run, once the session that carried them committed,
     * so the broken row is not read again.
     */
    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void anUndecodableRowGoesToFailureWithoutHoldingBackTheRowsBehindItAndIsReleasedOnceCommitted(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("capture_undecodable_release");
        TestRunner runner = installedCapture(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), born DATE)");

        Jdbc.exec(dataSource, "INSERT INTO bisync_history (table_name, operation, key_data, after_data, version_num, version_origin, origin, "
                + "captured_at) VALUES ('customer', 'INSERT', '{\"id\": 1}', '{\"id\": 1, \"born\": \"no such day\"}', 17, 'A', 'A', 42)",
                "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
        long broken = Jdbc.count(dataSource, "SELECT id FROM bisync_history WHERE version_num = 17");
        runner.run(1, false, false);

        runner.assertTransferCount(CaptureTriggerHistory.FAILURE, 1);
        runner.assertTransferCount(CaptureTriggerHistory.SUCCESS, 1);
        MockFlowFile failure = runner.getFlowFilesForRelationship(CaptureTriggerHistory.FAILURE).getFirst();
        String reason = failure.getAttribute(BisyncAttributes.REASON);
        assertTrue(reason.contains("History row " + broken + " of table 'customer'") && reason.contains("after_data.born"), reason);
        assertTrue(!reason.contains("no such day"), "no value in the reason: " + reason);
        assertEquals(broken, new ObjectMapper().readTree(failure.getContent()).get(0).get("id").asLong());
        assertTrue(runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).getFirst().getContent().contains("Bob"));
        assertEquals(0, Jdbc.count(dataSource, "SELECT count(*) FROM bisync_released"), "released only after the commit");

        runner.clearTransferState();
        runner.run(1, false, false);
        runner.assertTransferCount(CaptureTriggerHistory.FAILURE, 0);
        runner.assertTransferCount(CaptureTriggerHistory.SUCCESS, 0);
        assertEquals(2, Jdbc.count(dataSource, "SELECT count(*) FROM bisync_released"));
        assertEquals(1, Jdbc.count(dataSource, "SELECT count(*) FROM bisync_released WHERE id = " + broken), "the broken row is kept");
        assertEquals(0, Jdbc.count(dataSource, "SELECT count(*) FROM bisync_history"));
    }

    /** Capture of system A over {@code dataSource} holding the table {@code customerDdl} creates, installed by a first run. */
    private static TestRunner installedCapture(DataSource dataSource, String customerDdl) throws Exception {
        Jdbc.exec(dataSource, customerDdl);
        TestRunner runner = BisyncRunners.capture(TOPOLOGY, Map.of("A", dataSource, "B", dataSource), "A");
        runner.run(1, false, true);
        return runner;
    }
}
