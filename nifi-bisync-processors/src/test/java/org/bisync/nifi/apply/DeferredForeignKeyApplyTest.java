/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.bisync.nifi.apply.ApplyDatabase.change;
import static org.bisync.nifi.apply.ApplyDatabase.row;
import static org.bisync.nifi.apply.ApplyDatabase.topology;
import static org.bisync.nifi.apply.ApplyStatus.APPLIED;
import static org.bisync.nifi.apply.ApplyStatus.RETRY;
import static org.bisync.nifi.change.Operation.INSERT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A foreign key checked at COMMIT (DEFERRABLE INITIALLY DEFERRED) that a record violates sends it to retry, as an
 * immediate one does, never the FlowFile to failure. MariaDB has no deferred constraints.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeferredForeignKeyApplyTest {

    private final List<String> warnings = new ArrayList<>();

    private List<ApplyStatus> applyChildren(ApplyDatabase db) throws SQLException {
        db.exec("CREATE TABLE fk_parent (id int PRIMARY KEY)", "INSERT INTO fk_parent VALUES (1)",
                "CREATE TABLE fk_child (id int PRIMARY KEY, parent_id int REFERENCES fk_parent (id) DEFERRABLE INITIALLY DEFERRED)");
        SyncTopology topology = topology(null, TableSettings.twoWay("fk_child"));
        SyncedTable child = db.install(topology, "fk_child");
        ApplyResult result = db.apply(db.applier(topology, warnings), child,
                change("fk_child", INSERT, 1, row("parent_id", 1), 100, "A"),
                change("fk_child", INSERT, 2, row("parent_id", 99), 100, "A"),
                change("fk_child", INSERT, 3, row("parent_id", 1), 100, "A"));
        result.outcomes().stream().filter(o -> o.status() == RETRY)
                .forEach(o -> assertTrue(o.reason().startsWith("Foreign-key violation"), o.reason()));
        return result.outcomes().stream().map(ApplyOutcome::status).toList();
    }

    @Test
    void postgresqlSendsTheRecordThatViolatesADeferredForeignKeyToRetryAloneAndTheOthersCommit() throws SQLException {
        ApplyDatabase db = new ApplyDatabase(new PostgresDialect(), EmbeddedDatabases.postgres("apply_deferred_fk"),
                "SELECT pg_backend_pid()", "SELECT pg_terminate_backend(%s)");
        assertEquals(List.of(APPLIED, RETRY, APPLIED), applyChildren(db));
        assertEquals(2, db.count("SELECT count(*) FROM fk_child"));
        assertNull(db.versionRow("fk_child", "id", 2));
    }

    @Test
    void sqliteSendsTheBatchWhoseDeferredForeignKeyFailsAtCommitToRetry() throws SQLException {
        ApplyDatabase db = new ApplyDatabase(new SqliteDialect(), EmbeddedDatabases.sqlite("apply_deferred_fk"), null, null);
        assertEquals(List.of(RETRY, RETRY, RETRY), applyChildren(db), "SQLite cannot say which record: the batch waits, none fails");
        assertEquals(0, db.count("SELECT count(*) FROM fk_child"));
    }
}
