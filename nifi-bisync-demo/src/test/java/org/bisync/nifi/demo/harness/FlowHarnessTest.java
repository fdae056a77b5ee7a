/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.Position;
import org.apache.nifi.flow.VersionedFunnel;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.templates.FlowBuilder;
import org.bisync.nifi.demo.templates.FlowBuilder.Property;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness on a flow that needs only processors already on main: CaptureTriggerHistory(PostgreSQL) into a funnel,
 * through NiFi's service types replaced by the test stand-ins.
 */
class FlowHarnessTest {

    private static RegisteredFlowSnapshot captureIntoFunnel() {
        FlowBuilder builder = new FlowBuilder("harness-test", "Capture only", null, "harness test");
        String topology = builder.parameter("Topology", null, """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
                 "tables": [{"name": "customer", "exclude": ["touch_count"]}]}""", false);
        String pool = builder.id("pool");
        builder.service("pool", "PostgreSQL pool", Templates.DBCP_POOL, FlowBuilder.bundle("org.apache.nifi", "nifi-dbcp-service-nar", "2.8.0"),
                List.of(), List.of(Property.of("Database Connection URL", builder.parameter("URL", null, "jdbc:postgresql://x/y", false)),
                        Property.sensitive("Password", builder.parameter("Password", null, null, true))), null);
        String unusedPool = builder.id("pool-maria");
        builder.service("pool-maria", "MariaDB pool", Templates.DBCP_POOL, null, List.of(), List.of(), null);
        builder.service("topology", "Topology", Templates.TOPOLOGY_SERVICE, null, List.of(),
                List.of(Property.of("Topology Definition", topology), Property.dynamicService("postgresql", pool),
                        Property.dynamicService("mariadb", unusedPool)), null);
        builder.service("writer", "Writer", Templates.JSON_WRITER, null, List.of(), List.of(), null);
        VersionedProcessor capture = builder.processor("capture", "Capture PostgreSQL", Templates.CAPTURE, null,
                List.of(Property.service("Sync Topology Service", builder.id("topology")), Property.of("System ID", "postgresql"),
                        Property.service("Record Writer", builder.id("writer")), Property.of("Maintenance Interval", "0 sec")),
                new Position(0, 0), null);
        VersionedFunnel funnel = builder.funnel("captured", new Position(0, 300));
        builder.connect("Captured changes", capture, Set.of("success"), funnel, 1000L, "1 GB", null);
        builder.connect("Capture failures", capture, Set.of("failure"), funnel, 1000L, "1 GB", null);
        return builder.build();
    }

    @Test
    void capturedChangesTravelTheTemplatesConnectionsAndARestartLosesNothing() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("harness_capture");
        DataSource maria = EmbeddedDatabases.postgres("harness_capture_unused");
        SampleTable.create(pg);
        try (FlowHarness harness = FlowHarness.builder(captureIntoFunnel())
                .dataSource("postgresql", pg).dataSource("mariadb", maria)
                .parameter("Password", "").log(System.out::println)
                .build()) {
            harness.round(); // starts capture: installs the triggers
            SampleTable.execute(pg, "INSERT INTO customer (id, name) VALUES (1, 'Ada')",
                    "INSERT INTO customer (id, name) VALUES (2, 'Bob')");
            harness.round();
            harness.restart("Capture PostgreSQL");
            SampleTable.execute(pg, "UPDATE customer SET name = 'Ada L.' WHERE id = 1", "DELETE FROM customer WHERE id = 2");
            assertTrue(harness.runUntilQuiet(2_000, r -> { }));

            List<Record> held = harness.heldRecords("Capture");
            assertEquals(List.of("INSERT", "INSERT", "UPDATE", "DELETE"), held.stream().map(r -> r.getAsString("operation")).toList());
            assertEquals(4, harness.outcomes().capturedChanges());
            assertEquals(4, harness.outcomes().captureEmissions(), "the restart re-emitted nothing");
            assertEquals(4, harness.counter("CaptureTriggerHistory", "Changes captured"));
            assertEquals(0, harness.queued());
        }
    }

    @Test
    void aDuplicatingConnectionDeliversSecondCopies() throws Exception {
        DataSource pg = EmbeddedDatabases.postgres("harness_duplicate");
        SampleTable.create(pg);
        try (FlowHarness harness = FlowHarness.builder(captureIntoFunnel())
                .dataSource("postgresql", pg).dataSource("mariadb", pg)
                .parameter("Password", "").log(System.out::println)
                .duplicate(name -> name.equals("Captured changes"), 1.0)
                .build()) {
            harness.round();
            SampleTable.execute(pg, "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
            assertTrue(harness.runUntilQuiet(2_000, r -> { }));
            assertEquals(2, harness.heldRecords("Capture").size());
            assertEquals(1, harness.outcomes().capturedChanges());
        }
    }
}
