/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements of {@link CaptureDialect} that read the same on every engine (plain SQL over our own bisync tables
 * and a polled view), written once; each engine's capture dialect extends it and writes the rest, overriding any of
 * these it does better. Where an engine has no range statements ({@link #copyHistoryRangeToReleased} null), history
 * is released by id lists; where its origin marker cannot outlive a transaction, there is nothing left to clear.
 */
public abstract class PortableCaptureDialect implements CaptureDialect {

    private final SqlIdentifiers identifiers;

    protected PortableCaptureDialect(SqlIdentifiers identifiers) {
        this.identifiers = identifiers;
    }

    @Override
    public String commitTableInstall() {
        return "COMMIT";
    }

    @Override
    public String rollbackTableInstall() {
        return "ROLLBACK";
    }

    @Override
    public String selectViewRows(SyncedTable view, String orderColumn) {
        return "SELECT " + view.columns().stream().map(c -> identifiers.quote(c.local())).collect(Collectors.joining(", "))
                + " FROM " + identifiers.quote(view.localName()) + " ORDER BY " + identifiers.quote(orderColumn);
    }

    @Override
    public String selectUnreleasedHistoryAfter() {
        return "SELECT " + BisyncTables.HISTORY_COLUMNS + " FROM " + BisyncTables.HISTORY + " WHERE id > ? ORDER BY id LIMIT ?";
    }

    @Override
    public String copyHistoryRowsToReleased(int ids) {
        return "INSERT INTO " + BisyncTables.RELEASED + " (" + BisyncTables.HISTORY_COLUMNS + ", released_at) SELECT "
                + BisyncTables.HISTORY_COLUMNS + ", ? FROM " + BisyncTables.HISTORY + " WHERE id IN (" + placeholders(ids) + ")";
    }

    @Override
    public String deleteHistoryRows(int ids) {
        return "DELETE FROM " + BisyncTables.HISTORY + " WHERE id IN (" + placeholders(ids) + ")";
    }

    @Override
    public String copyHistoryRangeToReleased() {
        return null;
    }

    @Override
    public String deleteHistoryRange() {
        return null;
    }

    @Override
    public String purgeReleasedHistory() {
        return "DELETE FROM " + BisyncTables.RELEASED + " WHERE released_at < ?";
    }

    @Override
    public String insertAck() {
        return "INSERT INTO " + BisyncTables.ACK + " (target_system, first_id, last_id, step) VALUES (?, ?, ?, ?)";
    }

    @Override
    public String selectAcks() {
        return "SELECT first_id, last_id, step FROM " + BisyncTables.ACK + " WHERE target_system = ? ORDER BY first_id";
    }

    @Override
    public List<String> addAckStepColumn() {
        return List.of("ALTER TABLE " + BisyncTables.ACK + " ADD COLUMN" + BisyncTables.ACK_STEP_COLUMN.substring(1));
    }

    @Override
    public String deleteReleasedHistoryRange() {
        return "DELETE FROM " + BisyncTables.RELEASED + " WHERE id BETWEEN ? AND ? AND released_at < ?";
    }

    @Override
    public String selectMinHistoryId() {
        return "SELECT MIN(id) FROM (SELECT MIN(id) AS id FROM " + BisyncTables.HISTORY + " UNION ALL SELECT MIN(id) FROM "
                + BisyncTables.RELEASED + ") AS m";
    }

    @Override
    public String deleteAcksBelow() {
        return "DELETE FROM " + BisyncTables.ACK + " WHERE last_id < ?";
    }

    @Override
    public String deleteAcksWithin() {
        return "DELETE FROM " + BisyncTables.ACK + " WHERE target_system = ? AND first_id >= ? AND first_id <= ? AND last_id <= ?"
                + " AND (first_id - ?) % ? = 0 AND (first_id = last_id OR step % ? = 0)";
    }

    @Override
    public String selectHistoryKeysOfTable() {
        return "SELECT id, key_data, 0 AS released FROM " + BisyncTables.HISTORY + " WHERE table_name = ? AND id > ? "
                + "UNION ALL SELECT id, key_data, 1 AS released FROM " + BisyncTables.RELEASED + " WHERE table_name = ? AND id > ? "
                + "ORDER BY id LIMIT ?";
    }

    @Override
    public String selectOldestReleased() {
        return "SELECT id, released_at FROM " + BisyncTables.RELEASED + " WHERE id = (SELECT MIN(id) FROM " + BisyncTables.RELEASED + ")";
    }

    @Override
    public String selectBacklog() {
        return "SELECT MIN(captured_at), COUNT(*) FROM " + BisyncTables.HISTORY;
    }

    @Override
    public String selectConfigNumber() {
        return "SELECT num_value FROM " + BisyncTables.CONFIG + " WHERE name = ?";
    }

    @Override
    public String selectLease() {
        return "SELECT num_value, text_value FROM " + BisyncTables.CONFIG + " WHERE name = ?";
    }

    @Override
    public String insertLease() {
        return "INSERT INTO " + BisyncTables.CONFIG + " (name, num_value, text_value) VALUES (?, ?, ?)";
    }

    @Override
    public String updateLease() {
        return "UPDATE " + BisyncTables.CONFIG + " SET num_value = ?, text_value = ? WHERE name = ? AND num_value = ? AND text_value = ?";
    }

    @Override
    public String deleteLease() {
        return "DELETE FROM " + BisyncTables.CONFIG + " WHERE name = ? AND text_value = ?";
    }

    @Override
    public String selectInstalled() {
        return "SELECT table_name, ddl_hash, column_hash FROM " + BisyncTables.INSTALLED;
    }

    @Override
    public String deleteInstalled() {
        return "DELETE FROM " + BisyncTables.INSTALLED + " WHERE table_name = ?";
    }

    @Override
    public int clearLeftoverOriginMarker(Connection connection) throws SQLException {
        return 0;
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }
}
