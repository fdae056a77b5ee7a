/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriter;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped two-way template (PostgreSQL <-> MariaDB) run headless through the {@link FlowHarness} on a fresh pair of
 * embedded databases, with a {@code contact} table and a topology definition of the test's choice (the template's
 * "Sync Topology Definition" parameter). Users' edits are plain JDBC statements, so the real triggers capture them.
 */
final class TwoWayPair implements AutoCloseable {

    static final String PG = "postgresql";
    static final String MARIA = "mariadb";
    static final String CAPTURE_PG = "Capture PostgreSQL";
    static final String CAPTURE_MARIA = "Capture MariaDB";
    static final String PG_TO_MARIA = "PostgreSQL -> MariaDB";
    static final String MARIA_TO_PG = "MariaDB -> PostgreSQL";
    static final String CONFLICTS = "Conflicts for review: ";
    /** System priorities of every topology here: MariaDB ranks above PostgreSQL. */
    static final int PG_PRIORITY = 1;
    static final int MARIA_PRIORITY = 2;

    static final String TABLE = "contact";
    static final String DDL = "CREATE TABLE contact (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), "
            + "phone VARCHAR(40), balance DECIMAL(12,2))";

    final DataSource pg;
    final DataSource maria;
    final FlowHarness harness;
    final RegisteredFlowSnapshot flow;

    /** Settings of one pair. */
    static final class Setup {
        private final String name;
        private String strategy = "LAST_WRITE_WINS";
        private String fields;
        private long seed = 1;
        private double duplicate;
        private boolean reorder;
        private final Map<String, Map<String, String>> properties = new LinkedHashMap<>();

        Setup(String name) {
            this.name = name;
            // deterministic clocks unless a test turns the correction on
            property(CAPTURE_PG, "Clock Correction", "false");
            property(CAPTURE_MARIA, "Clock Correction", "false");
        }

        Setup strategy(String strategy) {
            this.strategy = strategy;
            return this;
        }

        /** The table's "fields" object of the topology (JSON), e.g. owners. */
        Setup fields(String fieldsJson) {
            this.fields = fieldsJson;
            return this;
        }

        Setup faults(long seed, double duplicateProbability, boolean reorder) {
            this.seed = seed;
            this.duplicate = duplicateProbability;
            this.reorder = reorder;
            return this;
        }

        Setup property(String processor, String property, String value) {
            properties.computeIfAbsent(processor, p -> new LinkedHashMap<>()).put(property, value);
            return this;
        }

        String topology() {
            return """
                    {"systems": [{"id": "postgresql", "priority": %d}, {"id": "mariadb", "priority": %d}],
                     "tables": [{"name": "contact", "direction": "TWO_WAY", "strategy": "%s"%s}]}"""
                    .formatted(PG_PRIORITY, MARIA_PRIORITY, strategy, fields == null ? "" : ", \"fields\": " + fields);
        }

        TwoWayPair start() throws Exception {
            return new TwoWayPair(this);
        }
    }

    static Setup setup(String name) {
        return new Setup(name);
    }

    private TwoWayPair(Setup setup) throws Exception {
        pg = EmbeddedDatabases.postgres("cf_" + setup.name);
        maria = EmbeddedDatabases.mariadb("cf_" + setup.name);
        execute(pg, DDL);
        execute(maria, DDL);
        flow = Templates.all().get("two-way-postgresql-mariadb.json");
        FlowHarness.Builder builder = FlowHarness.builder(flow)
                .dataSource(PG, pg)
                .dataSource(MARIA, maria)
                .parameter("Sync Topology Definition", setup.topology())
                .seed(setup.seed)
                .log(line -> System.out.println("[" + setup.name + "] " + line));
        for (String direction : List.of(PG_TO_MARIA, MARIA_TO_PG)) {
            builder.processorProperty("Prevent loops " + direction, "Runaway Window", "2 sec");
        }
        setup.properties.forEach((processor, values) -> values.forEach((k, v) -> builder.processorProperty(processor, k, v)));
        if (setup.duplicate > 0) {
            builder.duplicate(name -> name.startsWith("Changes ") || name.startsWith("To resolve ") || name.startsWith("To apply "),
                    setup.duplicate);
        }
        if (setup.reorder) {
            builder.reorder(name -> name.startsWith("Changes ") || name.startsWith("To resolve ") || name.startsWith("To apply "));
        }
        harness = builder.build();
        harness.round(); // capture installs its triggers at its first run
        assertEquals(0, harness.failedRuns(), "the flow starts: " + harness.lastFailure());
    }

    // ------------------------------------------------------------------ running

    /** Runs the flow until nothing moves; fails the test when it does not become quiet or a run failed. */
    void sync() {
        int failedBefore = harness.failedRuns();
        boolean quiet = harness.runUntilQuiet(2_000, r -> { });
        assertTrue(quiet, "the flow became quiet; last failure: " + harness.lastFailure());
        assertEquals(failedBefore, harness.failedRuns(), "no processor run failed: " + harness.lastFailure());
        assertEquals(List.of(), harness.heldRecords("Failed changes").stream().map(Record::toString).toList(), "no change failed");
        assertEquals(List.of(), harness.heldRecords("Capture failures").stream().map(Record::toString).toList(), "capture did not fail");
    }

    /** The records held for review on the conflict queue of this direction (e.g. {@link #PG_TO_MARIA}). */
    List<Record> conflicts(String direction) {
        return harness.heldRecords(CONFLICTS + direction);
    }

