/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Capture bounds a poll by the size of the row images as well as by rows: wide rows are read a few at a time. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CaptureBatchBytesTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A"}, {"id": "B"}], "tables": [{"name": "document"}]}""";
    private static final int ROWS = 12;
    private static final int WIDTH = 20_000;

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aBatchOfWideRowsIsSplitByBytesAcrossPolls(TestEngine engine) throws Exception {
        DataSource dataSource = engine.freshDatabase("capture_bytes");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE document (id BIGINT NOT NULL PRIMARY KEY, body TEXT)");
        }
        TestRunner runner = BisyncRunners.capture(TOPOLOGY, Map.of("A", dataSource, "B", dataSource), "A");
        runner.setProperty("Max Bytes Per Poll", "100 KB");
        runner.assertValid();
        runner.run(1, false, true); // installs the triggers

        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO document (id, body) VALUES (?, ?)")) {
            for (int id = 1; id <= ROWS; id++) {
                insert.setLong(1, id);
                insert.setString(2, String.valueOf((char) ('a' + id)).repeat(WIDTH));
                insert.executeUpdate();
            }
        }
        List<Integer> perPoll = new ArrayList<>();
        int total = 0;
        while (total < ROWS && perPoll.size() < ROWS) {
            runner.clearTransferState();
            runner.run(1, false, false);
            int polled = runner.getFlowFilesForRelationship(CaptureTriggerHistory.SUCCESS).stream()
                    .mapToInt(f -> Integer.parseInt(f.getAttribute("record.count"))).sum();
            perPoll.add(polled);
            total += polled;
        }

        assertEquals(ROWS, total, "every row is captured: " + perPoll);
        // a row is 20,000 characters of body and about 120 more of key, image and bookkeeping: five fit into 100 KB (102,400
        // bytes) and a sixth would not, so the twelve rows take polls of 5, 5 and 2
        assertEquals(List.of(5, 5, 2), perPoll, "each poll holds at most 100 KB of rows");
    }

}
