/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A table matched across systems on a natural key (an e-mail) while each database hands out its own generated primary
 * key: the hub-and-spoke template on PostgreSQL (hub), MariaDB and SQLite, each table with an auto-increment id that
 * starts at 1 everywhere. Inserts on every side get colliding ids, and the rows still meet by e-mail, never by id.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SyncKeyTopologyTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}, {"id": "sqlite", "priority": 3}],
             "hub": "postgresql",
             "tables": [{"name": "contact", "syncKey": ["email"]}]}""";

    @Test
    void collidingAutoIncrementIdsSyncThroughTheNaturalKeyAndEachSystemKeepsItsOwnIds() throws Exception {
        String name = "topo_sync_key";
        DataSource pg = EmbeddedDatabases.postgres(name);
        DataSource maria = EmbeddedDatabases.mariadb(name);
        DataSource sqlite = EmbeddedDatabases.sqlite(name);
        SampleTable.execute(pg, "CREATE TABLE contact (id serial PRIMARY KEY, email varchar(80) NOT NULL UNIQUE, name varchar(80))");
        SampleTable.execute(maria, "CREATE TABLE contact (id int AUTO_INCREMENT PRIMARY KEY, email varchar(80) NOT NULL, "
                + "name varchar(80), UNIQUE KEY contact_email (email))");
        SampleTable.execute(sqlite, "CREATE TABLE contact (id INTEGER PRIMARY KEY, email VARCHAR(80) NOT NULL, name VARCHAR(80))",
                "CREATE UNIQUE INDEX contact_email ON contact (email)");
        RegisteredFlowSnapshot template = Templates.all().get("hub-and-spoke-three-systems.json");
        try (FlowHarness harness = FlowHarness.builder(template)
                .dataSource("postgresql", pg).dataSource("mariadb", maria).dataSource("sqlite", sqlite)
                .parameter("Sync Topology Definition", TOPOLOGY).log(System.out::println).build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());

            // each system's first insert gets id 1
            SampleTable.execute(pg, "INSERT INTO contact (email, name) VALUES ('ada@pg', 'Ada')");
            SampleTable.execute(maria, "INSERT INTO contact (email, name) VALUES ('bob@maria', 'Bob')");
            SampleTable.execute(sqlite, "INSERT INTO contact (email, name) VALUES ('cy@lite', 'Cy')");
            Rows.settle(harness);

            List<String> expected = List.of("ada@pg|Ada", "bob@maria|Bob", "cy@lite|Cy");
            for (DataSource ds : List.of(pg, maria, sqlite)) {
                assertEquals(expected, Rows.of(ds, "contact", "email", "name"), "rows of " + SampleTable.engine(ds));
            }
            assertEquals(List.of("ada@pg|1"), Rows.of(pg, "contact WHERE email = 'ada@pg'", "email", "id"));
            assertEquals(List.of("bob@maria|1"), Rows.of(maria, "contact WHERE email = 'bob@maria'", "email", "id"));
            assertEquals(List.of("cy@lite|1"), Rows.of(sqlite, "contact WHERE email = 'cy@lite'", "email", "id"));
            assertNotEquals(Rows.of(pg, "contact", "email", "id"), Rows.of(maria, "contact", "email", "id"),
                    "each system numbered the rows itself");

            // an update and a delete made where the row has another id reach the right row everywhere
            SampleTable.execute(sqlite, "UPDATE contact SET name = 'Ada L.' WHERE email = 'ada@pg'");
            SampleTable.execute(pg, "DELETE FROM contact WHERE email = 'bob@maria'");
            Rows.settle(harness);
            for (DataSource ds : List.of(pg, maria, sqlite)) {
                assertEquals(List.of("ada@pg|Ada L.", "cy@lite|Cy"), Rows.of(ds, "contact", "email", "name"),
                        "rows of " + SampleTable.engine(ds));
            }
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }
}
