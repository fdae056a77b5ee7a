/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.conflicts;

import org.bisync.nifi.demo.harness.Outcomes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.bisync.nifi.demo.conflicts.TwoWayPair.insert;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.row;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.update;
import static org.bisync.nifi.demo.conflicts.TwoWayPair.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random inserts, updates (of random fields) and deletes on a few overlapping keys on both PostgreSQL and MariaDB,
 * interleaved with flow rounds, while the harness duplicates FlowFiles (capture's output, into Resolve, into Apply) and
 * shuffles the queues; fixed seeds. After quiet both tables, and their versions, are identical and every change copy
 * ended exactly once per target.
 */
class ConflictRandomizedTest {

    private static final int KEYS = 8;
    private static final int OPERATIONS = 120;
    private static final List<String> FIELDS = List.of("name", "email", "phone", "balance");

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({
            "LAST_WRITE_WINS, 11",
            "SYSTEM_PRIORITY, 21",
            "FIELD_NEWEST, 31",
    })
    void randomEditsWithDuplicatedAndReorderedDeliveriesEndIdentical(String strategy, long seed) throws Exception {
        try (TwoWayPair pair = TwoWayPair.setup("random_" + strategy.toLowerCase() + "_" + seed).strategy(strategy)
                .faults(seed, 0.3, true).start()) {
            Random random = new Random(seed);
            int operations = 0;
            for (int i = 0; i < OPERATIONS; i++) {
                DataSource side = random.nextBoolean() ? pair.pg : pair.maria;
                long id = 1 + random.nextInt(KEYS);
                int dice = random.nextInt(10);
                String value = strategy.charAt(0) + "" + i;
                if (row(side, id) == null) {
                    if (dice < 7) {
                        insert(side, id, "n" + value, "e" + value, "p" + value, String.valueOf(i));
                        operations++;
                    }
                } else if (dice < 2) {
                    update(side, "DELETE FROM contact WHERE id = ?", id);
                    operations++;
                } else {
                    String field = FIELDS.get(random.nextInt(FIELDS.size()));
                    Object newValue = field.equals("balance") ? new BigDecimal(i + ".5") : field.charAt(0) + value;
                    update(side, "UPDATE contact SET " + field + " = ? WHERE id = ?", newValue, id);
                    operations++;
                }
                if (random.nextInt(4) == 0) {
                    pair.harness.round(); // deliveries interleave with edits: some edits cross, some follow
                }
            }
            pair.sync();
            List<String> rows = pair.assertIdentical();
            for (long id = 1; id <= KEYS; id++) {
                assertEquals(version(pair.pg, id), version(pair.maria, id), "row " + id + " has the same version on both sides");
            }
            Outcomes outcomes = pair.harness.outcomes();
            assertEquals(List.of(), outcomes.unaccounted(), "every change copy ended exactly once per target");
            assertTrue(outcomes.capturedChanges() >= operations, "every edit was captured");
            Map<Outcomes.Outcome, Integer> ended = outcomes.byOutcome();
            assertEquals(0, ended.getOrDefault(Outcomes.Outcome.FAILED, 0), "no change failed: " + ended);
            System.out.println(strategy + " seed " + seed + ": " + operations + " edits, " + rows.size() + " rows, outcomes " + ended
                    + ", conflicts won " + pair.harness.counter("ResolveConflicts", "Conflicts won") + ", lost "
                    + pair.harness.counter("ResolveConflicts", "Conflicts lost") + ", merged "
                    + pair.harness.counter("ResolveConflicts", "Changes merged"));
        }
    }
}
