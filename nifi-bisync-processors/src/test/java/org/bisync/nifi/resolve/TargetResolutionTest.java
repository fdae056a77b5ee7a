/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.change.KeyCodec;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.schema.NotInstalledException;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a batch comes to at a target, called as plain Java (no NiFi) on a real PostgreSQL target: a one-way table whose
 * initial load deletes the target's extra rows, page by page, within each page's key range only.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TargetResolutionTest {

    private static final long NOW = 1_700_000_000_000_000L;
    private static final SyncTopology TOPOLOGY = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
            List.of(new TableSettings("customer", Map.of(), Direction.ONE_WAY, "A", List.of(), Strategy.LAST_WRITE_WINS, null,
                    List.of(), List.of(), Map.of(), null, List.of(), true)), null);

    /** Above the versions the target's triggers gave its own rows (the wall clock): the source's rows win. */
    private static final long LATER = 4_000_000_000_000_000L;

    private static PgTarget target;

    @BeforeAll
    static void targetHoldsItsOwnRowsAndOneTheSyncWrote() throws Exception {
        target = new PgTarget("resolve_target_resolution");
        target.install(TOPOLOGY, "customer", "B", "CREATE TABLE customer (id int PRIMARY KEY, name text)");
        target.exec("INSERT INTO customer VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')");
        target.setVersion("customer", 2, 900, "A", false, null); // written by the sync from the source: never the target's extra row
    }

    private static ChangeRecord snapshot(int id) {
        return ChangeRecordBuilder.change("customer", Operation.SNAPSHOT).key("id", id).after("name", "source " + id)
                .version(new Version(LATER + id, "A")).from("A").changed("name").build();
    }

    private static Map<String, List<BatchResolution.Pending>> page(int... ids) {
        List<BatchResolution.Pending> pending = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            pending.add(new BatchResolution.Pending(i, snapshot(ids[i])));
        }
        Map<String, List<BatchResolution.Pending>> byTable = new LinkedHashMap<>();
        byTable.put("customer", pending);
        return byTable;
    }

    private static List<Object> keysOf(List<ChangeRecord> changes) {
        return changes.stream().map(c -> c.key.get("id")).toList();
    }

    @Test
    void eachPageDeletesTheTargetsOwnRowsInItsKeyRangeThatTheSourceLacks() throws Exception {
        TargetResolution resolution = new TargetResolution(TOPOLOGY, "B", 1_000_000);
        TargetResolution.Result first;
        TargetResolution.Result last;
        try (Connection connection = target.raw.getConnection()) {
            first = resolution.decide(connection, page(1, 4), new TargetResolution.PageRange(null, KeyCodec.encode(List.of(4))), NOW);
            last = resolution.decide(connection, page(6), new TargetResolution.PageRange(KeyCodec.encode(List.of(4)), null), NOW);
        }

        assertEquals(List.of(), first.resolved().failed());
        assertEquals(List.of(1, 4), first.resolved().decided().stream().map(d -> d.change().key.get("id")).toList());
        assertEquals(List.of(3), keysOf(first.extraRowDeletes()), "in (start, 4]: 3 is the target's own; 2 the sync wrote; 5 and 6 "
                + "are another page's");
        assertEquals(List.of(5), keysOf(last.extraRowDeletes()), "in (4, end): 5 is missing from the source's last page");
        ChangeRecord delete = first.extraRowDeletes().getFirst();
        assertEquals(Operation.DELETE, delete.operation);
        assertEquals(Decision.APPLY, delete.decision);
        assertEquals("A", delete.sourceSystem);
        assertEquals(NOW, delete.capturedAt);

        DecidedChanges decided = DecidedChanges.of(first);
        assertEquals(List.of(1, 4, 3), keysOf(decided.toApply()), "the deletes travel on to apply after the page's decisions");
        assertEquals(1, decided.tally().extraRowsDeleted());
    }

    @Test
    void aTwoWayOrIncrementalBatchDeletesNothing() throws Exception {
        ChangeRecord update = ChangeRecordBuilder.change("customer", Operation.UPDATE).key("id", 1).after("name", "x")
                .version(new Version(LATER + 100, "A")).prev(new Version(LATER + 1, "A")).from("A").changed("name").build();
        Map<String, List<BatchResolution.Pending>> byTable = new LinkedHashMap<>();
        byTable.put("customer", List.of(new BatchResolution.Pending(0, update)));
        try (Connection connection = target.raw.getConnection()) {
            TargetResolution.Result result = new TargetResolution(TOPOLOGY, "B", 1_000_000).decide(connection, byTable,
                    new TargetResolution.PageRange(null, null), NOW);

            assertEquals(1, result.resolved().decided().size());
            assertEquals(List.of(), result.extraRowDeletes(), "no SNAPSHOT in the batch: no page of an initial load");
        }
        assertEquals(6, Jdbc.count(target.raw, "SELECT count(*) FROM customer"), "deciding never writes the target");
    }

    @Test
    void aTargetWithoutItsInstallationSaysWhatToInstallWhere() throws Exception {
        DataSource bare = EmbeddedDatabases.postgres("resolve_target_not_installed");
        Jdbc.exec(bare, "CREATE TABLE customer (id int PRIMARY KEY, name text)");
        try (Connection connection = bare.getConnection()) {
            NotInstalledException e = assertThrows(NotInstalledException.class, () -> new TargetResolution(TOPOLOGY, "B", 0)
                    .decide(connection, page(1), new TargetResolution.PageRange(null, null), NOW));
            assertTrue(e.getMessage().contains("install nifi-bisync in system 'B'"), e.getMessage());
        }
    }
}
