/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.ForeignKey;
import org.bisync.nifi.resolve.ConflictDetector;
import org.bisync.nifi.resolve.Relation;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System A deletes parent 1 while system B inserts child 10 of it, on two real databases of one engine with a real
 * foreign key and installed triggers; each side's change is captured and applied at the other (DESIGN.md section 5,
 * "Foreign keys"). Below the retry limit both violations go to retry; past it the greater version settles the conflict
 * identically on both sides.
 */
abstract class ForeignKeySettlementContract {

    abstract Dialect dialect();

    abstract DataSource freshDatabase(String name);

    List<String> createTables() {
        return List.of("CREATE TABLE parent (id int NOT NULL PRIMARY KEY, name varchar(20))",
                "CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, note varchar(20), "
                        + "CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))");
    }

    ForeignKeySide a;
    ForeignKeySide b;

    @BeforeEach
    void createSides(TestInfo test) throws SQLException {
        String name = "fk_" + test.getTestMethod().orElseThrow().getName().replaceAll("[^A-Za-z]", "").toLowerCase();
        name = name.substring(0, Math.min(name.length(), 40));
        a = new ForeignKeySide("A", dialect(), freshDatabase(name + "_a"), createTables());
        b = new ForeignKeySide("B", dialect(), freshDatabase(name + "_b"), createTables());
        a.exec("INSERT INTO parent VALUES (1, 'p')");
        b.apply(b.parent, a.capture().get("parent"), false);
        assertEquals(a.rows("parent"), b.rows("parent"));
    }

    /** The parent delete captured at A and the child insert captured at B, in the order the versions say. */
    private record Conflict(ChangeRecord parentDelete, ChangeRecord childInsert) {
    }

    private Conflict conflict(boolean deleteLast) throws Exception {
        if (deleteLast) {
            b.exec("INSERT INTO child VALUES (10, 1, 'c')");
            a.awaitClockPast(b);
            a.exec("DELETE FROM parent WHERE id = 1");
        } else {
            a.exec("DELETE FROM parent WHERE id = 1");
            b.awaitClockPast(a);
            b.exec("INSERT INTO child VALUES (10, 1, 'c')");
        }
        ChangeRecord delete = a.capture().get("parent").get(0);
        ChangeRecord insert = b.capture().get("child").get(0);
        assertEquals(Operation.DELETE, delete.operation);
        assertEquals(Operation.INSERT, insert.operation);
        assertEquals(deleteLast, delete.version.number() > insert.version.number(), delete.version + " vs " + insert.version);
        return new Conflict(delete, insert);
    }

    private static ApplyOutcome only(ApplyResult result) {
        assertEquals(1, result.outcomes().size());
        return result.outcomes().get(0);
    }

    @Test
    void foreignKeysAreReadFromTheTargetsMetadata() throws SQLException {
        try (Connection c = a.dataSource.getConnection()) {
            ForeignKey expected = new ForeignKey(null, "child", List.of("parent_id"), "parent", List.of("id"), true);
            List<ForeignKey> ofChild = dialect().catalog().foreignKeys(c, "child");
            List<ForeignKey> ofParent = dialect().catalog().foreignKeys(c, "parent");
            assertEquals(List.of(expected), ofChild.stream().map(ForeignKeySettlementContract::unnamed).toList());
            assertEquals(List.of(expected), ofParent.stream().map(ForeignKeySettlementContract::unnamed).toList());
        }
    }

    private static ForeignKey unnamed(ForeignKey key) {
        return new ForeignKey(null, key.childTable(), key.childColumns(), key.parentTable(), key.parentColumns(), key.restrictsDelete());
    }

