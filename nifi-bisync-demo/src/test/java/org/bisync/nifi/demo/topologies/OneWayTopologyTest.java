/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One-way tables and one-way (read-only, managed) fields between PostgreSQL (system A) and MariaDB (system B), both
 * directions of the flow running: a one-way table flows only from its source; a one-way field inside a two-way table
 * flows only from its owner while the row's other fields flow both ways.
 */
class OneWayTopologyTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "price", "direction": "ONE_WAY", "source": "A"},
                        {"name": "account", "fields": {"credit_limit": {"owner": "A", "oneWay": true}}}]}""";

    private DataSource a;
    private DataSource b;

    /** Fresh databases with both tables, and the flow started (captures installed their triggers). */
    private FlowHarness start(String database) throws Exception {
        a = EmbeddedDatabases.postgres(database);
        b = EmbeddedDatabases.mariadb(database);
        for (DataSource ds : List.of(a, b)) {
            SampleTable.execute(ds, "CREATE TABLE price (sku VARCHAR(20) NOT NULL PRIMARY KEY, amount DECIMAL(10,2))",
                    "CREATE TABLE account (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), credit_limit DECIMAL(12,2))");
        }
        FlowHarness harness = FlowHarness.builder(new TopologyFlow("one-way", "A", "B")
                        .topology("t", TOPOLOGY)
                        .capture("A", "t").capture("B", "t")
                        .direction("A", "B", "t").direction("B", "A", "t")
                        .build())
                .dataSource("A", a).dataSource("B", b).log(System.out::println).build();
        harness.round();
        assertEquals(0, harness.failedRuns(), harness.lastFailure());
        return harness;
    }

    @Test
    void aOneWayTableCarriesTheSourcesEditsAndNeverTheTargets() throws Exception {
        try (FlowHarness harness = start("topo_one_way_table")) {
            SampleTable.execute(a, "INSERT INTO price VALUES ('apple', 1.10)", "INSERT INTO price VALUES ('pear', 2.20)");
            Rows.settle(harness);
            assertEquals(List.of("apple|1.1", "pear|2.2"), Rows.of(b, "price", "sku", "amount"), "A's inserts reached B");

            SampleTable.execute(b, "UPDATE price SET amount = 9.99 WHERE sku = 'apple'",
                    "INSERT INTO price VALUES ('plum', 3.30)", "DELETE FROM price WHERE sku = 'pear'");
            Rows.settle(harness);
            assertEquals(List.of("apple|1.1", "pear|2.2"), Rows.of(a, "price", "sku", "amount"), "B's edits were not sent to A");
            assertEquals(List.of("apple|9.99", "plum|3.3"), Rows.of(b, "price", "sku", "amount"), "B keeps its local edits");
            assertEquals(0, harness.outcomes().deliveredTo("A"), "nothing of the one-way table travelled towards A");

            SampleTable.execute(a, "UPDATE price SET amount = 1.25 WHERE sku = 'apple'", "UPDATE price SET amount = 2.50 WHERE sku = 'pear'");
            Rows.settle(harness);
            assertEquals(List.of("apple|1.25", "pear|2.5"), Rows.of(a, "price", "sku", "amount"));
            assertEquals(List.of("apple|1.25", "pear|2.5", "plum|3.3"), Rows.of(b, "price", "sku", "amount"),
                    "A's later edits reached B and overwrote B's local values (B's local-only row stays)");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    @Test
    void aOneWayFieldFlowsOnlyFromItsOwnerWhileTheRowsOtherFieldsFlowBothWays() throws Exception {
        try (FlowHarness harness = start("topo_one_way_field")) {
            SampleTable.execute(a, "INSERT INTO account VALUES (1, 'Ada', 1000.00)");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada|1000"), Rows.of(b, "account", "id", "name", "credit_limit"));

            SampleTable.execute(a, "UPDATE account SET credit_limit = 1500.00 WHERE id = 1");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada|1500"), Rows.of(b, "account", "id", "name", "credit_limit"), "the owner's edit reached B");

            SampleTable.execute(b, "UPDATE account SET credit_limit = 999999.00 WHERE id = 1");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada|1500"), Rows.of(a, "account", "id", "name", "credit_limit"), "B's edit of the owned field did not travel");

            SampleTable.execute(b, "UPDATE account SET name = 'Ada Lovelace' WHERE id = 1");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada Lovelace|1500"), Rows.of(a, "account", "id", "name", "credit_limit"),
                    "B's edit of another field reached A, without B's value of the owned field");
            assertEquals(List.of("1|Ada Lovelace|999999"), Rows.of(b, "account", "id", "name", "credit_limit"));

            SampleTable.execute(a, "UPDATE account SET credit_limit = 2000.00 WHERE id = 1");
            Rows.settle(harness);
            List<String> expected = List.of("1|Ada Lovelace|2000");
            assertEquals(expected, Rows.of(a, "account", "id", "name", "credit_limit"));
            assertEquals(expected, Rows.of(b, "account", "id", "name", "credit_limit"), "the owner's next edit settles B");
            assertEquals(List.of(), harness.outcomes().unaccounted());
            assertEquals(0, harness.outcomes().byOutcome().getOrDefault(Outcomes.Outcome.FAILED, 0));
        }
    }
}
