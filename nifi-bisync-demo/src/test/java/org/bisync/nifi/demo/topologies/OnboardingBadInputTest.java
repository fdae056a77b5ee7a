/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first activation on tables that cannot be matched across the systems (two-way template, PostgreSQL and MariaDB,
 * both captures with Initial Load "Existing Rows"): a key of a different kind of type on each side, a sync key column
 * missing on one side. Nothing is written into either table, every loaded row that cannot be decided waits in a failure
 * queue with a message naming the table, the column and the systems, and the processors say the same.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class OnboardingBadInputTest {

    private static FlowHarness harness(DataSource pg, DataSource maria, String topology, String name) {
        return FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                .dataSource("postgresql", pg).dataSource("mariadb", maria)
                .parameter("Sync Topology Definition", topology)
                .processorProperty("Capture PostgreSQL", "Initial Load", "Existing Rows")
                .processorProperty("Capture MariaDB", "Initial Load", "Existing Rows")
                .log(line -> System.out.println("[" + name + "] " + line)).build();
    }

    private static List<String> errors(FlowHarness harness) {
        return harness.heldRecords("Failed changes").stream().map(r -> r.getAsString("error")).distinct().toList();
    }

    @Test
    void aKeyOfDifferentTypesOnEachSideFailsTheLoadedRowsNamingTheFieldAndEachSystemsType() throws Exception {
        String name = "onboard_bad_key_types";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.execute(pg, "CREATE TABLE account (code bigint PRIMARY KEY, name varchar(40))",
                "INSERT INTO account VALUES (1, 'pg one'), (2, 'pg two')");
        SampleTable.execute(maria, "CREATE TABLE account (code varchar(20) PRIMARY KEY, name varchar(40))",
                "INSERT INTO account VALUES ('A-1', 'maria one')");
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "account"}]}""";
        try (FlowHarness harness = harness(pg, maria, topology, name)) {
            harness.runUntilQuiet(200, r -> { });
            List<Record> failed = harness.heldRecords("Failed changes");
            assertEquals(3, failed.size(), "every loaded row waits in a failure queue, nothing is lost: " + errors(harness));
            for (String error : errors(harness)) {
                assertTrue(error.contains("'account'") && error.contains("sync key field 'code' has different types")
                        && error.contains("postgresql=integer (int8)") && error.contains("mariadb=text (VARCHAR)"), error);
            }
            assertEquals(List.of("1|pg one", "2|pg two"), Rows.of(pg, "account", "code", "name"), "nothing was written");
            assertEquals(List.of("A-1|maria one"), Rows.of(maria, "account", "code", "name"));
        }
    }

    @Test
    void aSyncKeyColumnMissingOnOneSideIsNamedWithItsSystemAndTheLoadedRowsWait() throws Exception {
        String name = "onboard_missing_sync_key";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        SampleTable.execute(pg, "CREATE TABLE contact (id serial PRIMARY KEY, email varchar(80) NOT NULL UNIQUE, name varchar(40))",
                "INSERT INTO contact (email, name) VALUES ('a@x', 'pg a'), ('b@x', 'pg b')");
        SampleTable.execute(maria, "CREATE TABLE contact (id int AUTO_INCREMENT PRIMARY KEY, mail varchar(80) NOT NULL UNIQUE, name varchar(40))",
                "INSERT INTO contact (mail, name) VALUES ('a@x', 'maria a')");
        String topology = """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "contact", "syncKey": ["email"]}]}""";
        try (FlowHarness harness = harness(pg, maria, topology, name)) {
            // MariaDB's capture fails every run, so the flow is never quiet: run until the rest has nothing left to move
            for (int round = 0; round < 200 && (harness.lastFailure() == null || harness.queued() > 0); round++) {
                harness.round();
            }
            String expected = "Table 'contact' in system 'mariadb': sync key column 'email' does not exist";
            assertTrue(harness.lastFailure() != null && harness.lastFailure().contains(expected),
                    "the capture of the system that lacks it fails its runs naming it: " + harness.lastFailure());
            List<Record> failed = harness.heldRecords("Failed changes");
            assertFalse(failed.isEmpty(), "PostgreSQL's loaded rows wait in the failure queue into MariaDB");
            for (String error : errors(harness)) {
                assertTrue(error.contains(expected), error);
            }
            assertEquals(List.of("a@x|maria a"), Rows.of(maria, "contact", "mail", "name"), "nothing was written");
            assertEquals(List.of("a@x|pg a", "b@x|pg b"), Rows.of(pg, "contact", "email", "name"));
        }
    }
}
