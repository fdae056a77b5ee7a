/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.ForeignKey;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.dialect.TypeMapping;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settles, past the retry limit, a write that violates a foreign key because one system deleted a parent while another
 * inserted or updated a child of it (DESIGN.md section 5). The greater version decides, the same way on every side:
 * <ul>
 * <li>a child write whose parent the target holds as a tombstone: when the tombstone's version is not below the
 *     child's, the child loses and is left deleted with the tombstone's version, so a late replay of it is stale; when
 *     the child's is greater, it waits in retry for the side that settles the parent delete to send the parent back;</li>
 * <li>a parent delete that children still reference (RESTRICT or NO ACTION): when no child's version is greater than the
 *     delete's, the children go with it, each left deleted with the delete's version; otherwise the parent stays,
 *     re-written in version terms above the delete as a KEEP_TARGET resolution is, and forwarded by a history row, so
 *     the system that deleted it gets it back and the child's retry there succeeds.</li>
 * </ul>
 * It runs inside the apply transaction (origin-marked) after the failed write was rolled back to its savepoint; its
 * writes are versioned and read back like every apply write. Foreign keys come from the target's metadata; only one
 * level of children is settled (a grandchild still referencing a child makes the settlement fail and wait in retry).
 */
final class ForeignKeySettlement {

    /** What became of the write: SETTLED (with what was decided) or RETRY (with why it waits). */
    record Verdict(ApplyStatus status, String reason) {
        static Verdict waits(String reason) {
            return new Verdict(ApplyStatus.RETRY, reason);
        }
    }

    private final Dialect dialect;
    private final TypeMapping types;
    private final String target;
    private final VersionOrder order;
    private final WritePlanner planner;
    private final ApplyStatements statements;
    private final RelatedTables related;

    ForeignKeySettlement(Dialect dialect, SyncTopology topology, String target, WritePlanner planner, ApplyStatements statements) {
        this.dialect = dialect;
        this.types = dialect.types();
        this.target = target;
        this.order = new VersionOrder(topology::rank);
        this.planner = planner;
        this.statements = statements;
        this.related = new RelatedTables(dialect, topology, target);
    }

    Verdict settle(Connection connection, SyncedTable table, RowImages images, PlannedWrite write, ApplyAttempt attempt) throws SQLException {
        List<ForeignKey> keys = dialect.catalog().foreignKeys(connection, table.localName());
        return write.row == null
                ? settleDelete(connection, table, images, write, attempt, keys)
                : settleChild(connection, table, images, write, attempt, keys);
    }

    // ---- a child whose parent is missing ----------------------------------------------------------------------------

    private Verdict settleChild(Connection connection, SyncedTable table, RowImages images, PlannedWrite write, ApplyAttempt attempt,
                                List<ForeignKey> keys) throws SQLException {
        Version winner = null;
        String winnerParent = null;
        List<String> waits = new ArrayList<>();
        for (ForeignKey key : keys) {
            if (!key.childTable().equals(table.localName())) {
                continue;
            }
            List<SyncedColumn> referencing = columns(table, key.childColumns());
            if (referencing == null || referencing.stream().anyMatch(c -> write.row.get(c.canonical()) == null)) {
                continue; // not written by the sync, or null: not this key's violation
            }
            List<Object> values = referencing.stream().map(c -> write.row.get(c.canonical())).toList();
            Optional<RelatedTables.Related> parent = related.find(connection, key.parentTable());
            if (parent.isEmpty()) {
                waits.add("its parent table '" + key.parentTable() + "' is not synced");
                continue;
            }
            SyncedTable parentTable = parent.get().table();
            if (exists(connection, parentTable.localName(), key.parentColumns(), values, referencing)) {
                continue; // the parent is there
            }
            Map<String, Object> parentKey = parentKey(parentTable, key, values);
            String parentName = "parent " + parentTable.canonicalName() + (parentKey == null ? "(" + String.join(", ", key.parentColumns()) + ")"
                    : ChangeRecord.keyColumns(parentKey));
            if (parentKey == null) {
                waits.add(parentName + " is missing and is referenced by columns other than its sync key, whose version cannot be told");
                continue;
            }
            String parentId = parent.get().images().keyId(parentKey);
            TargetVersion held = statements.readVersions(connection, parentTable, parent.get().images(), Map.of(parentId, parentKey)).get(parentId);
            if (held == null || !held.deleted() || held.version().origin().isEmpty()) {
                waits.add(parentName + " is missing and was never deleted in system '" + target + "': it may still be on its way");
            } else if (!order.isGreater(write.version, held.version())) {
                if (winner == null || order.isGreater(held.version(), winner)) {
                    winner = held.version();
                    winnerParent = parentName;
                }
            } else {
                waits.add(parentName + " was deleted with version " + held.version() + ", older than this change's " + write.version
                        + ": the child wins, and the system that settles that delete sends the parent back");
            }
        }
        if (winner != null) {
            PlannedWrite tombstone = PlannedWrite.tombstone(write.keyId, write.key, write.original, winner, write.records);
            write(connection, table, images, List.of(tombstone), attempt);
            return new Verdict(ApplyStatus.SETTLED, "Foreign-key conflict settled in system '" + target + "': " + table.canonicalName()
                    + ChangeRecord.keyColumns(write.key) + " version " + write.version + " references " + winnerParent + ", deleted with the greater version "
                    + winner + ": the child loses and is left deleted with version " + winner);
        }
        return Verdict.waits(waits.isEmpty() ? "no missing parent found" : String.join("; ", waits));
    }

