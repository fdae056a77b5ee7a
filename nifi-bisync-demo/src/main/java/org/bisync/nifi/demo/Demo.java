/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.harness.Outcomes;
import org.bisync.nifi.demo.harness.Outcomes.Outcome;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Two-way sync of a customer table between an embedded PostgreSQL and an embedded MariaDB, through the processors of
 * templates/two-way-postgresql-mariadb.json run headless: writers edit both sides at once, some rows are edited on
 * both sides on purpose (conflicts), and a user trigger on MariaDB bumps a column on every update (a loop attempt;
 * the column is excluded from the sync). Ends with a summary and fails when the two sides differ.
 *
 * <p>Run: {@code ./mvnw -q -Pdemo package -DskipTests}
 */
public final class Demo {

    private static final int CONFLICT_ROWS = 5;
    private static final long FIRST_CONFLICT_ID = 1001;

    private Demo() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args) ? 0 : 1;
        } catch (Exception | Error e) {
            e.printStackTrace(System.out);
            status = 2;
        }
        System.out.flush();
        // the embedded servers and nifi-mock leave non-daemon threads: end the JVM (shutdown hooks stop the servers)
        System.exit(status);
    }

    /** @return true when both sides ended identical */
    static boolean run(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 2026;
        long begin = System.currentTimeMillis();
        say("nifi-bisync demo: two-way PostgreSQL <-> MariaDB (seed " + seed + ")");
        say("starting embedded PostgreSQL 17 and MariaDB " + EmbeddedDatabases.MARIADB_VERSION + " ...");
        DataSource postgres = EmbeddedDatabases.postgres("bisync_demo");
        DataSource mariadb = EmbeddedDatabases.mariadb("bisync_demo");

        TwoWayScenario scenario = new TwoWayScenario(postgres, mariadb,
                new TwoWayScenario.Settings(seed, 2, 300, 60, 5, 0.1, true, 2_000), message -> { });
        say("flow: " + scenario.flow().getFlowContents().getName());
        try (FlowHarness harness = scenario.start()) {
            say("customer table created on both sides; triggers installed by CaptureTriggerHistory");
            say("MariaDB has a user trigger bumping customer.touch_count on every update (column excluded from the sync)");

            // rows both sides will edit at the same moment
            for (long id = FIRST_CONFLICT_ID; id < FIRST_CONFLICT_ID + CONFLICT_ROWS; id++) {
                SampleTable.execute(postgres, "INSERT INTO customer (id, name, email, balance) VALUES (" + id
                        + ", 'Conflict row " + id + "', 'row" + id + "@example.org', 100.00)");
            }
            harness.runUntilQuiet(2_000, round -> { });
            List<String[]> conflicts = new ArrayList<>();
            for (long id = FIRST_CONFLICT_ID; id < FIRST_CONFLICT_ID + CONFLICT_ROWS; id++) {
                String pgName = "edited in PostgreSQL";
                String mariaName = "edited in MariaDB";
                // alternate who writes last: last-write-wins must pick the later edit on both sides
                if (id % 2 == 0) {
                    SampleTable.execute(postgres, "UPDATE customer SET name = '" + pgName + "' WHERE id = " + id);
                    SampleTable.execute(mariadb, "UPDATE customer SET name = '" + mariaName + "' WHERE id = " + id);
                } else {
                    SampleTable.execute(mariadb, "UPDATE customer SET name = '" + mariaName + "' WHERE id = " + id);
                    SampleTable.execute(postgres, "UPDATE customer SET name = '" + pgName + "' WHERE id = " + id);
                }
                conflicts.add(new String[] {String.valueOf(id), id % 2 == 0 ? "MariaDB" : "PostgreSQL"});
            }
            say(CONFLICT_ROWS + " rows edited on both sides at the same moment (conflicts)");
            say("4 writer threads (2 per side) now insert, update and delete customers 1..60 on both sides");

            long[] lastPrint = {0};
            TwoWayScenario.Result result = scenario.run(harness, round -> {
                long now = System.currentTimeMillis();
                if (now - lastPrint[0] >= 1000) {
                    lastPrint[0] = now;
                    progress(harness, round);
                }
            });
            progress(harness, new FlowHarness.RoundReport(harness.rounds(), 0, 0, harness.queued(), 0));
            summary(result, conflicts, postgres, mariadb, begin);
            return result.identical() && result.quiet();
        }
    }

    private static void progress(FlowHarness harness, FlowHarness.RoundReport round) {
        Outcomes outcomes = harness.outcomes();
        Map<Outcome, Integer> toMaria = outcomes.byOutcome(TwoWayScenario.MARIA);
        Map<Outcome, Integer> toPg = outcomes.byOutcome(TwoWayScenario.PG);
        say(String.format("[round %4d] captured %5d | PostgreSQL -> MariaDB applied %4d stale %4d | MariaDB -> PostgreSQL applied %4d stale %4d | queued %d",
                round.round(), outcomes.capturedChanges(),
                toMaria.getOrDefault(Outcome.APPLIED, 0), stale(toMaria), toPg.getOrDefault(Outcome.APPLIED, 0), stale(toPg), round.queued()));
    }

    private static int stale(Map<Outcome, Integer> outcomes) {
        return outcomes.getOrDefault(Outcome.STALE_AT_APPLY, 0) + outcomes.getOrDefault(Outcome.STALE_AT_RESOLVE, 0);
    }

    private static void summary(TwoWayScenario.Result result, List<String[]> conflicts, DataSource postgres, DataSource mariadb,
                                long begin) throws Exception {
        FlowHarness harness = result.harness();
        Outcomes outcomes = harness.outcomes();
        long fromPg = outcomes.capturedCounts().keySet().stream().filter(c -> c.sourceSystem().equals(TwoWayScenario.PG)).count();
        long fromMaria = outcomes.capturedCounts().keySet().stream().filter(c -> c.sourceSystem().equals(TwoWayScenario.MARIA)).count();
        int writes = result.writers().stream().mapToInt(w -> w.inserts() + w.updates() + w.deletes()).sum();
        say("");
        say("==================== summary ====================");
        say("writes by the applications:      " + writes + " (+ " + conflicts.size() * 3 + " conflict set-up writes)");
        say("changes PostgreSQL -> MariaDB:   " + fromPg + " captured, " + describe(outcomes.byOutcome(TwoWayScenario.MARIA)));
        say("changes MariaDB -> PostgreSQL:   " + fromMaria + " captured, " + describe(outcomes.byOutcome(TwoWayScenario.PG)));
        say("conflicts detected by ResolveConflicts: " + (harness.counter("ResolveConflicts", "Conflicts won")
                + harness.counter("ResolveConflicts", "Conflicts lost")) + " (incoming won " + harness.counter("ResolveConflicts", "Conflicts won")
                + ", target kept " + harness.counter("ResolveConflicts", "Conflicts lost") + ", by greater version), merged "
                + harness.counter("ResolveConflicts", "Changes merged")
                + ", held for review " + harness.counter("ResolveConflicts", "Conflicts held for review"));
        say("deliberate conflicts (same row edited on both sides, last write wins):");
        for (String[] conflict : conflicts) {
            long id = Long.parseLong(conflict[0]);
            String pg = SampleTable.row(postgres, id);
            String maria = SampleTable.row(mariadb, id);
            say("  customer " + id + ": last edit in " + conflict[1] + " -> PostgreSQL now '" + name(pg) + "', MariaDB now '"
                    + name(maria) + "'" + (pg != null && pg.equals(maria) ? " (same)" : " (DIFFERENT)"));
        }
        say("loops stopped: PreventLoops dropped " + outcomes.byOutcome().getOrDefault(Outcome.DROPPED_BY_PREVENT_LOOPS, 0)
                + " change(s) (counter 'Loops prevented': " + harness.counter("PreventLoops", "Loops prevented") + ", parked "
                + harness.counter("PreventLoops", "Changes parked") + "); MariaDB's user trigger bumped touch_count " + SampleTable.touches(mariadb)
                + " times, none of it captured (excluded column); echoes of applied changes captured: "
                + Math.max(0, outcomes.capturedChanges() - writes - conflicts.size() * 3));
        say("every change accounted for once per target: " + (outcomes.unaccounted().isEmpty() ? "yes" : "NO " + outcomes.unaccounted()));
        say("held for review: " + outcomes.byOutcome().getOrDefault(Outcome.CONFLICT, 0) + ", failed: "
                + outcomes.byOutcome().getOrDefault(Outcome.FAILED, 0));
        say("tombstones of deleted rows: " + result.purge().tombstonesBefore() + " after the flow became quiet, "
                + result.purge().purged() + " purged by PurgeTombstones once every change of "
                + "their key was decided on both sides, " + result.purge().held() + " held, " + result.purge().tombstonesLeft() + " left");
        say("rows: PostgreSQL " + result.postgresRows().size() + ", MariaDB " + result.mariadbRows().size());
        say("both sides identical (all rows, all synced columns): " + (result.identical() ? "yes" : "NO"));
        say("finished in " + (System.currentTimeMillis() - begin) / 1000 + " s, " + harness.rounds() + " rounds");
    }

    private static String describe(Map<Outcome, Integer> outcomes) {
        return outcomes.getOrDefault(Outcome.APPLIED, 0) + " applied, " + stale(outcomes) + " stale (duplicates, echoes or older), "
                + outcomes.getOrDefault(Outcome.CONFLICT, 0) + " held as conflicts, " + outcomes.getOrDefault(Outcome.FAILED, 0) + " failed";
    }

    private static String name(String row) {
        return row == null ? "(deleted)" : row.split("\\|", -1)[1];
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