    @Test
    void belowTheRetryLimitBothViolationsGoToRetryAndNothingChanges() throws Exception {
        Conflict conflict = conflict(true);

        ApplyOutcome atB = only(b.apply(b.parent, List.of(conflict.parentDelete), false));
        ApplyOutcome atA = only(a.apply(a.child, List.of(conflict.childInsert), false));

        assertEquals(ApplyStatus.RETRY, atB.status(), atB.reason());
        assertEquals(ApplyStatus.RETRY, atA.status(), atA.reason());
        assertTrue(atA.reason().startsWith("Foreign-key violation"), atA.reason());
        assertEquals(List.of("[1, p]"), b.rows("parent"));
        assertEquals(List.of("[10, 1, c]"), b.rows("child"));
        assertEquals(List.of(), a.rows("parent"));
        assertEquals(List.of(), a.rows("child"));
    }

    @Test
    void aParentDeleteNewerThanTheChildInsertWinsWithItsCascadeOnBothSides() throws Exception {
        Conflict conflict = conflict(true);
        Version vp = conflict.parentDelete.version;
        assertEquals(ApplyStatus.RETRY, only(b.apply(b.parent, List.of(conflict.parentDelete), false)).status());
        assertEquals(ApplyStatus.RETRY, only(a.apply(a.child, List.of(conflict.childInsert), false)).status());

        ApplyOutcome atB = only(b.apply(b.parent, List.of(conflict.parentDelete), true));
        ApplyOutcome atA = only(a.apply(a.child, List.of(conflict.childInsert), true));

        assertEquals(ApplyStatus.SETTLED, atB.status(), atB.reason());
        assertTrue(atB.reason().contains("deleted with its 1 child row(s)"), atB.reason());
        assertEquals(ApplyStatus.SETTLED, atA.status(), atA.reason());
        assertTrue(atA.reason().contains("references parent parent(id)") && !atA.reason().contains("{id=") && atA.reason().contains(vp.toString())
                && atA.reason().contains(conflict.childInsert.version.toString()), atA.reason());
        for (ForeignKeySide side : List.of(a, b)) {
            assertEquals(List.of(), side.rows("parent"), side.id);
            assertEquals(List.of(), side.rows("child"), side.id);
            assertEquals(0, side.unreleasedHistory(), side.id + ": the settlement is the applier's and is not captured");
        }
        String tombstone = "[10, " + vp.number() + ", A, 1]";
        assertEquals(List.of(tombstone), a.versions("child"));
        assertEquals(List.of(tombstone), b.versions("child"));
        assertEquals(a.versions("parent"), b.versions("parent"));
    }

    @Test
    void aChildInsertNewerThanTheParentDeleteBringsTheParentBackOnBothSides() throws Exception {
        Conflict conflict = conflict(false);
        assertEquals(ApplyStatus.RETRY, only(b.apply(b.parent, List.of(conflict.parentDelete), false)).status());
        assertEquals(ApplyStatus.RETRY, only(a.apply(a.child, List.of(conflict.childInsert), false)).status());

        ApplyOutcome waits = only(a.apply(a.child, List.of(conflict.childInsert), true));
        assertEquals(ApplyStatus.RETRY, waits.status(), waits.reason());
        assertTrue(waits.reason().contains("the child wins"), waits.reason());
        ApplyOutcome kept = only(b.apply(b.parent, List.of(conflict.parentDelete), true));
        assertEquals(ApplyStatus.SETTLED, kept.status(), kept.reason());
        assertTrue(kept.reason().contains("the parent is kept"), kept.reason());

        Map<String, List<ChangeRecord>> fromB = b.capture();
        assertEquals(List.of("parent"), List.copyOf(fromB.keySet()), "B sends the kept parent back");
        ChangeRecord restore = fromB.get("parent").get(0);
        assertTrue(restore.supersedes.contains(conflict.parentDelete.version), String.valueOf(restore.supersedes));
        assertTrue(restore.version.number() > conflict.parentDelete.version.number());
        assertEquals(Relation.FAST_FORWARD, new ConflictDetector(new VersionOrder(ForeignKeySide.TOPOLOGY::rank))
                .classify(restore, conflict.parentDelete.version), "A, holding the tombstone, fast-forwards over it (no review)");
        assertEquals(ApplyStatus.APPLIED, only(a.apply(a.parent, fromB.get("parent"), false)).status());
        ApplyOutcome childAtA = only(a.apply(a.child, List.of(conflict.childInsert), true));
        assertEquals(ApplyStatus.APPLIED, childAtA.status(), childAtA.reason());

        for (ForeignKeySide side : List.of(a, b)) {
            assertEquals(List.of("[1, p]"), side.rows("parent"), side.id);
            assertEquals(List.of("[10, 1, c]"), side.rows("child"), side.id);
            assertEquals(0, side.unreleasedHistory(), side.id);
        }
        assertEquals(a.versions("parent"), b.versions("parent"));
        assertEquals(a.versions("child"), b.versions("child"));
        assertEquals(List.of("[1, " + restore.version.number() + ", B, 0]"), a.versions("parent"));
    }

