/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.dialect.AuditQueries;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One system's copy of an audited table and the reads the audit makes of it: a row count, bucket summaries and the row
 * hashes of chosen buckets, each computed by the database where the engine can hash (only labels, counts and sums come
 * back), otherwise (SQLite) hashed here from the canonical texts the database builds, streamed and never kept.
 */
public final class AuditedSide {

    private final String systemId;
    private final Connection connection;
    private final Dialect dialect;
    private final SyncedTable table;
    private final AuditQueries queries;
    private int statements;

    public AuditedSide(String systemId, Connection connection, Dialect dialect, SyncedTable table) {
        this.systemId = systemId;
        this.connection = connection;
        this.dialect = dialect;
        this.table = table;
        this.queries = new AuditQueries(dialect);
    }

    public String systemId() {
        return systemId;
    }

    public Connection connection() {
        return connection;
    }

    public Dialect dialect() {
        return dialect;
    }

    public SyncedTable table() {
        return table;
    }

    /** Statements run so far. */
    public int statements() {
        return statements;
    }

    long count() throws SQLException {
        statements++;
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(queries.count(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Bucket summaries by the first {@code digits} hex digits of the key hash, of the rows under the given parent
     * prefixes of {@code parentDigits} digits (every row when {@code parents} is empty).
     */
    Map<String, BucketSum> bucketSums(int digits, List<String> parents, int parentDigits) throws SQLException {
        Map<String, BucketSum> sums = new HashMap<>();
        statements++;
        if (queries.hashesInDatabase()) {
            try (PreparedStatement statement = connection.prepareStatement(queries.bucketSums(table, digits, parents.size(), parentDigits))) {
                for (int i = 0; i < parents.size(); i++) {
                    statement.setString(i + 1, parents.get(i));
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        BigDecimal sum = rs.getBigDecimal(3);
                        sums.put(rs.getString(1), new BucketSum(rs.getLong(2), sum == null ? BucketSum.EMPTY.hashSum() : sum.toBigIntegerExact()));
                    }
                }
            }
            return sums;
        }
        Set<String> wanted = new HashSet<>(parents);
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(queries.texts(table))) {
            while (rs.next()) {
                String keyHash = RowHashes.md5(rs.getString(1));
                if (!wanted.isEmpty() && !wanted.contains(keyHash.substring(0, parentDigits))) {
                    continue;
                }
                long number = RowHashes.number(RowHashes.md5(rs.getString(2)));
                sums.merge(keyHash.substring(0, digits), BucketSum.EMPTY.plus(number), (a, b) -> new BucketSum(a.count() + b.count(),
                        a.hashSum().add(b.hashSum())));
            }
        }
        return sums;
    }

    /** A row's key (by canonical field) and row hash. */
    record KeyedHash(Map<String, Object> key, String hash) {
    }

    /** Key and row hash of each row under the given prefixes of {@code digits} digits. */
    Map<KeyValues, KeyedHash> rowHashes(List<String> prefixes, int digits) throws SQLException {
        Map<KeyValues, KeyedHash> rows = new LinkedHashMap<>();
        List<SyncedColumn> keys = table.keyColumns();
        List<String> keyFields = keys.stream().map(SyncedColumn::canonical).toList();
        statements++;
        boolean inDatabase = queries.hashesInDatabase();
        Set<String> wanted = new HashSet<>(prefixes);
        try (PreparedStatement statement = connection.prepareStatement(queries.rowHashes(table, inDatabase ? prefixes.size() : 0, digits))) {
            if (inDatabase) {
                for (int i = 0; i < prefixes.size(); i++) {
                    statement.setString(i + 1, prefixes.get(i));
                }
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String rowHash;
                    if (inDatabase) {
                        rowHash = rs.getString(keys.size() + 1);
                    } else {
                        if (!wanted.contains(RowHashes.md5(rs.getString(keys.size() + 1)).substring(0, digits))) {
                            continue;
                        }
                        rowHash = RowHashes.md5(rs.getString(keys.size() + 2));
                    }
                    Map<String, Object> key = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        key.put(keys.get(i).canonical(), dialect.types().read(rs, i + 1, keys.get(i).column()));
                    }
                    rows.put(KeyValues.of(key, keyFields), new KeyedHash(key, rowHash));
                }
            }
        }
        return rows;
    }
}
