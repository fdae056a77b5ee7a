/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.util.List;

/**
 * Names of the objects nifi-bisync creates in a synced database. Every dialect creates the same logical tables with
 * the same column names (types are the engine's):
 *
 * <pre>
 * bisync_history    id (auto-increment primary key), table_name varchar(255) (the table's local name),
 *                   operation varchar(8) (INSERT, UPDATE, DELETE), key_data text (JSON object: key column -> image),
 *                   before_data text (JSON object of synced columns, null for INSERT), after_data text (null for DELETE),
 *                   version_num bigint not null, version_origin varchar(64) not null,
 *                   prev_num bigint null, prev_origin varchar(64) null,
 *                   field_versions text null (JSON object: column -> [number, "origin"]),
 *                   origin varchar(64) not null, supersedes text null (JSON array of [number, "origin"]),
 *                   tx_id varchar(64) null, captured_at bigint not null (corrected clock, UTC epoch micros),
 *                   tombstone_num bigint null, tombstone_origin varchar(64) null (a delete apply forwards whose tombstone
 *                   is not its version, see the version table);
 *                   holds only what capture has not released yet
 * bisync_released   the same columns (id not generated) and released_at bigint not null (NiFi's clock in epoch micros
 *                   when capture released the row); index on released_at (BRIN on PostgreSQL). Capture moves a row here when it releases it:
 *                   a delete and an insert cost less than rewriting the row in place under a second index, and
 *                   bisync_history stays small for the next read. Retention deletes from here only
 * bisync_config     name varchar(64) primary key, num_value bigint null, text_value varchar(4000) null
 *                   (row 'clock_correction_micros': the correction the triggers add to the database clock;
 *                   row 'capture_lease': the capture processor that reads the history, text_value its id and node,
 *                   num_value its last heartbeat)
 * bisync_installed  table_name varchar(255) primary key, ddl_hash varchar(64), column_hash varchar(64), installed_at bigint
 * bisync_ack        target_system varchar(64), first_id bigint, last_id bigint, step bigint default 1; index on (target_system, first_id):
 *                   the history ids [first_id, last_id], every step-th from first_id, that target_system has decided (applied, stale, lost, or dropped
 *                   as an echo), written by the target's processors; released history is deleted only once every
 *                   target acknowledged it, and tombstone purge waits for it
 * bisync_v_TABLE    one per synced table: the key columns (same types, same names), version_num bigint not null,
 *                   version_origin varchar(64) not null, prev_num bigint null, prev_origin varchar(64) null,
 *                   deleted boolean/smallint not null (tombstone), field_versions text null,
 *                   tombstone_num bigint null, tombstone_origin varchar(64) null (the delete a tombstone is measured
 *                   against when a merge kept a greater row version; null: the row version),
 *                   kept_data text null (field-level strategies: a tombstone's last values, a JSON object like
 *                   before_data, so a field edit newer than the delete brings the whole row back); primary key = key columns
 * </pre>
 */
public final class BisyncTables {
    public static final String PREFIX = "bisync_";
    public static final String HISTORY = "bisync_history";
    /** Released history rows, kept until every target acknowledged them and History Retention has passed. */
    public static final String RELEASED = "bisync_released";
    public static final String CONFIG = "bisync_config";
    public static final String INSTALLED = "bisync_installed";
    public static final String ACK = "bisync_ack";
    /**
     * bisync_ack's step column, as its CREATE TABLE ends it: every step-th id of [first_id, last_id] is acknowledged (1:
     * every id). Left out of the bisync_installed hashes, which predate it (install adds it where it lacks).
     */
    public static final String ACK_STEP_COLUMN = ", step bigint NOT NULL DEFAULT 1";
    /** SQLite only: a row here marks the current transaction as the applier's. */
    public static final String CONTEXT = "bisync_context";
    public static final String VERSION_TABLE_PREFIX = "bisync_v_";
    /** The version table's own columns, beside the key columns it shares with the user's table (which must not clash). */
    public static final List<String> VERSION_COLUMNS = List.of("version_num", "version_origin", "prev_num", "prev_origin", "deleted",
            "field_versions", "tombstone_num", "tombstone_origin", "kept_data");
    public static final String TRIGGER_PREFIX = "bisync_t_";
    public static final String CLOCK_CORRECTION = "clock_correction_micros";
    /** The bisync_config row of the one capture reader allowed to read this system's history (see CaptureLease). */
    public static final String CAPTURE_LEASE = "capture_lease";

    /**
     * The number of the versions the initial load stamps on rows that have none (plus the system's bias; a table's
     * timestampField gives the number instead where set). Every system stamps the same floor, so rows that differ
     * when a sync starts on tables that already hold data are settled by the strategy's order: the timestamp field,
     * else the systems' biases and priority ranks. Any later write ranks above it.
     */
    public static final long STAMP_FLOOR = 1;

    /**
     * A column bisync_history had before released rows moved to bisync_released; an installation that still has it is
     * upgraded by {@link CaptureDialect#upgradeLegacyHistory()}.
     */
    public static final String LEGACY_RELEASED_AT = "released_at";

    /** Column order of the history table as {@link CaptureDialect#selectUnreleasedHistoryAfter()} returns it. */
    public static final String HISTORY_COLUMNS = "id, table_name, operation, key_data, before_data, after_data, version_num, "
            + "version_origin, prev_num, prev_origin, field_versions, origin, supersedes, tx_id, captured_at, tombstone_num, tombstone_origin";

    private BisyncTables() {
    }
}
