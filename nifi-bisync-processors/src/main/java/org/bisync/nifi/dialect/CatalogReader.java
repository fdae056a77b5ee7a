/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.TableMetadata;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Reads table metadata from the database the connection points at (its current schema or database). */
public interface CatalogReader {

    /** The table or view, or empty when there is none of that name. */
    Optional<TableMetadata> readTable(Connection connection, String tableName) throws SQLException;

    /** User tables and views of the current schema, without our own bisync objects. */
    List<String> listTables(Connection connection) throws SQLException;

    /**
     * The foreign keys the table takes part in, as child (it references another table) and as parent (another table
     * references it); a self-reference is listed once.
     */
    List<ForeignKey> foreignKeys(Connection connection, String tableName) throws SQLException;

    /**
     * The column sets the database keeps unique in the table: its primary key, unique constraints and unique indexes
     * (each in index order), leaving out partial indexes (with a WHERE clause) and indexes on expressions, which do not
     * make their columns unique. Empty for a view.
     */
    List<List<String>> uniqueKeys(Connection connection, String tableName) throws SQLException;
}