    /**
     * Routes records back into the ResolveConflicts of a direction as one FlowFile written by the template's writer
     * stand-in (what UpdateRecord's success does in NiFi).
     */
    void routeBackToResolve(String direction, List<Record> records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonRecordSetWriter writer = new JsonRecordSetWriter(records.get(0).getSchema(), out)) {
            writer.beginRecordSet();
            for (Record record : records) {
                writer.write(record);
            }
            writer.finishRecordSet();
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(records.get(0).getSchema()));
        attributes.put("bisync.table", TABLE);
        attributes.put("record.count", String.valueOf(records.size()));
        harness.runner("Resolve conflicts " + direction).enqueue(out.toByteArray(), attributes);
    }

    /** Takes what capture of a system emits now out of the flow (as if its delivery were delayed). */
    List<MockFlowFile> captureAndHold(String captureName) {
        TestRunner runner = harness.runner(captureName);
        runner.clearTransferState();
        runner.run(1, false, false);
        List<MockFlowFile> held = new ArrayList<>(runner.getFlowFilesForRelationship("success"));
        runner.clearTransferState();
        return held;
    }

    /** Delivers FlowFiles held by {@link #captureAndHold} into PreventLoops of a direction. */
    void deliverLate(String direction, List<MockFlowFile> flowFiles) {
        for (MockFlowFile flowFile : flowFiles) {
            harness.runner("Prevent loops " + direction).enqueue(flowFile.toByteArray(), flowFile.getAttributes());
        }
    }

    long counter(String processorName, String counter) {
        return harness.processorCounter(processorName, counter);
    }

    @Override
    public void close() {
        harness.close();
    }

    // ------------------------------------------------------------------ data

    static void execute(DataSource dataSource, String... statements) throws SQLException {
        Jdbc.exec(dataSource, statements);
    }

    /** A user's statement with bound values, in its own autocommit transaction. */
    static int update(DataSource dataSource, String sql, Object... values) throws SQLException {
        return Jdbc.update(dataSource, sql, values);
    }

    static void insert(DataSource dataSource, long id, String name, String email, String phone, String balance) throws SQLException {
        update(dataSource, "INSERT INTO contact (id, name, email, phone, balance) VALUES (?, ?, ?, ?, ?)", id, name, email, phone,
                balance == null ? null : new BigDecimal(balance));
    }

    /** Every row as "id|name|email|phone|balance", ordered by id, equal across engines. */
    static List<String> rows(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name, email, phone, balance FROM contact ORDER BY id")) {
            while (rs.next()) {
                BigDecimal balance = rs.getBigDecimal(5);
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + (balance == null ? "null" : balance.setScale(2).toPlainString()));
            }
        }
        return rows;
    }

    static String row(DataSource dataSource, long id) throws SQLException {
        return rows(dataSource).stream().filter(r -> r.startsWith(id + "|")).findFirst().orElse(null);
    }

    /** Asserts both sides hold the same rows and returns them. */
    List<String> assertIdentical() throws SQLException {
        List<String> pgRows = rows(pg);
        List<String> mariaRows = rows(maria);
        assertEquals(pgRows, mariaRows, "PostgreSQL and MariaDB hold the same rows");
        return pgRows;
    }

    /** Asserts the row on both sides (null: absent on both). */
    void assertRowOnBothSides(long id, String expected) throws SQLException {
        assertEquals(expected, row(pg, id), "row " + id + " on PostgreSQL");
        assertEquals(expected, row(maria, id), "row " + id + " on MariaDB");
    }

    /** The row version (number, origin) in a system's version table, or null. */
    static String version(DataSource dataSource, long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT version_num, version_origin, deleted FROM bisync_v_contact WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) + "@" + rs.getString(2) + (rs.getBoolean(3) ? " deleted" : "") : null;
            }
        }
    }

    static void setClockCorrection(DataSource dataSource, long micros) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean exists;
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM bisync_config WHERE name = 'clock_correction_micros'");
                 ResultSet rs = s.executeQuery()) {
                exists = rs.next();
            }
            try (PreparedStatement s = c.prepareStatement(exists
                    ? "UPDATE bisync_config SET num_value = ? WHERE name = 'clock_correction_micros'"
                    : "INSERT INTO bisync_config (num_value, name) VALUES (?, 'clock_correction_micros')")) {
                s.setLong(1, micros);
                s.executeUpdate();
            }
        }
    }

    static long clockCorrection(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT num_value FROM bisync_config WHERE name = 'clock_correction_micros'")) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /**
     * Waits until the database's clock has passed {@code micros}: a change written there afterwards gets a greater version
     * (the clock plus a correction of 0), whatever the skew between the two databases. A state, not a fixed time.
     */
    /**
     * Waits until both databases' clocks have passed every change captured so far on either side: what a test writes
     * next is later in real time, as the versions see it, however fast or slow the machine (a state, not a pause).
     */
    void later() throws SQLException {
        String newest = "SELECT COALESCE(MAX(captured_at), 0) FROM bisync_history";
        long captured = Math.max(Jdbc.count(pg, newest), Jdbc.count(maria, newest));
        awaitClockPast(pg, captured);
        awaitClockPast(maria, captured);
    }

    static void awaitClockPast(DataSource dataSource, long micros) throws SQLException {
        SampleTable.awaitClockPast(dataSource, micros);
    }
}