    /** The parent's sync key from the referencing values, or null when the foreign key references other columns. */
    private static Map<String, Object> parentKey(SyncedTable parent, ForeignKey key, List<Object> values) {
        List<SyncedColumn> keyColumns = parent.keyColumns();
        if (keyColumns.size() != key.parentColumns().size()) {
            return null;
        }
        Map<String, Object> parentKey = new LinkedHashMap<>();
        for (SyncedColumn column : keyColumns) {
            int at = key.parentColumns().indexOf(column.local());
            if (at < 0) {
                return null;
            }
            parentKey.put(column.canonical(), values.get(at));
        }
        return parentKey;
    }

    // ---- a parent delete that children still reference ---------------------------------------------------------------

    private record Children(RelatedTables.Related table, Map<String, Map<String, Object>> keys, Map<String, TargetVersion> versions) {
    }

    private Verdict settleDelete(Connection connection, SyncedTable table, RowImages images, PlannedWrite write, ApplyAttempt attempt,
                                 List<ForeignKey> keys) throws SQLException {
        Map<String, Object> row = statements.readRows(connection, table, images, Map.of(write.keyId, write.key)).get(write.keyId);
        if (row == null) {
            return Verdict.waits("the row to delete is not there");
        }
        List<Children> children = new ArrayList<>();
        Version greatest = null;
        String greatestChild = null;
        for (ForeignKey key : keys) {
            if (!key.parentTable().equals(table.localName()) || !key.restrictsDelete()) {
                continue;
            }
            List<SyncedColumn> referenced = columns(table, key.parentColumns());
            Optional<RelatedTables.Related> child = related.find(connection, key.childTable());
            if (referenced == null || child.isEmpty()) {
                return Verdict.waits("rows of table '" + key.childTable() + "', which is not synced (or references unsynced columns), "
                        + "reference it: nothing can settle that; delete or re-point them in system '" + target + "'");
            }
            SyncedTable childTable = child.get().table();
            List<Object> values = referenced.stream().map(c -> row.get(c.canonical())).toList();
            Map<String, Map<String, Object>> childKeys = new LinkedHashMap<>();
            for (Map<String, Object> childKey : keysWhere(connection, childTable, key.childColumns(), values, referenced)) {
                childKeys.put(child.get().images().keyId(childKey), childKey);
            }
            if (childKeys.isEmpty()) {
                continue;
            }
            Map<String, TargetVersion> versions = statements.readVersions(connection, childTable, child.get().images(), childKeys);
            for (Map.Entry<String, Map<String, Object>> childKey : childKeys.entrySet()) {
                TargetVersion version = versions.get(childKey.getKey());
                Version childVersion = version == null ? null : version.version();
                if (order.isGreater(childVersion, write.version) && (greatest == null || order.isGreater(childVersion, greatest))) {
                    greatest = childVersion;
                    greatestChild = childTable.canonicalName() + ChangeRecord.keyColumns(childKey.getValue());
                }
            }
            children.add(new Children(child.get(), childKeys, versions));
        }
        String deleting = "Foreign-key conflict settled in system '" + target + "': the delete of " + table.canonicalName() + ChangeRecord.keyColumns(write.key)
                + " version " + write.version;
        if (greatest != null) {
            PlannedWrite keep = planner.keepAgainst(write);
            statements.completeResolutions(connection, table, images, List.of(keep));
            write(connection, table, images, List.of(keep), attempt);
            return new Verdict(ApplyStatus.SETTLED, deleting + " loses to child " + greatestChild + " with the greater version " + greatest
                    + ": the parent is kept with version " + keep.version + " and sent to the other systems");
        }
        int count = 0;
        for (Children rows : children) {
            List<PlannedWrite> tombstones = new ArrayList<>();
            rows.keys().forEach((id, childKey) -> tombstones.add(PlannedWrite.tombstone(id, childKey, rows.versions().get(id), write.version, List.of())));
            write(connection, rows.table().table(), rows.table().images(), tombstones, attempt);
            count += tombstones.size();
        }
        write(connection, table, images, List.of(write), attempt);
        return new Verdict(ApplyStatus.SETTLED, deleting + " is greater than every child's version: deleted with its " + count
                + " child row(s), each left deleted with version " + write.version);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------------

    private void write(Connection connection, SyncedTable table, RowImages images, List<PlannedWrite> writes, ApplyAttempt attempt) throws SQLException {
        statements.execute(connection, table, images, writes);
        statements.verify(connection, table, images, writes, attempt);
    }

    /** The synced columns of these local names, or null when one is not synced. */
    private static List<SyncedColumn> columns(SyncedTable table, List<String> locals) {
        List<SyncedColumn> columns = new ArrayList<>();
        for (String local : locals) {
            Optional<SyncedColumn> column = table.byLocal(local);
            if (column.isEmpty()) {
                return null;
            }
            columns.add(column.get());
        }
        return columns;
    }

    /** Whether a row of {@code table} has {@code where} = {@code values} (each bound as its {@code boundAs} column). */
    private boolean exists(Connection connection, String table, List<String> where, List<Object> values, List<SyncedColumn> boundAs) throws SQLException {
        try (PreparedStatement select = prepare(connection, table, where, where, values, boundAs); ResultSet rs = select.executeQuery()) {
            return rs.next();
        }
    }

    /** The sync keys (canonical names) of the rows of {@code child} whose {@code where} columns hold {@code values}. */
    private List<Map<String, Object>> keysWhere(Connection connection, SyncedTable child, List<String> where, List<Object> values,
                                                List<SyncedColumn> boundAs) throws SQLException {
        List<SyncedColumn> keyColumns = child.keyColumns();
        List<Map<String, Object>> keys = new ArrayList<>();
        try (PreparedStatement select = prepare(connection, child.localName(), keyColumns.stream().map(SyncedColumn::local).toList(),
                where, values, boundAs); ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> key = new LinkedHashMap<>();
                for (int i = 0; i < keyColumns.size(); i++) {
                    key.put(keyColumns.get(i).canonical(), types.read(rs, i + 1, keyColumns.get(i).column()));
                }
                keys.add(key);
            }
        }
        return keys;
    }

    private PreparedStatement prepare(Connection connection, String table, List<String> columns, List<String> where, List<Object> values,
                                      List<SyncedColumn> boundAs) throws SQLException {
        PreparedStatement select = connection.prepareStatement(KeyQueries.selectByKeys(dialect.identifiers(), table, columns, where, 1));
        try {
            for (int i = 0; i < values.size(); i++) {
                types.bind(select, i + 1, values.get(i), boundAs.get(i).column());
            }
            return select;
        } catch (SQLException | RuntimeException e) {
            select.close();
            throw e;
        }
    }
}
