/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

/**
 * Portable SQL of the table that remembers, per polled view, each key's row hash and the version capture gave it
 * (large sets like this live in the database, not in NiFi's cluster state). The same text runs on every engine.
 */
public final class ViewStateSql {

    public static final String TABLE = "bisync_view_state";

    public static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " (table_name VARCHAR(255) NOT NULL, "
            + "key_hash VARCHAR(64) NOT NULL, key_data TEXT NOT NULL, row_hash VARCHAR(64) NOT NULL, version_num BIGINT NOT NULL, "
            + "PRIMARY KEY (table_name, key_hash))";

    public static final String SELECT = "SELECT key_hash, key_data, row_hash, version_num FROM " + TABLE + " WHERE table_name = ?";

    /** Parameters: table_name, key_hash, key_data, row_hash, version_num. */
    public static final String INSERT = "INSERT INTO " + TABLE + " (table_name, key_hash, key_data, row_hash, version_num) VALUES (?, ?, ?, ?, ?)";

    /** Parameters: row_hash, version_num, table_name, key_hash. */
    public static final String UPDATE = "UPDATE " + TABLE + " SET row_hash = ?, version_num = ? WHERE table_name = ? AND key_hash = ?";

    /** Parameters: table_name, key_hash. */
    public static final String DELETE = "DELETE FROM " + TABLE + " WHERE table_name = ? AND key_hash = ?";

    public static final String DROP = "DROP TABLE IF EXISTS " + TABLE;

    private ViewStateSql() {
    }
}
