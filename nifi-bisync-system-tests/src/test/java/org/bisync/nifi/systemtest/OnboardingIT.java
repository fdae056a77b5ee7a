/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.systemtest.ExistingRows.Winner;
import org.bisync.nifi.systemtest.SyncRun.Direction;
import org.bisync.nifi.systemtest.SyncRun.SystemDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Starting on tables that already hold data", done as a user does it in a real NiFi: PostgreSQL and
 * MariaDB customer tables that already hold rows (alike, differing, on one side only), the two-way template uploaded,
 * its parameters filled, Initial Load set to "Existing Rows" on both captures, the group started while applications
 * write on both sides, and the result checked with the template's audit. Then the same load interrupted by killing
 * NiFi ({@code kill -9}) half-way, and NiFi started again on the same directory.
 */
@ExtendWith(SystemTestNifi.class)
class OnboardingIT {

    private static final String TEMPLATE = "two-way-postgresql-mariadb.json";
    private static final String INITIAL_LOAD = "Initial Load";
    private static final String EXISTING_ROWS = "Existing Rows";
    private static final String LOADED = "Rows loaded initially";
    private static final String AUDIT = "Audit sync consistency";
    private static final String AUDIT_REPORTS = "Audit reports";
    private static final String TOPOLOGY_BY_UPDATED_AT = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
             "tables": [{"name": "customer", "direction": "TWO_WAY", "strategy": "LAST_WRITE_WINS", "timestampField": "updated_at",
                         "exclude": ["touch_count"]}]}""";

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void twoNonEmptyTablesMergeThroughTheUploadedTemplateWhileApplicationsWrite(NifiServer nifi) throws Exception {
        SystemDb pg = SystemDb.postgresql("st_onboard");
        SystemDb maria = SystemDb.mariadb("st_onboard");
        ExistingRows existing = new ExistingRows(400, 40, 200, 200);
        prepareTables(existing, pg, maria);
        List<Direction> directions = List.of(new Direction(pg, maria), new Direction(maria, pg));
        // README step 2: differing rows settled by the later updated_at
        try (SyncRun run = SyncRun.upload(nifi, TEMPLATE, "onboarding", List.of(pg, maria), directions,
                Map.of("Sync Topology Definition", TOPOLOGY_BY_UPDATED_AT))) {
            setInitialLoadOnBothCaptures(run, directions); // step 3
            run.startAndAwaitInstalled(); // step 4
            LoadWriter pgWriter = new LoadWriter("pg", pg.dataSource(), List.of(1L, 2L, 3L, 4L, 5L), 300_000,
                    ids(ExistingRows.PG_ONLY_FROM, 5), 100_000, 50).start();
            LoadWriter mariaWriter = new LoadWriter("maria", maria.dataSource(), List.of(6L, 7L, 8L, 9L, 10L), 400_000,
                    ids(ExistingRows.MARIA_ONLY_FROM, 5), 100_000, 50).start();
            long pgOnlyTo = ExistingRows.PG_ONLY_FROM + existing.pgOnly() - 1;
            long mariaOnlyTo = ExistingRows.MARIA_ONLY_FROM + existing.mariaOnly() - 1;
            System.out.printf("Writers started with %d of PostgreSQL's one-sided rows in MariaDB, %d of MariaDB's in PostgreSQL%n",
                    count(maria.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo), count(pg.dataSource(), ExistingRows.MARIA_ONLY_FROM, mariaOnlyTo));
            // the applications write until each side's one-sided rows have arrived at the other (their deletes included)
            try {
                NifiClient.await("the loaded rows arrived on both sides while the writers write", Duration.ofMinutes(2), () -> {
                    pgWriter.assertWriting();
                    mariaWriter.assertWriting();
                    return pgWriter.writes() >= 30 && mariaWriter.writes() >= 30
                            && count(maria.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo) == count(pg.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo)
                            && count(pg.dataSource(), ExistingRows.MARIA_ONLY_FROM, mariaOnlyTo)
                            == count(maria.dataSource(), ExistingRows.MARIA_ONLY_FROM, mariaOnlyTo);
                });
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + ": PostgreSQL's one-sided rows " + count(pg.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo)
                        + " there, " + count(maria.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo) + " in MariaDB; MariaDB's "
                        + count(maria.dataSource(), ExistingRows.MARIA_ONLY_FROM, mariaOnlyTo) + " there, "
                        + count(pg.dataSource(), ExistingRows.MARIA_ONLY_FROM, mariaOnlyTo) + " in PostgreSQL; " + pgWriter + ", " + mariaWriter
                        + "\nQueues: " + run.queued() + "\nBulletins: " + run.nifi.bulletins(run.flow.groupId()), e);
            }
            pgWriter.stopAndJoin();
            mariaWriter.stopAndJoin();
            assertNoWriteRolledBack(pgWriter, mariaWriter);
            run.awaitQuiet(List.of(pg, maria), queue -> false);

            Map<Long, String> expected = existing.mergedNames(Winner.BY_UPDATED_AT);
            pgWriter.applyTo(expected);
            mariaWriter.applyTo(expected);
            assertMerged(run, existing, Winner.BY_UPDATED_AT, expected, 10);
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
            run.assertEveryChangeAccountedFor(Map.of());
            // the load reads the table as the writers left it at that moment: each existing row once, give or take their writes
            assertLoadedOnce(existing.identical() + existing.differing() + existing.pgOnly(), pgWriter, loaded(run, "Capture PostgreSQL"));
            assertLoadedOnce(existing.identical() + existing.differing() + existing.mariaOnly(), mariaWriter, loaded(run, "Capture MariaDB"));
            assertEquals(pgWriter.writes(), run.counter("Capture PostgreSQL", "Changes captured"),
                    "PostgreSQL's history holds its application's writes only: the load and the merge wrote none");
            assertEquals(mariaWriter.writes(), run.counter("Capture MariaDB", "Changes captured"));

            auditFindsNoDifference(run, expected.size()); // step 5
        }
    }

    /**
     * The load of the template's topology as shipped (last-write-wins without a timestamp field: MariaDB, the higher
     * priority, wins the rows that differ) interrupted by {@code kill -9} of NiFi once the first loaded rows are applied,
     * with applications writing on both sides before, while NiFi is down and after it is back: NiFi started again on the
     * same directory resumes the load from its queues without loading again, and every row ends once, as the strategy
     * and the writers left it, written no more often than the merge needs.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void loadInterruptedByKillingNifiContinuesAfterRestartWithNothingLostOrDuplicated(NifiServer nifi) throws Exception {
        SystemDb pg = SystemDb.postgresql("st_onboard_restart");
        SystemDb maria = SystemDb.mariadb("st_onboard_restart");
        ExistingRows existing = new ExistingRows(1000, 100, 5_000, 5_000);
        prepareTables(existing, pg, maria);
        List<Direction> directions = List.of(new Direction(pg, maria), new Direction(maria, pg));
        try (SyncRun run = SyncRun.upload(nifi, TEMPLATE, "onboarding-restart", List.of(pg, maria), directions, Map.of())) {
            setInitialLoadOnBothCaptures(run, directions);
            run.startAndAwaitInstalled();
            LoadWriter pgWriter = new LoadWriter("pg", pg.dataSource(), List.of(1L, 2L, 3L, 4L, 5L), 300_000,
                    ids(ExistingRows.PG_ONLY_FROM, 20), 100_000, 200).start();
            LoadWriter mariaWriter = new LoadWriter("maria", maria.dataSource(), List.of(6L, 7L, 8L, 9L, 10L), 400_000,
                    ids(ExistingRows.MARIA_ONLY_FROM, 20), 100_000, 200).start();
            long pgOnlyTo = ExistingRows.PG_ONLY_FROM + existing.pgOnly() - 1;
            NifiClient.await("the first loaded rows of PostgreSQL applied in MariaDB", Duration.ofMinutes(2),
                    () -> count(maria.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo) > 0);
            nifi.kill();
            long copied = ExistingRows.count(maria.dataSource(), ExistingRows.PG_ONLY_FROM, pgOnlyTo);
            System.out.println("NiFi killed with " + copied + " of PostgreSQL's " + existing.pgOnly() + " one-sided rows in MariaDB");
            assertTrue(copied < existing.pgOnly() - 20, "the load was still on its way when NiFi was killed: " + copied + " copied");

            nifi.restart(Duration.ofMinutes(4));
            int writesBefore = pgWriter.writes();
            NifiClient.await("writes made after the restart", Duration.ofMinutes(1), () -> pgWriter.writes() > writesBefore + 10);
            pgWriter.stopAndJoin();
            mariaWriter.stopAndJoin();
            assertNoWriteRolledBack(pgWriter, mariaWriter);
            long quietFrom = System.nanoTime();
            run.awaitQuiet(List.of(pg, maria), queue -> false);
            System.out.printf("Quiet %d s after the writers stopped (%d + %d writes)%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - quietFrom),
                    pgWriter.writes(), mariaWriter.writes());

            Map<Long, String> expected = existing.mergedNames(Winner.MARIADB);
            pgWriter.applyTo(expected);
            mariaWriter.applyTo(expected);
            assertMerged(run, existing, Winner.MARIADB, expected, 10);
            assertEquals(0, loaded(run, "Capture PostgreSQL") + loaded(run, "Capture MariaDB"),
                    "the restarted captures did not load again (their cluster state says the load is done)");
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
        }
    }

    private static long count(DataSource dataSource, long from, long to) {
        try {
            return ExistingRows.count(dataSource, from, to);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void prepareTables(ExistingRows existing, SystemDb pg, SystemDb maria) throws SQLException {
        SampleTable.create(pg.dataSource());
        SampleTable.create(maria.dataSource());
        existing.fill(pg.dataSource(), true);
        existing.fill(maria.dataSource(), false);
        // an application's own trigger: counts every UPDATE of a row, so a write the merge should not make shows
        SampleTable.installTouchTrigger(pg.dataSource());
        SampleTable.installTouchTrigger(maria.dataSource());
    }

    /** README step 3: Initial Load "Existing Rows" on the CaptureTriggerHistory of every system that sends the table. */
    private static void setInitialLoadOnBothCaptures(SyncRun run, List<Direction> directions) {
        for (Direction direction : directions) {
            run.nifi.setProcessorProperties(run.id(direction.capture()), Map.of(INITIAL_LOAD, EXISTING_ROWS));
        }
    }

    /**
     * Both sides hold the same rows and the same version of every key, each row ends as {@code expected} (id to name),
     * and no row was written more often than the merge needs: the users' update trigger never fired on a row alike on
     * both sides (ids above {@code writtenIds}) or on a one-sided row, and fired exactly once on the losing side of a
     * differing row.
     */
    private static void assertMerged(SyncRun run, ExistingRows existing, Winner winner, Map<Long, String> expected, long writtenIds)
            throws SQLException {
        SystemDb pg = run.systems.get(0);
        SystemDb maria = run.systems.get(1);
        List<String> expectedNames = expected.entrySet().stream().map(e -> e.getKey() + "|" + e.getValue()).toList();
        assertEquals(expectedNames, ExistingRows.names(pg.dataSource()), "PostgreSQL: every row once, as the strategy and the writers left it");
        assertEquals(expectedNames, ExistingRows.names(maria.dataSource()), "MariaDB: every row once, as the strategy and the writers left it");
        run.assertIdentical(); // every synced column and every version row
        assertEquals(List.of(), ExistingRows.keysWithoutVersion(pg.dataSource()), "PostgreSQL's version table covers every key");
        assertEquals(List.of(), ExistingRows.keysWithoutVersion(maria.dataSource()), "MariaDB's version table covers every key");
        for (SystemDb system : List.of(pg, maria)) {
            DataSource ds = system.dataSource();
            assertEquals(List.of(), ExistingRows.touchedOtherThan(ds, writtenIds + 1, existing.identical(), 0),
                    system.title() + ": rows alike on both sides were not written");
            assertEquals(List.of(), ExistingRows.touchedOtherThan(ds, ExistingRows.PG_ONLY_FROM, Long.MAX_VALUE, 0),
                    system.title() + ": one-sided rows were copied, never updated");
        }
        List<String> pgLost = new ArrayList<>();
        List<String> mariaLost = new ArrayList<>();
        for (long id = existing.firstDiffering(); id <= existing.lastDiffering(); id++) {
            (ExistingRows.pgWins(winner, id) ? mariaLost : pgLost).add(String.valueOf(id));
        }
        assertEquals(pgLost, ExistingRows.touchedOnce(pg.dataSource(), existing.firstDiffering(), existing.lastDiffering()),
                "PostgreSQL's differing rows that lost were overwritten exactly once, the others never");
        assertEquals(mariaLost, ExistingRows.touchedOnce(maria.dataSource(), existing.firstDiffering(), existing.lastDiffering()),
                "MariaDB's differing rows that lost were overwritten exactly once, the others never");
    }

    /**
     * README step 5: the template's AuditSyncConsistency, disabled on upload, enabled and run once with the queues
     * empty: it compares the whole table and reports no missing, extra or differing row.
     */
    private static void auditFindsNoDifference(SyncRun run, int rowsPerSide) {
        String audit = run.id(AUDIT);
        run.nifi.setRunStatus(audit, "STOPPED"); // enable
        run.nifi.setRunStatus(audit, "RUN_ONCE");
        NifiClient.await("the audit's report", Duration.ofMinutes(2), () -> queued(run, AUDIT_REPORTS) == 1);
        run.nifi.awaitStopped(audit, Duration.ofMinutes(1));
        assertEquals(1, run.counter(AUDIT, "Tables audited"));
        for (String counter : List.of("Rows missing", "Rows extra", "Rows differing")) {
            assertEquals(0, run.counter(AUDIT, counter), counter);
        }
        String reports = run.nifi.queues(run.flow.groupId()).stream().filter(q -> q.name().equals(AUDIT_REPORTS)).findFirst()
                .orElseThrow().id();
        List<Map<String, String>> report = run.nifi.queuedAttributes(reports, Duration.ofMinutes(1));
        assertEquals(1, report.size());
        Map<String, String> attributes = report.get(0);
        assertEquals("customer", attributes.get("bisync.table"));
        assertEquals(List.of("0", "0", "0", "0"), List.of(attributes.get("bisync.audit.missing"), attributes.get("bisync.audit.extra"),
                attributes.get("bisync.audit.differing"), attributes.get("record.count")), "the report: " + attributes);
        assertEquals(String.valueOf(2 * rowsPerSide), attributes.get("bisync.audit.rows.compared"), "rows of both sides compared");
        assertEquals(List.of(AUDIT_REPORTS), run.queued().stream().map(NifiClient.Queue::name).toList(), "only the report is queued");
    }

    private static long queued(SyncRun run, String queueName) {
        return run.nifi.queues(run.flow.groupId()).stream().filter(q -> q.name().equals(queueName))
                .mapToLong(NifiClient.Queue::flowFiles).sum();
    }

    /** The applications' writes never were a deadlock victim (the load and Apply take rows in the triggers' order). */
    private static void assertNoWriteRolledBack(LoadWriter... writers) {
        for (LoadWriter writer : writers) {
            assertEquals(0, writer.rolledBack(), writer + ": writes rolled back as a deadlock victim");
        }
    }

    private static void assertLoadedOnce(long existingRows, LoadWriter writer, long loaded) {
        assertTrue(loaded >= existingRows - writer.writes() && loaded <= existingRows + writer.writes(),
                loaded + " rows loaded of " + existingRows + " (the writer made " + writer.writes() + " writes)");
    }

    private static long loaded(SyncRun run, String capture) {
        return run.counter(capture, LOADED);
    }

    private static List<Long> ids(long from, int count) {
        return LongStream.range(from, from + count).boxed().toList();
    }
}
