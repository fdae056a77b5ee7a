/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.serialization.SimpleRecordSchema;
import org.apache.nifi.serialization.record.RecordField;
import org.apache.nifi.serialization.record.RecordFieldType;
import org.apache.nifi.serialization.record.RecordSchema;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockComponentLog;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.JsonRecordSetWriter;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ApplyBidirectionalChanges on each engine, into a one-way target B: what it logs (and so shows as bulletins) names
 * tables, columns and key columns but never a row value, whatever rejected the value (our type checks, the database's
 * constraints, the target's own trigger); and a column dropped or added in the target while the processor runs is
 * picked up without a restart.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ApplyMessagesAndSchemaChangesTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A"}, {"id": "B"}],
             "tables": [{"name": "customer", "direction": "ONE_WAY", "source": "A"}]}""";
    private static final String UNKNOWN_FIELDS = "Unknown field values dropped";
    private static final RecordSchema KEY = new SimpleRecordSchema(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false)));

    private DataSource target;
    private TestRunner apply;

    private void setUp(TestEngine engine, String name) throws Exception {
        target = engine.freshDatabase(name);
        Jdbc.exec(target, "CREATE TABLE customer (id int NOT NULL PRIMARY KEY, name varchar(40), email varchar(60) UNIQUE, score smallint)");
        TestRunner manage = BisyncRunners.withTopology(TestRunners.newTestRunner(ManageSyncTriggers.class), TOPOLOGY,
                Map.of("A", target, "B", target));
        manage.setProperty(ManageSyncTriggers.SYSTEM_ID, "B");
        manage.setProperty(ManageSyncTriggers.ACTION, ManageSyncTriggers.INSTALL.getValue());
        manage.setIncomingConnection(false);
        manage.run();
        manage.assertAllFlowFilesTransferred(ManageSyncTriggers.SUCCESS, 1);
        apply = BisyncRunners.forTarget(TestRunners.newTestRunner(ApplyBidirectionalChanges.class), TOPOLOGY,
                Map.of("A", target, "B", target), "B");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void rejectedValuesAndDuplicateKeysAreNamedByFieldNeverByValue(TestEngine engine) throws Exception {
        setUp(engine, "values_rejected");
        // row 2 exists without a version row (written before the sync): the change updates it onto row 1's unique email
        Jdbc.exec(target, "INSERT INTO customer (id, name, email, score) VALUES (1, 'Ann', 'zebra-4711@example.com', 1)",
                "INSERT INTO customer (id, name, email, score) VALUES (2, 'Bob', 'bob@example.com', 2)");
        enqueue(List.of(change(row(2, "Bob", "zebra-4711@example.com", "2"), 1_000)), schema(false));
        enqueue(List.of(change(row(3, "Cid", "cid@example.com", "QUAGGA-0815"), 1_001)), schema(false));

        apply.run(2);

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.FAILURE, 2);
        List<String> errors = apply.getFlowFilesForRelationship(ApplyBidirectionalChanges.FAILURE).stream()
                .flatMap(f -> ChangeFlowFiles.records(f).stream()).map(r -> r.getAsString("error")).toList();
        assertTrue(errors.get(0).startsWith("The database refused change") && errors.get(1).contains("Column 'score'"),
                "each failed at apply, with its reason: " + errors);
        String logged = logged(apply);
        for (String value : List.of("zebra-4711", "QUAGGA-0815")) {
            assertFalse(logged.contains(value), "no row value in logs or bulletins, but '" + value + "' is in: " + logged);
            assertFalse(errors.stream().anyMatch(e -> e.contains(value)), "nor in the reasons: " + errors);
        }
        assertTrue(logged.contains("customer"), "the table is named: " + logged);
        assertTrue(logged.contains("email"), "the duplicate key's column is named: " + logged);
        assertTrue(logged.contains("score"), "the rejected field is named: " + logged);
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aValueTheTargetsTriggerRewroteIsWarnedAboutByColumnNeverByValue(TestEngine engine) throws Exception {
        setUp(engine, "values_rewritten");
        switch (engine) {
            case POSTGRESQL -> Jdbc.exec(target, "CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); "
                    + "RETURN NEW; END $$", "CREATE TRIGGER shout BEFORE INSERT OR UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION shout()");
            case MARIADB -> Jdbc.exec(target, "CREATE TRIGGER shout BEFORE INSERT ON customer FOR EACH ROW SET NEW.name = UPPER(NEW.name)");
            case SQLITE -> Jdbc.exec(target, "CREATE TRIGGER shout AFTER INSERT ON customer BEGIN UPDATE customer SET name = upper(name) "
                    + "WHERE id = NEW.id; END");
        }
        enqueue(List.of(change(row(1, "okapi-31337", "o@example.com", "1"), 1_000)), schema(false));

        apply.run();

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        List<String> warnings = texts(((MockComponentLog) apply.getLogger()).getWarnMessages());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("'name'") && w.contains("customer")),
                "the rewritten column is named: " + warnings);
        String logged = logged(apply);
        assertFalse(logged.toLowerCase(java.util.Locale.ROOT).contains("okapi-31337"), "neither the written nor the read value: " + logged);
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aColumnDroppedInTheTargetWhileRunningGivesOneErrorAndTheChangesStillApply(TestEngine engine) throws Exception {
        setUp(engine, "column_dropped");
        enqueue(List.of(change(row(1, "Ann", "ann@example.com", "1"), 1_000)), schema(false));
        apply.run(1, false, true);
        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        apply.clearTransferState();

        Jdbc.exec(target, "ALTER TABLE customer DROP COLUMN score");
        enqueue(List.of(change(row(2, "Bob", "bob@example.com", "2"), 1_001)), schema(false));
        enqueue(List.of(change(row(3, "Cid", "cid@example.com", "3"), 1_002)), schema(false));
        apply.run(2, false, false);

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 2);
        assertEquals(List.of("1 Ann", "2 Bob", "3 Cid"), rows(), "the changes after the drop were applied without the column");
        List<String> errors = texts(((MockComponentLog) apply.getLogger()).getErrorMessages());
        assertEquals(1, errors.size(), "one error, not one per FlowFile: " + errors);
        assertTrue(errors.get(0).contains("customer") && errors.get(0).contains("score"), "it names the table and the column: " + errors);
        assertEquals(2, apply.getCounterValue(UNKNOWN_FIELDS), "the dropped values are counted");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void unknownFieldsAreCountedAndWarnedOncePerTableAndAColumnAddedWhileRunningIsWritten(TestEngine engine) throws Exception {
        setUp(engine, "column_added");
        enqueue(List.of(change(withNickname(row(1, "Ann", "ann@example.com", "1"), "Annie"), 1_000)), schema(true));
        enqueue(List.of(change(withNickname(row(2, "Bob", "bob@example.com", "2"), "Bobby"), 1_001)), schema(true));
        apply.run(2, false, true);

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 2);
        assertEquals(2, apply.getCounterValue(UNKNOWN_FIELDS), "one dropped value per record");
        List<String> warnings = texts(((MockComponentLog) apply.getLogger()).getWarnMessages());
        List<String> aboutNickname = warnings.stream().filter(w -> w.contains("nickname")).toList();
        assertEquals(1, aboutNickname.size(), "warned once for the table: " + warnings);
        assertTrue(aboutNickname.get(0).contains("customer"), "naming the table: " + aboutNickname);
        assertFalse(logged(apply).contains("Annie") || logged(apply).contains("Bobby"), "never the values");

        Jdbc.exec(target, "ALTER TABLE customer ADD COLUMN extra varchar(20)", "ALTER TABLE customer ADD COLUMN nickname varchar(20)");
        apply.clearTransferState();
        enqueue(List.of(change(withNickname(row(3, "Cid", "cid@example.com", "3"), "Cidney"), 1_002)), schema(true));
        apply.run(1, false, false);

        apply.assertAllFlowFilesTransferred(ApplyBidirectionalChanges.SUCCESS, 1);
        try (Connection connection = target.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT nickname FROM customer WHERE id = 3")) {
            assertTrue(rs.next());
            assertEquals("Cidney", rs.getString(1), "the column added while running is written");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static Map<String, Object> row(int id, String name, String email, String score) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        row.put("email", email);
        row.put("score", score);
        return row;
    }

    private static Map<String, Object> withNickname(Map<String, Object> row, String nickname) {
        row.put("nickname", nickname);
        return row;
    }

    private static ChangeRecordSchema schema(boolean withNickname) {
        List<RecordField> fields = new ArrayList<>(List.of(new RecordField("id", RecordFieldType.INT.getDataType(), false),
                new RecordField("name", RecordFieldType.STRING.getDataType(), true),
                new RecordField("email", RecordFieldType.STRING.getDataType(), true),
                // text, so that a value our type check rejects can reach the target
                new RecordField("score", RecordFieldType.STRING.getDataType(), true)));
        if (withNickname) {
            fields.add(new RecordField("nickname", RecordFieldType.STRING.getDataType(), true));
        }
        return new ChangeRecordSchema(KEY, new SimpleRecordSchema(fields));
    }

    private static ChangeRecord change(Map<String, Object> after, long version) {
        return ChangeRecordBuilder.insert("customer").keyOnly("id", after.get("id")).afterRow(after).version(version, "A")
                .sequence(version).capturedNow().toApply().build();
    }

    private void enqueue(List<ChangeRecord> changes, ChangeRecordSchema schema) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonRecordSetWriter writer = new JsonRecordSetWriter(schema.schema(), out)) {
            writer.beginRecordSet();
            for (ChangeRecord change : changes) {
                writer.write(schema.toRecord(change));
            }
            writer.finishRecordSet();
        }
        apply.enqueue(out.toByteArray(), Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(schema.schema()),
                BisyncAttributes.TABLE, "customer"));
    }

    /** Every message logged at any level, with its arguments and the messages of a logged exception and its causes. */
    static String logged(TestRunner runner) {
        MockComponentLog log = (MockComponentLog) runner.getLogger();
        return String.join("\n", texts(Stream.of(log.getErrorMessages(), log.getWarnMessages(), log.getInfoMessages(),
                log.getDebugMessages(), log.getTraceMessages()).flatMap(List::stream).toList()));
    }

    static List<String> texts(List<LogMessage> messages) {
        List<String> texts = new ArrayList<>();
        for (LogMessage message : messages) {
            StringBuilder text = new StringBuilder(String.valueOf(message.getMsg()));
            if (message.getArgs() != null) {
                for (Object arg : message.getArgs()) {
                    text.append(" | ").append(arg);
                    if (arg instanceof Throwable t) {
                        appendCauses(text, t);
                    }
                }
            }
            appendCauses(text, message.getThrowable());
            texts.add(text.toString());
        }
        return texts;
    }

    private static void appendCauses(StringBuilder text, Throwable throwable) {
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            text.append(" | ").append(t.getMessage());
            if (t instanceof SQLException sql && sql.getNextException() != null) {
                text.append(" | ").append(sql.getNextException().getMessage());
            }
        }
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = target.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT id, name FROM customer ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }

}
