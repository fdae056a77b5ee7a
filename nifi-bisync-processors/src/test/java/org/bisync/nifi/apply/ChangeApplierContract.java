/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.change.Resolution;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.topology.ValidationRule;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bisync.nifi.apply.ApplyDatabase.change;
import static org.bisync.nifi.apply.ApplyDatabase.row;
import static org.bisync.nifi.apply.ApplyDatabase.topology;
import static org.bisync.nifi.apply.ApplyStatus.APPLIED;
import static org.bisync.nifi.apply.ApplyStatus.FAILED;
import static org.bisync.nifi.apply.ApplyStatus.RETRY;
import static org.bisync.nifi.apply.ApplyStatus.RE_RESOLVE;
import static org.bisync.nifi.apply.ApplyStatus.STALE;
import static org.bisync.nifi.change.Operation.DELETE;
import static org.bisync.nifi.change.Operation.INSERT;
import static org.bisync.nifi.change.Operation.UPDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ChangeApplier promises, proved on a real engine; one subclass per engine. Target system is "B". */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ChangeApplierContract {

    ApplyDatabase db;
    final List<String> warnings = new ArrayList<>();

    abstract ApplyDatabase createDatabase() throws SQLException;

    /** DDL of a table {@code name} whose int key {@code id} is generated, with a column {@code name varchar(20)}. */
    abstract String generatedKeyTable(String name);

    /** DDL of a trigger that upper-cases column {@code name} of table {@code table} on insert and update. */
    abstract List<String> upperCaseTrigger(String table);

    /** A connection to the target while it is read-only, as during a failover; closing it makes the target writable again. */
    interface ReadOnlyTarget extends AutoCloseable {
        Connection connection();

        @Override
        void close() throws SQLException;
    }

    /** A read-only target, or null when the engine has no failover that makes one. */
    abstract ReadOnlyTarget readOnlyTarget() throws SQLException;

    @BeforeAll
    void createDatabaseOnce() throws SQLException {
        db = createDatabase();
    }

    private SyncedTable itemTable(String name, SyncTopology[] topologyOut, String hub) throws SQLException {
        db.exec("CREATE TABLE " + name + " (id int PRIMARY KEY, name varchar(20), price decimal(10,2), qty int, CHECK (qty >= 0))");
        SyncTopology topology = topology(hub, TableSettings.twoWay(name));
        topologyOut[0] = topology;
        return db.install(topology, name);
    }

    private Object name(String table, int id) throws SQLException {
        List<List<Object>> rows = db.query("SELECT name FROM " + table + " WHERE id = ?", id);
        return rows.isEmpty() ? "<no row>" : rows.get(0).get(0);
    }

    private static List<ApplyStatus> statuses(ApplyResult result) {
        return result.outcomes().stream().map(ApplyOutcome::status).toList();
    }

    @Test
    void insertsUpdatesAndDeletesAreAppliedWithTheirVersionsAndAreNotCapturedAgain() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_basic", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        ApplyResult inserts = db.apply(applier, item,
                change("t_basic", INSERT, 1, row("name", "one", "price", new BigDecimal("1.50"), "qty", 1), 100, "A"),
                change("t_basic", INSERT, 2, row("name", "two", "price", null, "qty", 2), 100, "A"),
                change("t_basic", INSERT, 3, row("name", "three", "price", BigDecimal.TEN, "qty", 3), 100, "A"));
        assertEquals(List.of(APPLIED, APPLIED, APPLIED), statuses(inserts));
        ChangeRecord update = change("t_basic", UPDATE, 1, row("name", "uno", "price", new BigDecimal("1.50"), "qty", 1), 200, "A");
        update.prevVersion = new Version(100, "A");
        ApplyResult second = db.apply(applier, item, update, change("t_basic", DELETE, 2, null, 200, "A"));
        assertEquals(List.of(APPLIED, APPLIED), statuses(second));

        assertEquals("uno", name("t_basic", 1));
        assertEquals("<no row>", name("t_basic", 2));
        assertEquals(2, db.count("SELECT count(*) FROM t_basic"));
        assertEquals(0, db.count("SELECT count(*) FROM t_basic WHERE id = 1 AND price <> 1.5"));
        assertEquals(Arrays.asList(200L, "A", 100L, "A", false), db.versionRow("t_basic", "id", 1));
        assertEquals(Arrays.asList(200L, "A", 100L, "A", true), db.versionRow("t_basic", "id", 2));
        assertEquals(Arrays.asList(100L, "A", null, null, false), db.versionRow("t_basic", "id", 3));
        assertEquals(0, db.historyCount("t_basic"), "the triggers must skip the applier's writes");
    }

    @Test
    void aLocalInsertOfTheSameNewKeyCommittedWhileApplyDecidesIsNeverOverwritten() throws Exception {
        assumeConcurrentWriters();
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_newkey", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (java.sql.Connection local = db.connect()) {
            local.setAutoCommit(false);
            ApplyDatabase.run(local, List.of("INSERT INTO t_newkey (id, name) VALUES (1, 'local')"));
            java.util.concurrent.Future<ApplyResult> applying = background.submit(
                    () -> db.apply(applier, item, change("t_newkey", INSERT, 1, row("name", "synced"), 100, "A")));
            awaitLockWaits(1, applying); // apply now waits on the uncommitted local row
            local.commit();
            ApplyStatus status = statuses(applying.get(30, java.util.concurrent.TimeUnit.SECONDS)).getFirst();
            // PostgreSQL: the claim of the new key fails and the batch is retried; MariaDB: the locking read waits and sees it
            assertTrue(status == RETRY || status == STALE, String.valueOf(status));
        } finally {
            background.shutdownNow();
        }
        assertEquals("local", name("t_newkey", 1));
        assertEquals("B", db.versionRow("t_newkey", "id", 1).get(1), "the local edit keeps its own version");
        assertEquals(List.of(STALE), statuses(db.apply(applier, item, change("t_newkey", INSERT, 1, row("name", "synced"), 100, "A"))),
                "decided again, the older synced insert loses to the local one");
        assertEquals(0, db.count("SELECT COUNT(*) FROM " + db.versionTable("t_newkey") + " WHERE version_origin = ''"),
                "no placeholder is left behind");
    }

    /** SQL counting this database's sessions that wait on a lock; null when the engine has one writer at a time. */
    abstract String lockWaitsSql();

    /** Skips a test of row locks between concurrent writers on an engine that lets one writer in at a time. */
    private void assumeConcurrentWriters() {
        org.junit.jupiter.api.Assumptions.assumeTrue(lockWaitsSql() != null,
                "one writer at a time: a second writer waits for the whole database, there are no row locks to order");
    }

    /** SQL listing this database's sessions and what they run (for a failure message). */
    abstract String sessionsSql();

    /**
     * Waits until at least {@code waits} sessions wait on a lock, or {@code done} has finished (a write that did not
     * have to wait). Polled every 200 ms: MariaDB refreshes INNODB_TRX only when it was not read for 100 ms.
     */
    private void awaitLockWaits(int waits, java.util.concurrent.Future<?> done) {
        org.bisync.nifi.testsupport.Await.until(() -> (done != null && done.isDone()) || db.count(lockWaitsSql()) >= waits,
                waits + " session(s) wait on a lock", () -> "sessions: " + db.query(sessionsSql()), 200);
    }

    /** An application's single-row write, in autocommit through our triggers: the error it got, or null. */
    private SQLException userWrite(String sql) {
        try (Connection user = db.connect(); java.sql.Statement statement = user.createStatement()) {
            statement.execute(sql);
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    /**
     * Apply waits for a row lock (held by a third session) while an application updates another key of the batch: our
     * trigger takes the application's row, then its version row. Apply used to lock the version rows first and then
     * the rows, the opposite order, and the two deadlocked (the application's statement was the victim).
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anApplicationsUpdateNeverDeadlocksWithApplyOnTheSameKeys() throws Exception {
        assumeConcurrentWriters();
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_lockorder", t, null);
        db.exec("INSERT INTO t_lockorder (id, name, qty) VALUES (1, 'one', 1), (2, 'two', 2)");
        ChangeApplier applier = db.applier(t[0], warnings);
        long newer = System.currentTimeMillis() * 1000L + 3_600_000_000L;
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection gate = db.connect()) {
            gate.setAutoCommit(false);
            ApplyDatabase.run(gate, List.of("SELECT name FROM t_lockorder WHERE id = 1 FOR UPDATE"));
            java.util.concurrent.Future<ApplyResult> applying = background.submit(() -> db.apply(applier, item,
                    change("t_lockorder", UPDATE, 1, row("name", "synced 1", "qty", 1), newer, "A"),
                    change("t_lockorder", UPDATE, 2, row("name", "synced 2", "qty", 2), newer, "A")));
            awaitLockWaits(1, applying);
            java.util.concurrent.Future<SQLException> user = background.submit(() -> userWrite("UPDATE t_lockorder SET qty = 20 WHERE id = 2"));
            awaitLockWaits(2, user);
            gate.commit();
            assertNull(user.get(60, java.util.concurrent.TimeUnit.SECONDS), "the application's own statement failed");
            assertEquals(List.of(APPLIED, APPLIED), statuses(applying.get(60, java.util.concurrent.TimeUnit.SECONDS)));
        } finally {
            background.shutdownNow();
        }
        assertEquals("synced 2", name("t_lockorder", 2));
    }

    /**
     * A new key: apply inserts a key a third session holds uncommitted (so apply waits) while an application inserts
     * another new key of the batch, whose trigger then creates its version row. Apply used to claim the new keys'
     * version rows first, and the application's trigger waited on the claim while apply waited on the application's row.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anApplicationsInsertOfANewKeyNeverDeadlocksWithApplyClaimingIt() throws Exception {
        assumeConcurrentWriters();
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_newkeyorder", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Connection gate = db.connect()) {
            gate.setAutoCommit(false);
            db.dialect.apply().markOrigin(gate, "C"); // the gate's insert is not captured: it holds the row and nothing else
            ApplyDatabase.run(gate, List.of("INSERT INTO t_newkeyorder (id, name, qty) VALUES (1, 'gate', 1)"));
            java.util.concurrent.Future<ApplyResult> applying = background.submit(() -> db.apply(applier, item,
                    change("t_newkeyorder", INSERT, 1, row("name", "synced 1", "qty", 1), 100, "A"),
                    change("t_newkeyorder", INSERT, 2, row("name", "synced 2", "qty", 2), 100, "A")));
            awaitLockWaits(1, applying);
            java.util.concurrent.Future<SQLException> user = background.submit(
                    () -> userWrite("INSERT INTO t_newkeyorder (id, name, qty) VALUES (2, 'user', 2)"));
            awaitLockWaits(2, user);
            gate.rollback();
            db.dialect.apply().clearOrigin(gate);
            gate.commit();
            assertNull(user.get(60, java.util.concurrent.TimeUnit.SECONDS), "the application's own statement failed");
            assertEquals(List.of(APPLIED, STALE), statuses(applying.get(60, java.util.concurrent.TimeUnit.SECONDS)),
                    "the older synced insert of key 2 loses to the application's, decided again once the application's committed");
        } finally {
            background.shutdownNow();
        }
        assertEquals("synced 1", name("t_newkeyorder", 1));
        assertEquals("user", name("t_newkeyorder", 2));
        assertEquals("B", db.versionRow("t_newkeyorder", "id", 2).get(1));
        assertEquals(0, db.count("SELECT COUNT(*) FROM " + db.versionTable("t_newkeyorder") + " WHERE version_origin = ''"),
                "no placeholder is left behind");
    }

    @Test
    void applyingTheSameChangeTwiceChangesNothing() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_twice", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        ChangeRecord insert = change("t_twice", INSERT, 1, row("name", "one", "qty", 1), 100, "A");
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, item, insert)));
        db.exec("UPDATE " + db.versionTable("t_twice") + " SET prev_num = 42");
        ApplyResult again = db.apply(applier, item, insert);
        assertEquals(List.of(STALE), statuses(again));
        assertEquals(Arrays.asList(100L, "A", 42L, null, false), db.versionRow("t_twice", "id", 1), "the version row was not rewritten");
        assertEquals(1, db.count("SELECT count(*) FROM t_twice"));
    }

    @Test
    void anOlderChangeAfterANewerOneIsStale() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_order", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        db.apply(applier, item, change("t_order", INSERT, 1, row("name", "newer"), 200, "A"));
        ApplyResult older = db.apply(applier, item, change("t_order", UPDATE, 1, row("name", "older"), 150, "A"),
                change("t_order", UPDATE, 1, row("name", "lower rank"), 200, "C"));
        assertEquals(List.of(STALE, STALE), statuses(older));
        assertEquals("newer", name("t_order", 1));
        ApplyResult higherRank = db.apply(applier, item, change("t_order", UPDATE, 1, row("name", "same number, B"), 200, "B"));
        assertEquals(List.of(APPLIED), statuses(higherRank), "the whole triple decides: equal numbers go to the higher rank");
    }

    @Test
    void aDeleteLeavesATombstoneThatALateOlderUpdateDoesNotResurrectButANewerInsertDoes() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_tomb", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        db.apply(applier, item, change("t_tomb", INSERT, 1, row("name", "born"), 100, "A"));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, item, change("t_tomb", DELETE, 1, null, 300, "A"))));
        assertEquals(Arrays.asList(300L, "A", 100L, "A", true), db.versionRow("t_tomb", "id", 1));

        ApplyResult late = db.apply(applier, item, change("t_tomb", UPDATE, 1, row("name", "zombie"), 200, "C"));
        assertEquals(List.of(STALE), statuses(late));
        assertEquals("<no row>", name("t_tomb", 1));

        ApplyResult reborn = db.apply(applier, item, change("t_tomb", INSERT, 1, row("name", "reborn"), 400, "C"));
        assertEquals(List.of(APPLIED), statuses(reborn));
        assertEquals("reborn", name("t_tomb", 1));
        assertEquals(Arrays.asList(400L, "C", 300L, "A", false), db.versionRow("t_tomb", "id", 1));
    }

    @Test
    void aDeleteOfARowTheTargetNeverHadStillLeavesATombstone() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_tomb2", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, item, change("t_tomb2", DELETE, 7, null, 300, "A"))));
        assertEquals(List.of(STALE), statuses(db.apply(applier, item, change("t_tomb2", INSERT, 7, row("name", "late"), 100, "A"))));
        assertEquals(0, db.count("SELECT count(*) FROM t_tomb2"));
    }

    @Test
    void aMergeWhoseExpectedVersionIsNoLongerTheTargetsGoesToReResolve() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_cas", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        db.apply(applier, item, change("t_cas", INSERT, 1, row("name", "base"), 100, "A"));
        ChangeRecord lost = change("t_cas", UPDATE, 1, row("name", "merged"), 300, "B");
        lost.decision = Decision.MERGE;
        lost.expectedVersion = new Version(50, "A");
        ChangeRecord noRowExpected = change("t_cas", UPDATE, 1, row("name", "merged"), 300, "B");
        noRowExpected.decision = Decision.MERGE;
        ApplyResult result = db.apply(applier, item, lost, noRowExpected);
        assertEquals(List.of(RE_RESOLVE, RE_RESOLVE), statuses(result));
        assertTrue(result.outcomes().get(0).reason().contains("100@A"), result.outcomes().get(0).reason());
        assertEquals("base", name("t_cas", 1));

        ChangeRecord won = change("t_cas", UPDATE, 1, row("name", "merged"), 300, "B");
        won.decision = Decision.MERGE;
        won.expectedVersion = new Version(100, "A");
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, item, won)));
        assertEquals("merged", name("t_cas", 1));
    }

    private static ChangeRecord fieldChange(String table, Operation operation, int id, Map<String, Object> values, Version version,
                                            Map<String, Version> fieldVersions) {
        ChangeRecord c = change(table, operation, id, operation.removesRow() ? null : values, version.number(), version.origin());
        if (operation.removesRow()) {
            c.before = new LinkedHashMap<>(values);
            c.before.put("id", id);
        }
        c.fieldVersions.putAll(fieldVersions);
        return c;
    }

    private static Map<String, Version> fields(Version name, Version price, Version qty) {
        return Map.of("name", name, "price", price, "qty", qty);
    }

    /**
     * Field-level tables: apply joins each change into what the target holds under the lock, so two changes decided
     * against the same target state both keep their fields, and a tombstone keeps the row's values for an edit newer
     * than the delete to bring back.
     */
    @Test
    void fieldLevelChangesAreJoinedUnderTheLockAndTombstonesKeepTheValuesAFieldEditBringsBack() throws SQLException {
        db.exec("CREATE TABLE t_join (id int PRIMARY KEY, name varchar(20), price decimal(10,2), qty int)");
        SyncTopology topology = topology(null, TableSettings.twoWay("t_join").withStrategy(Strategy.FIELD_NEWEST));
        SyncedTable table = db.install(topology, "t_join");
        ChangeApplier applier = db.applier(topology, warnings);
        Version base = new Version(100, "A");
        db.apply(applier, table, fieldChange("t_join", INSERT, 1, row("name", "n0", "price", new BigDecimal("1.00"), "qty", 1), base,
                fields(base, base, base)));

        // both decided against 100@A: C edited name, A (later, but below C's row version) edited price
        ChangeRecord name = fieldChange("t_join", UPDATE, 1, row("name", "n-c", "price", new BigDecimal("1.00"), "qty", 1),
                new Version(200, "C"), fields(new Version(200, "C"), base, base));
        ChangeRecord price = fieldChange("t_join", UPDATE, 1, row("name", "n0", "price", new BigDecimal("2.00"), "qty", 1),
                new Version(150, "A"), fields(base, new Version(150, "A"), base));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, table, name)));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, table, price)), "joined, not stale below 200@C");
        assertEquals(List.of(List.of("n-c", 2)), db.query("SELECT name, price FROM t_join WHERE id = 1").stream()
                .map(r -> List.of(r.get(0), ((Number) r.get(1)).intValue())).toList());
        assertEquals(Arrays.asList(200L, "C", 200L, "C", false), db.versionRow("t_join", "id", 1));
        assertEquals(List.of(STALE), statuses(db.apply(applier, table, price.copy())), "a duplicate joins to nothing new");

        // A deletes having seen only its own price: the tombstone keeps C's name too
        ChangeRecord delete = fieldChange("t_join", DELETE, 1, row("name", "n0", "price", new BigDecimal("2.00"), "qty", 1),
                new Version(300, "A"), fields(base, new Version(150, "A"), base));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, table, delete)));
        assertEquals(0, db.count("SELECT count(*) FROM t_join"));
        // C edits qty after the delete (C never saw it): the row comes back with the tombstone's name and price
        ChangeRecord qty = fieldChange("t_join", UPDATE, 1, row("name", "n-c", "price", new BigDecimal("1.00"), "qty", 7),
                new Version(400, "C"), fields(new Version(200, "C"), base, new Version(400, "C")));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, table, qty)));
        assertEquals(List.of(List.of("n-c", 2, 7)), db.query("SELECT name, price, qty FROM t_join WHERE id = 1").stream()
                .map(r -> List.of(r.get(0), ((Number) r.get(1)).intValue(), ((Number) r.get(2)).intValue())).toList());
        assertEquals(0, db.historyCount("t_join"), "the triggers skip the applier's writes");
    }

    /**
     * Two systems inserted different keys with the same value of a UNIQUE column: the second insert fails alone with a
     * reason that says so, naming the column (and the index where the engine names it), never the value; the row that
     * holds the value is left as it was. (MariaDB's ON DUPLICATE KEY UPDATE meets the other row instead of raising.)
     */
    @Test
    void aDuplicateValueOfASecondaryUniqueIndexFailsTheRecordNamingTheIndexNotTheValue() throws SQLException {
        db.exec("CREATE TABLE t_unique (id int PRIMARY KEY, email varchar(40), name varchar(20), "
                + "CONSTRAINT uq_t_unique_email UNIQUE (email))");
        SyncTopology topology = topology(null, TableSettings.twoWay("t_unique"));
        SyncedTable table = db.install(topology, "t_unique");
        ChangeApplier applier = db.applier(topology, warnings);
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, table,
                change("t_unique", INSERT, 1, row("email", "ann@example.org", "name", "first"), 100, "A"))));

        ApplyResult result = db.apply(applier, table,
                change("t_unique", INSERT, 2, row("email", "ann@example.org", "name", "second"), 100, "A"),
                change("t_unique", INSERT, 3, row("email", "bob@example.org", "name", "third"), 100, "A"));
        assertEquals(List.of(FAILED, APPLIED), statuses(result), result.toString());
        String reason = result.outcomes().get(0).reason();
        assertTrue(reason.toLowerCase(java.util.Locale.ROOT).contains("unique") && reason.contains("email"), reason);
        assertFalse(reason.contains("missing"), reason);
        assertFalse(reason.contains("ann@example.org"), "no value in the reason: " + reason);
        assertEquals("first", name("t_unique", 1));
        assertEquals("<no row>", name("t_unique", 2));
    }

    @Test
    void anUnresolvedConflictFailsAndTheRestOfTheBatchApplies() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_unresolved", t, null);
        ChangeRecord held = change("t_unresolved", INSERT, 1, row("name", "held"), 100, "A");
        held.decision = Decision.CONFLICT;
        ApplyResult result = db.apply(db.applier(t[0], warnings), item, held, change("t_unresolved", INSERT, 2, row("name", "ok"), 100, "A"));
        assertEquals(List.of(FAILED, APPLIED), statuses(result));
        assertTrue(result.outcomes().get(0).reason().startsWith("Unresolved conflict"), result.outcomes().get(0).reason());
    }

    @Test
    void theOriginMarkerIsClearedAfterAnApplyThatFailedInTheMiddle() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_marker", t, null);
        try (Connection only = db.connect()) {
            ApplyResult result = db.applier(t[0], warnings).apply(only, item, List.of(
                    change("t_marker", INSERT, 1, row("name", "good"), 100, "A"),
                    change("t_marker", INSERT, 2, row("name", "breaks the check", "qty", -1), 100, "A"),
                    change("t_marker", INSERT, 3, row("name", "good too"), 100, "A")));
            assertEquals(List.of(APPLIED, FAILED, APPLIED), statuses(result));
            assertTrue(only.getAutoCommit(), "autoCommit is restored");
            assertEquals(0, db.historyCount("t_marker"));
            only.createStatement().execute("INSERT INTO t_marker (id, name) VALUES (10, 'local write')");
        }
        assertEquals(1, db.historyCount("t_marker"), "a local write on the applier's connection is captured");
        assertEquals(3, db.count("SELECT count(*) FROM t_marker"));
    }

    @Test
    void valuesTheTargetCannotHoldFailOnlyTheirOwnRecord() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_values", t, null);
        ApplyResult result = db.apply(db.applier(t[0], warnings), item,
                change("t_values", INSERT, 1, row("name", "x".repeat(21)), 100, "A"),
                change("t_values", INSERT, 2, row("name", "fine", "price", new BigDecimal("1.234")), 100, "A"),
                change("t_values", INSERT, 3, row("name", "fine", "price", new BigDecimal("1.23")), 100, "A"));
        assertEquals(List.of(FAILED, FAILED, APPLIED), statuses(result));
        assertEquals("name", result.outcomes().get(0).field());
        assertEquals("price", result.outcomes().get(1).field());
        assertEquals(1, db.count("SELECT count(*) FROM t_values"));
        assertNull(db.versionRow("t_values", "id", 1));
    }

    @Test
    void aForeignKeyViolationGoesToRetryAloneAndTheOthersCommit() throws SQLException {
        db.exec("CREATE TABLE fk_parent (id int PRIMARY KEY)", "INSERT INTO fk_parent VALUES (1)",
                "CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int, FOREIGN KEY (parent_id) REFERENCES fk_parent (id))");
        SyncTopology topology = topology(null, TableSettings.twoWay("fk_child"));
        SyncedTable child = db.install(topology, "fk_child");
        ApplyResult result = db.apply(db.applier(topology, warnings), child,
                change("fk_child", INSERT, 1, row("parent_id", 1), 100, "A"),
                change("fk_child", INSERT, 2, row("parent_id", 99), 100, "A"),
                change("fk_child", INSERT, 3, row("parent_id", 1), 100, "A"));
        assertEquals(List.of(APPLIED, RETRY, APPLIED), statuses(result));
        assertTrue(result.outcomes().get(1).reason().startsWith("Foreign-key violation"), result.outcomes().get(1).reason());
        assertEquals(2, db.count("SELECT count(*) FROM fk_child"));
        assertNull(db.versionRow("fk_child", "id", 2));
    }

    @Test
    void aConnectionKilledInTheMiddleSendsTheBatchToRetryWithNothingHalfAppliedAndTheRetrySucceeds() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_killed", t, null);
        List<ChangeRecord> changes = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            changes.add(change("t_killed", INSERT, i, row("name", "n" + i, "qty", i), 100, "A"));
        }
        ChangeApplier applier = db.applier(t[0], warnings);
        ApplyResult killed;
        // transactions of 500 keys; the connection is killed in the middle of the second one, at its fifth prepared statement
        // (marker, version read, row locks and row writes come before it: see the defect test below)
        try (Connection connection = db.connectionKilledAt(1, 5)) {
            killed = applier.apply(connection, item, changes);
        }
        int committed = killed.count(APPLIED);
        assertEquals(3000, committed + killed.count(RETRY), killed.toString());
        assertEquals(500, committed, "the first transaction commits whole, nothing of the second: " + killed);
        ApplyOutcome retried = killed.outcomes().stream().filter(o -> o.status() == RETRY).findFirst().orElseThrow();
        assertTrue(retried.reason().startsWith("Transient database error"), retried.reason());
        assertEquals(committed, db.count("SELECT count(*) FROM t_killed"));
        assertEquals(committed, db.count("SELECT count(*) FROM " + db.versionTable("t_killed")));

        try (Connection connection = db.connect()) {
            ApplyResult again = applier.apply(connection, item, changes);
            assertEquals(3000 - committed, again.count(APPLIED));
            assertEquals(committed, again.count(STALE));
        }
        assertEquals(3000, db.count("SELECT count(*) FROM t_killed"));
        assertEquals(3000L * 3001 / 2, db.count("SELECT sum(qty) FROM t_killed"));
        assertEquals(0, db.historyCount("t_killed"));
    }

    @Test
    void aRuntimeErrorInTheMiddleOfTheTransactionIsRolledBackNotCommittedWhenAutoCommitIsRestored() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_defect", t, null);
        List<ChangeRecord> changes = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            changes.add(change("t_defect", INSERT, i, row("name", "n" + i, "qty", i), 100, "A"));
        }
        ChangeApplier applier = db.applier(t[0], warnings);
        IllegalStateException defect = new IllegalStateException("a defect in the middle of the apply");
        // prepared statements: 1 value check, then in the first transaction of 500 keys: 2 origin marker, 3 version read,
        // 4 row locks, 5 insert of the rows, 6 version locks: the defect strikes after the rows were inserted
        try (Connection connection = db.connectionFailingAt(6, defect)) {
            IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> applier.apply(connection, item, changes));
            assertEquals(defect, thrown);
            assertTrue(connection.getAutoCommit(), "autoCommit is restored");
        }
        assertEquals(0, db.count("SELECT count(*) FROM t_defect"), "the half-done work was rolled back, not committed");
        assertEquals(0, db.count("SELECT count(*) FROM " + db.versionTable("t_defect")));
    }

    @Test
    void aReadOnlyTargetDuringAFailoverSendsTheBatchToRetryAndTheRetrySucceedsOnceItIsWritable() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_readonly", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        List<ChangeRecord> changes = List.of(change("t_readonly", INSERT, 1, row("name", "one"), 100, "A"),
                change("t_readonly", INSERT, 2, row("name", "two"), 100, "A"));
        ApplyResult refused;
        try (ReadOnlyTarget target = readOnlyTarget()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(target != null, "the engine has no failover that turns a target read-only");
            refused = applier.apply(target.connection(), item, changes);
        }
        assertEquals(List.of(RETRY, RETRY), statuses(refused), refused.toString());
        assertTrue(refused.outcomes().get(0).reason().startsWith("Transient database error"), refused.outcomes().get(0).reason());
        assertEquals(0, db.count("SELECT count(*) FROM t_readonly"));
        try (Connection connection = db.connect()) {
            assertEquals(List.of(APPLIED, APPLIED), statuses(applier.apply(connection, item, changes)));
        }
        assertEquals(2, db.count("SELECT count(*) FROM t_readonly"));
    }

    @Test
    void hostileIdentifiersAndValuesAreStoredAsData() throws SQLException {
        String table = "we\"ird; t`äble"; // MariaDB identifiers cannot hold 4-byte characters; values can
        String column = "co\"l; ü`";
        db.exec("CREATE TABLE " + db.q(table) + " (id int PRIMARY KEY, " + db.q(column) + " varchar(100))");
        SyncTopology topology = topology(null, TableSettings.twoWay(table));
        SyncedTable hostile = db.install(topology, table);
        String value = "it's \"quoted\"; DROP TABLE t_basic; -- `x` 🚀";
        ApplyResult result = db.apply(db.applier(topology, warnings), hostile, change(table, INSERT, 1, row(column, value), 100, "A';--"));
        assertEquals(List.of(APPLIED), statuses(result));
        assertEquals(value, db.query("SELECT " + db.q(column) + " FROM " + db.q(table)).get(0).get(0));
        assertEquals("A';--", db.query("SELECT version_origin FROM " + db.versionTable(table)).get(0).get(0));
    }

    @Test
    void aHubForwardsEveryAppliedChangeWithItsOwnPreviousVersion() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_hub", t, "B");
        ChangeApplier applier = db.applier(t[0], warnings);
        ChangeRecord insert = change("t_hub", INSERT, 1, row("name", "from A"), 100, "A");
        insert.transactionId = "tx-1";
        db.apply(applier, item, insert);
        ChangeRecord update = change("t_hub", UPDATE, 1, row("name", "from C"), 200, "C");
        update.prevVersion = new Version(90, "C"); // C had not seen A's insert: the hub's own previous version is what travels
        db.apply(applier, item, update);
        List<List<Object>> history = db.query("SELECT operation, version_num, version_origin, prev_num, prev_origin, origin, tx_id, after_data FROM "
                + BisyncTables.HISTORY + " WHERE table_name = 't_hub' ORDER BY id");
        assertEquals(2, history.size());
        assertEquals(Arrays.asList("INSERT", 100L, "A", null, null, "A", "tx-1"), normalize(history.get(0)).subList(0, 7));
        assertEquals(Arrays.asList("UPDATE", 200L, "C", 100L, "A", "C", null), normalize(history.get(1)).subList(0, 7));
        assertTrue(history.get(1).get(7).toString().contains("from C"));
    }

    private static List<Object> normalize(List<Object> row) {
        return row.stream().map(v -> v instanceof Number n ? (Object) n.longValue() : v).toList();
    }

    @Test
    void keepTargetWritesAVersionAboveBothThatSupersedesThemAndIsForwarded() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_keep", t, null);
        db.exec("INSERT INTO t_keep (id, name) VALUES (1, 'mine')");
        List<Object> local = db.versionRow("t_keep", "id", 1);
        Version held = new Version((Long) local.get(0), (String) local.get(1));
        assertEquals("B", held.origin());
        ChangeRecord conflict = change("t_keep", UPDATE, 1, row("name", "theirs"), held.number() + 5, "A");
        conflict.decision = Decision.CONFLICT;
        conflict.targetVersion = held;
        conflict.resolution = Resolution.KEEP_TARGET;
        ApplyResult result = db.apply(db.applier(t[0], warnings), item, conflict);
        assertEquals(List.of(APPLIED), statuses(result), result.outcomes().toString());

        assertEquals("mine", name("t_keep", 1));
        assertEquals(Arrays.asList(held.number() + 6, "B", held.number(), "B", false), db.versionRow("t_keep", "id", 1));
        List<List<Object>> history = db.query("SELECT version_num, version_origin, origin, supersedes, after_data, prev_num FROM "
                + BisyncTables.HISTORY + " WHERE table_name = 't_keep' ORDER BY id");
        assertEquals(2, history.size(), "the local insert, then the resolution");
        List<Object> resolution = normalize(history.get(1));
        assertEquals(held.number() + 6, resolution.get(0));
        assertEquals("B", resolution.get(1));
        assertEquals("B", resolution.get(2));
        assertEquals("[[" + (held.number() + 5) + ",\"A\"],[" + held.number() + ",\"B\"]]", resolution.get(3));
        assertTrue(resolution.get(4).toString().contains("mine"));
        assertEquals(held.number(), resolution.get(5));

        ChangeRecord replayed = change("t_keep", UPDATE, 1, row("name", "theirs"), held.number() + 5, "A");
        replayed.decision = Decision.CONFLICT;
        replayed.targetVersion = held;
        replayed.resolution = Resolution.TAKE_INCOMING;
        assertEquals(List.of(RE_RESOLVE), statuses(db.apply(db.applier(t[0], warnings), item, replayed)));
    }

    @Test
    void aResolvedChangeArrivingAtTheOtherSideFastForwardsOverItsOwnVersion() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_ff", t, null);
        ChangeApplier applier = db.applier(t[0], warnings);
        db.apply(applier, item, change("t_ff", INSERT, 1, row("name", "ours"), 500, "C"));
        ChangeRecord resolution = change("t_ff", UPDATE, 1, row("name", "resolved at A"), 501, "A");
        resolution.supersedes = List.of(new Version(500, "C"), new Version(480, "A"));
        assertEquals(List.of(APPLIED), statuses(db.apply(applier, item, resolution)));
        assertEquals("resolved at A", name("t_ff", 1));
    }

    @Test
    void aTwoWayTableOnAGeneratedKeyIsRefusedWithAClearError() throws SQLException {
        db.exec(generatedKeyTable("t_generated"));
        SyncTopology topology = topology(null, TableSettings.twoWay("t_generated"));
        SyncedTable generated = db.install(topology, "t_generated");
        ApplyResult result = db.apply(db.applier(topology, warnings), generated, change("t_generated", INSERT, 1, row("name", "x"), 100, "A"));
        assertEquals(List.of(FAILED), statuses(result));
        assertTrue(result.outcomes().get(0).reason().contains("generated") && result.outcomes().get(0).reason().contains("sync key"),
                result.outcomes().get(0).reason());
        assertEquals(0, db.count("SELECT count(*) FROM t_generated"));
    }

    @Test
    void aOneWayTableOnAGeneratedKeyWritesTheKeyAndMovesTheSequencePastIt() throws SQLException {
        db.exec(generatedKeyTable("t_oneway"));
        TableSettings oneWay = new TableSettings("t_oneway", null, Direction.ONE_WAY, "A", null, Strategy.LAST_WRITE_WINS,
                null, null, null, null, null, null);
        SyncTopology topology = topology(null, oneWay);
        SyncedTable table = db.install(topology, "t_oneway");
        ApplyResult result = db.apply(db.applier(topology, warnings), table, change("t_oneway", INSERT, 500, row("name", "synced"), 100, "A"));
        assertEquals(List.of(APPLIED), statuses(result));
        db.exec("INSERT INTO t_oneway (name) VALUES ('local')");
        assertEquals(501, db.count("SELECT max(id) FROM t_oneway"));
    }

    @Test
    void validationRulesRejectWithTheFieldNamedAndStandardizedValuesTravelBackAboveTheOriginal() throws SQLException {
        db.exec("CREATE TABLE t_valid (id int PRIMARY KEY, name varchar(20), email varchar(50))");
        TableSettings settings = new TableSettings("t_valid", null, Direction.TWO_WAY, null, null, Strategy.LAST_WRITE_WINS, null,
                null, null, null, null, List.of(new ValidationRule("name", ValidationRule.Kind.REQUIRED, null, ValidationRule.Action.REJECT),
                new ValidationRule("email", ValidationRule.Kind.EMAIL, null, ValidationRule.Action.STANDARDIZE)));
        SyncTopology topology = topology(null, settings);
        SyncedTable table = db.install(topology, "t_valid");
        ApplyResult result = db.apply(db.applier(topology, warnings), table,
                change("t_valid", INSERT, 1, row("name", " ", "email", "a@b.org"), 100, "A"),
                change("t_valid", INSERT, 2, row("name", "Bob", "email", "  Bob@Example.ORG "), 100, "A"),
                change("t_valid", INSERT, 3, row("name", "Eve", "email", "not an address"), 100, "A"),
                change("t_valid", INSERT, 4, row("name", "Ann", "email", "ann@example.org"), 100, "A"));
        assertEquals(List.of(FAILED, APPLIED, FAILED, APPLIED), statuses(result));
        assertEquals("name", result.outcomes().get(0).field());
        assertEquals("email", result.outcomes().get(2).field());
        assertEquals("bob@example.org", db.query("SELECT email FROM t_valid WHERE id = 2").get(0).get(0));
        assertEquals(Arrays.asList(101L, "B", null, null, false), db.versionRow("t_valid", "id", 2));
        assertEquals(Arrays.asList(100L, "A", null, null, false), db.versionRow("t_valid", "id", 4));
        List<List<Object>> history = db.query("SELECT version_num, version_origin, prev_num, prev_origin, origin, after_data FROM "
                + BisyncTables.HISTORY + " WHERE table_name = 't_valid'");
        assertEquals(1, history.size(), "only the standardized change travels back");
        assertEquals(Arrays.asList(101L, "B", 100L, "A", "B"), normalize(history.get(0)).subList(0, 5));
        assertTrue(history.get(0).get(5).toString().contains("bob@example.org"));
    }

    @Test
    void aValueTheTargetsOwnTriggerChangesIsReportedAsAWarning() throws SQLException {
        db.exec("CREATE TABLE t_bumped (id int PRIMARY KEY, name varchar(20))");
        SyncTopology topology = topology(null, TableSettings.twoWay("t_bumped"));
        SyncedTable table = db.install(topology, "t_bumped");
        db.exec(upperCaseTrigger("t_bumped").toArray(String[]::new));
        List<String> seen = new ArrayList<>();
        ApplyResult result = db.apply(db.applier(topology, seen), table, change("t_bumped", INSERT, 1, row("name", "quiet"), 100, "A"));
        assertEquals(List.of(APPLIED), statuses(result));
        assertEquals(1, seen.size(), seen.toString());
        assertTrue(seen.get(0).contains("t_bumped") && seen.get(0).contains("'name'"), seen.get(0));
        assertFalse(seen.get(0).toLowerCase(java.util.Locale.ROOT).contains("quiet"), "names the column, never the values: " + seen.get(0));
    }

    @Test
    void severalChangesOfOneKeyInABatchEndOnTheGreatest() throws SQLException {
        SyncTopology[] t = new SyncTopology[1];
        SyncedTable item = itemTable("t_same_key", t, null);
        ApplyResult result = db.apply(db.applier(t[0], warnings), item,
                change("t_same_key", INSERT, 1, row("name", "first"), 100, "A"),
                change("t_same_key", UPDATE, 1, row("name", "third"), 300, "A"),
                change("t_same_key", UPDATE, 1, row("name", "second"), 200, "A"));
        assertEquals(List.of(APPLIED, APPLIED, STALE), statuses(result));
        assertEquals("third", name("t_same_key", 1));
        assertEquals("Superseded in the same transaction by version 300@A", result.outcomes().get(0).reason());
        assertEquals(Arrays.asList(300L, "A", null, null, false), db.versionRow("t_same_key", "id", 1));
    }
}