    @Test
    void aChildMovedToAParentThatIsDeletedLaterIsDeletedOnBothSides() throws Exception {
        a.exec("INSERT INTO parent VALUES (2, 'q')", "INSERT INTO child VALUES (10, 2, 'c')");
        Map<String, List<ChangeRecord>> fromA = a.capture();
        b.apply(b.parent, fromA.get("parent"), false);
        b.apply(b.child, fromA.get("child"), false);
        b.exec("UPDATE child SET parent_id = 1 WHERE id = 10");
        a.awaitClockPast(b);
        a.exec("DELETE FROM parent WHERE id = 1");
        ChangeRecord delete = a.capture().get("parent").get(0);
        ChangeRecord update = b.capture().get("child").get(0);
        assertEquals(Operation.UPDATE, update.operation);

        ApplyOutcome atB = only(b.apply(b.parent, List.of(delete), true));
        ApplyOutcome atA = only(a.apply(a.child, List.of(update), true));

        assertEquals(ApplyStatus.SETTLED, atB.status(), atB.reason());
        assertEquals(ApplyStatus.SETTLED, atA.status(), atA.reason());
        for (ForeignKeySide side : List.of(a, b)) {
            assertEquals(List.of("[2, q]"), side.rows("parent"), side.id);
            assertEquals(List.of(), side.rows("child"), side.id);
            assertEquals(0, side.unreleasedHistory(), side.id);
        }
        assertEquals(List.of("[10, " + delete.version.number() + ", A, 1]"), a.versions("child"));
        assertEquals(a.versions("child"), b.versions("child"));
    }

    @Test
    void aReplayOfASettledRecordIsStale() throws Exception {
        Conflict conflict = conflict(true);
        assertEquals(ApplyStatus.SETTLED, only(b.apply(b.parent, List.of(conflict.parentDelete), true)).status());
        assertEquals(ApplyStatus.SETTLED, only(a.apply(a.child, List.of(conflict.childInsert), true)).status());

        ApplyOutcome childAgain = only(a.apply(a.child, List.of(conflict.childInsert), true));
        ApplyOutcome deleteAgain = only(b.apply(b.parent, List.of(conflict.parentDelete), true));

        assertEquals(ApplyStatus.STALE, childAgain.status(), childAgain.reason());
        assertEquals(ApplyStatus.STALE, deleteAgain.status(), deleteAgain.reason());
        for (ForeignKeySide side : List.of(a, b)) {
            assertEquals(List.of(), side.rows("parent"), side.id);
            assertEquals(List.of(), side.rows("child"), side.id);
        }
    }

    @Test
    void aReplayOfAParentDeleteThatLostIsStale() throws Exception {
        Conflict conflict = conflict(false);
        assertEquals(ApplyStatus.SETTLED, only(b.apply(b.parent, List.of(conflict.parentDelete), true)).status());

        ApplyOutcome again = only(b.apply(b.parent, List.of(conflict.parentDelete), true));

        assertEquals(ApplyStatus.STALE, again.status(), again.reason());
        assertEquals(List.of("[1, p]"), b.rows("parent"));
        assertEquals(List.of("[10, 1, c]"), b.rows("child"));
    }
}
