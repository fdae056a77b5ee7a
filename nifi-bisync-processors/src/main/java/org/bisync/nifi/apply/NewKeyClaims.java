/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Claims the keys a target has no version row for, once apply holds their user rows (a key without a row: the row apply
 * inserted first) and has locked the existing version rows. {@code SELECT ... FOR UPDATE} cannot lock a row that does
 * not exist, so without a claim another apply writing only a tombstone of the same new key (it takes no user row)
 * could create the version row meanwhile and be overwritten. With a placeholder version row inserted (a plain INSERT),
 * one of the two fails on the other's row and its batch is retried and decided again. A local writer of the key never
 * meets the claim while apply waits on it: apply only waits on user rows before it claims.
 */
final class NewKeyClaims {

    /** Another writer created one of the keys while apply was deciding: the batch must be decided again. */
    static final class ConcurrentNewKeyException extends DatabaseErrors.DescribedException {
        ConcurrentNewKeyException(String table, String cause, SQLException e) {
            super("Another writer created a key of table '" + table + "' at the same moment: " + cause, e);
        }
    }

    private NewKeyClaims() {
    }

    static void claim(Connection connection, Dialect dialect, SyncedTable table, List<Map<String, Object>> keys,
                      int maxKeysPerStatement) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        try {
            for (int from = 0; from < keys.size(); from += maxKeysPerStatement) {
                List<Map<String, Object>> chunk = keys.subList(from, Math.min(keys.size(), from + maxKeysPerStatement));
                try (PreparedStatement insert = connection.prepareStatement(KeyQueries.insertPlaceholderVersions(dialect, table, chunk.size()))) {
                    int index = 1;
                    for (Map<String, Object> key : chunk) {
                        for (SyncedColumn column : keyColumns) {
                            dialect.types().bind(insert, index++, key.get(column.canonical()), column.column());
                        }
                        insert.setBoolean(index++, false);
                    }
                    insert.executeUpdate();
                }
            }
        } catch (SQLException e) {
            if (dialect.apply().isTransient(e)) {
                throw e;
            }
            throw new ConcurrentNewKeyException(table.localName(), dialect.errors().describe(e), e);
        }
    }

    /** Removes the placeholders of keys no write replaced (their records were stale, failed or re-resolved). */
    static void release(Connection connection, Dialect dialect, SyncedTable table, List<Map<String, Object>> keys,
                              int maxKeysPerStatement) throws SQLException {
        List<SyncedColumn> keyColumns = table.keyColumns();
        for (int from = 0; from < keys.size(); from += maxKeysPerStatement) {
            List<Map<String, Object>> chunk = keys.subList(from, Math.min(keys.size(), from + maxKeysPerStatement));
            try (PreparedStatement delete = connection.prepareStatement(KeyQueries.deletePlaceholderVersions(dialect, table, chunk.size()))) {
                int index = 1;
                for (Map<String, Object> key : chunk) {
                    for (SyncedColumn column : keyColumns) {
                        dialect.types().bind(delete, index++, key.get(column.canonical()), column.column());
                    }
                }
                delete.executeUpdate();
            }
        }
    }
}
