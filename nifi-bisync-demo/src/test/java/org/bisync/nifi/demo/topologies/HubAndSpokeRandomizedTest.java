/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped hub-and-spoke template on real engines (PostgreSQL hub, MariaDB and SQLite spokes) under every automatic
 * strategy: random inserts, updates of random fields and deletes on a few overlapping keys on all three systems,
 * interleaved with flow rounds, while the harness duplicates and reorders FlowFiles on every queue into Resolve and
 * Apply; fixed seeds. After quiet all three tables, and their version rows, are identical and every change copy ended
 * exactly once per target.
 */
class HubAndSpokeRandomizedTest {

    private static final int KEYS = 6;
    private static final int OPERATIONS = 90;
    private static final List<String> FIELDS = List.of("name", "email", "balance");
    private static final Predicate<String> QUEUES = name -> name.startsWith("Changes ") || name.startsWith("To resolve ")
            || name.startsWith("To apply ");

    private static String topology(String strategy) {
        String fields = strategy.equals("FIELD_OWNER")
                ? ", \"fields\": {\"name\": {\"owner\": \"mariadb\"}, \"email\": {\"owner\": \"sqlite\"}}" : "";
        return """
                {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}, {"id": "sqlite", "priority": 3}],
                 "hub": "postgresql",
                 "tables": [{"name": "customer", "direction": "TWO_WAY", "strategy": "%s", "exclude": ["touch_count"]%s}]}"""
                .formatted(strategy, fields);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({"LAST_WRITE_WINS, 41", "SYSTEM_PRIORITY, 42", "FIELD_NEWEST, 43", "FIELD_OWNER, 44"})
    void randomEditsOnThreeSystemsWithDuplicatedAndReorderedDeliveriesEndIdentical(String strategy, long seed) throws Exception {
        String name = "topo_hub_random_" + strategy.toLowerCase();
        List<DataSource> systems = List.of(EmbeddedDatabases.postgres(name), EmbeddedDatabases.mariadb(name), EmbeddedDatabases.sqlite(name));
        for (DataSource ds : systems) {
            SampleTable.create(ds);
        }
        RegisteredFlowSnapshot template = Templates.all().get("hub-and-spoke-three-systems.json");
        FlowHarness.Builder builder = FlowHarness.builder(template)
                .dataSource("postgresql", systems.get(0)).dataSource("mariadb", systems.get(1)).dataSource("sqlite", systems.get(2))
                .parameter("Sync Topology Definition", topology(strategy))
                .duplicate(QUEUES, 0.3).reorder(QUEUES).seed(seed)
                .log(line -> System.out.println("[" + name + "] " + line));
        try (FlowHarness harness = builder.build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());
            Random random = new Random(seed);
            int operations = 0;
            for (int i = 0; i < OPERATIONS; i++) {
                DataSource side = systems.get(random.nextInt(systems.size()));
                long id = 1 + random.nextInt(KEYS);
                int dice = random.nextInt(10);
                String value = strategy.charAt(0) + "" + i;
                if (SampleTable.row(side, id) == null) {
                    if (dice < 7) {
                        Rows.execute(side, "INSERT INTO customer (id, name, email, balance) VALUES (?, ?, ?, ?)", id, "n" + value, "e" + value,
                                new BigDecimal(i + ".25"));
                        operations++;
                    }
                } else if (dice < 2) {
                    Rows.execute(side, "DELETE FROM customer WHERE id = ?", id);
                    operations++;
                } else {
                    String field = FIELDS.get(random.nextInt(FIELDS.size()));
                    Object newValue = field.equals("balance") ? new BigDecimal(i + ".5") : field.charAt(0) + value;
                    Rows.execute(side, "UPDATE customer SET " + field + " = ? WHERE id = ?", newValue, id);
                    operations++;
                }
                if (random.nextInt(4) == 0) {
                    harness.round(); // deliveries interleave with edits: some edits cross, some follow
                }
            }
            Rows.settle(harness);

            List<String> rows = SampleTable.rows(systems.get(0));
            List<String> versions = SampleTable.versionRows(systems.get(0));
            for (DataSource ds : systems.subList(1, 3)) {
                assertEquals(rows, SampleTable.rows(ds), "rows of " + SampleTable.engine(ds) + " and the hub");
                assertEquals(versions, SampleTable.versionRows(ds), "version rows of " + SampleTable.engine(ds) + " and the hub");
            }
            Outcomes outcomes = harness.outcomes();
            assertEquals(List.of(), outcomes.unaccounted(), "every change copy ended exactly once per target");
            assertTrue(outcomes.capturedChanges() >= operations, "every edit was captured");
            Map<Outcomes.Outcome, Integer> ended = outcomes.byOutcome();
            assertEquals(0, ended.getOrDefault(Outcomes.Outcome.FAILED, 0), "no change failed: " + ended);
            System.out.println(strategy + " seed " + seed + ": " + operations + " edits, " + rows.size() + " rows, outcomes " + ended);
        }
    }
}
