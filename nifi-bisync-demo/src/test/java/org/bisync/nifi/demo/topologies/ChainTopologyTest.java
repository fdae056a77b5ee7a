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
 * A ring of one-way hops A -> B -> C -> A (PostgreSQL, MariaDB, SQLite). A sync topology names one hub, so a relay
 * that passes on what it received is configured per hop, as separate flows would be: each hop has its own topology
 * service with the table one-way from the hop's source and the hop's target as hub, so the target's applier writes the
 * history row that carries the change on (with its original version and origin). An edit at A then reaches B and C
 * once each and, arriving back at A, is dropped by PreventLoops (its origin is A) instead of circulating.
 */
class ChainTopologyTest {

    private static String hop(String source, String relay) {
        return """
                {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}, {"id": "C", "priority": 3}],
                 "hub": "%s",
                 "tables": [{"name": "customer", "direction": "ONE_WAY", "source": "%s", "exclude": ["touch_count"]}]}"""
                .formatted(relay, source);
    }

    @Test
    void anEditAtAReachesBAndCOnceAndComesBackToAOnlyToBeDropped() throws Exception {
        DataSource a = EmbeddedDatabases.postgres("topo_chain");
        DataSource b = EmbeddedDatabases.mariadb("topo_chain");
        DataSource c = EmbeddedDatabases.sqlite("topo_chain");
        SampleTable.create(a, b, c);
        try (FlowHarness harness = FlowHarness.builder(new TopologyFlow("chain", "A", "B", "C")
                        .topology("A->B", hop("A", "B")).topology("B->C", hop("B", "C")).topology("C->A", hop("C", "A"))
                        .capture("A", "A->B").capture("B", "B->C").capture("C", "C->A")
                        .direction("A", "B", "A->B").direction("B", "C", "B->C").direction("C", "A", "C->A")
                        .build())
                .dataSource("A", a).dataSource("B", b).dataSource("C", c).log(System.out::println).build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());

            SampleTable.execute(a, "INSERT INTO customer (id, name, email, balance) VALUES (1, 'Ada', 'ada@a', 10.00)");
            Rows.settle(harness);
            SampleTable.execute(a, "UPDATE customer SET balance = 12.50 WHERE id = 1");
            Rows.settle(harness);
            int roundsBefore = harness.rounds();
            for (int i = 0; i < 5; i++) {
                harness.round();
            }
            assertEquals(0, harness.lastCaptured(), "nothing circulates after the flow became quiet");

            List<String> expected = List.of("1|Ada|ada@a|12.50|null");
            assertEquals(expected, SampleTable.rows(a));
            assertEquals(expected, SampleTable.rows(b), "the edits reached B");
            assertEquals(expected, SampleTable.rows(c), "the edits reached C through B");

            assertEquals(2, harness.processorCounter(TopologyFlow.apply("A", "B"), "Changes applied"), "B applied each edit once");
            assertEquals(2, harness.processorCounter(TopologyFlow.apply("B", "C"), "Changes applied"), "C applied each edit once");
            assertEquals(0, harness.processorCounter(TopologyFlow.apply("C", "A"), "Changes applied"), "nothing was applied back into A");
            assertEquals(2, harness.processorCounter(TopologyFlow.prevent("C", "A"), "Loops prevented"),
                    "both edits came back to A and were dropped there, as changes whose origin is A");
            Outcomes outcomes = harness.outcomes();
            assertEquals(6, outcomes.capturedChanges(), "two edits, each captured at A and forwarded once by B and once by C");
            assertEquals(2, outcomes.byOutcome("A").getOrDefault(Outcomes.Outcome.DROPPED_BY_PREVENT_LOOPS, 0));
            assertEquals(List.of(), outcomes.unaccounted());
            assertEquals(roundsBefore + 5, harness.rounds());
        }
    }
}
