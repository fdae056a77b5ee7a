/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The consistency audit's queries, from an engine's {@link AuditDialect}. A row is summarised by two texts: the key
 * text (the key fields in key order) and the row text (every synced field, key included, in the order of their
 * canonical names, so that column order does not matter). Each field is {@code n} for NULL or
 * {@code v<length>:<canonical value>}, fields joined by {@code |}: NULL and the empty string differ, and no value can
 * imitate a field boundary. Rows are grouped into buckets by a prefix of the MD5 of their key text, the same on every
 * engine, and a bucket is summarised by its row count and the sum of a 60-bit number taken from each row text's MD5.
 */
public final class AuditQueries {

    /** Column aliases of the derived table the queries read from. */
    public static final String KEY_HASH = "bisync_kh";
    public static final String ROW_HASH = "bisync_rh";
    public static final String KEY_TEXT = "bisync_kt";
    public static final String ROW_TEXT = "bisync_rt";

    private final Dialect dialect;
    private final AuditDialect audit;
    private final SqlIdentifiers ids;

    public AuditQueries(Dialect dialect) {
        this.dialect = dialect;
        this.audit = dialect.audit();
        this.ids = dialect.identifiers();
    }

    /** Whether the database computes the hashes; otherwise the queries return the texts and the caller hashes them. */
    public boolean hashesInDatabase() {
        return audit.md5("''") != null;
    }

    public String keyText(SyncedTable table) {
        return encode(table.keyColumns());
    }

    public String rowText(SyncedTable table) {
        List<SyncedColumn> columns = new ArrayList<>(table.columns());
        columns.sort(Comparator.comparing(SyncedColumn::canonical));
        return encode(columns);
    }

    private String encode(List<SyncedColumn> columns) {
        List<String> parts = new ArrayList<>();
        for (SyncedColumn column : columns) {
            if (!parts.isEmpty()) {
                parts.add("'|'");
            }
            String ref = ids.quote(column.local());
            String value = audit.canonicalValue(ref, column.column());
            parts.add("CASE WHEN " + ref + " IS NULL THEN 'n' ELSE " + audit.concat(List.of("'v'", audit.lengthText(value), "':'", value))
                    + " END");
        }
        return audit.concat(parts);
    }

    /** Row count of the table. */
    public String count(SyncedTable table) {
        return "SELECT count(*) FROM " + ids.quote(table.localName());
    }

    /**
     * Per bucket (the first {@code digits} hex digits of the key hash): label, row count, sum of row-hash numbers; only
     * rows whose key hash starts with one of {@code parents} prefixes of {@code parentDigits} digits (bound as text
     * parameters), or every row when {@code parents} is 0. Only for engines that {@link #hashesInDatabase()}.
     */
    public String bucketSums(SyncedTable table, int digits, int parents, int parentDigits) {
        String bucket = audit.prefix(KEY_HASH, digits);
        return "SELECT " + bucket + ", count(*), sum(" + audit.hashNumber(ROW_HASH) + ") FROM (" + hashes(table, false) + ") h"
                + where(parents, parentDigits) + " GROUP BY " + bucket;
    }

    /**
     * The key columns (read with the type mapping's select expressions) and the row hash of the rows whose key hash
     * starts with one of {@code parents} prefixes of {@code parentDigits} digits, or the key text and row text instead
     * of the hashes where the engine does not hash ({@code parents} then 0: the caller filters).
     */
    public String rowHashes(SyncedTable table, int parents, int parentDigits) {
        List<String> select = new ArrayList<>();
        for (SyncedColumn key : table.keyColumns()) {
            select.add(ids.quote(key.local()));
        }
        if (hashesInDatabase()) {
            select.add(ROW_HASH);
            return "SELECT " + String.join(", ", select) + " FROM (" + hashes(table, true) + ") h" + where(parents, parentDigits);
        }
        select.add(KEY_TEXT);
        select.add(ROW_TEXT);
        return "SELECT " + String.join(", ", select) + " FROM (" + texts(table, true) + ") h";
    }

    /** Every row's key text and row text, for engines that do not hash (the caller hashes and groups). */
    public String texts(SyncedTable table) {
        return "SELECT " + KEY_TEXT + ", " + ROW_TEXT + " FROM (" + texts(table, false) + ") h";
    }

    private String hashes(SyncedTable table, boolean withKeys) {
        return "SELECT " + keys(table, withKeys) + audit.md5(keyText(table)) + " AS " + KEY_HASH + ", " + audit.md5(rowText(table))
                + " AS " + ROW_HASH + " FROM " + ids.quote(table.localName());
    }

    private String texts(SyncedTable table, boolean withKeys) {
        return "SELECT " + keys(table, withKeys) + keyText(table) + " AS " + KEY_TEXT + ", " + rowText(table) + " AS " + ROW_TEXT
                + " FROM " + ids.quote(table.localName());
    }

    private String keys(SyncedTable table, boolean withKeys) {
        if (!withKeys) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (SyncedColumn key : table.keyColumns()) {
            out.append(dialect.types().selectExpression(ids.quote(key.local()), key.column())).append(" AS ")
                    .append(ids.quote(key.local())).append(", ");
        }
        return out.toString();
    }

    private String where(int parents, int parentDigits) {
        if (parents == 0) {
            return "";
        }
        return " WHERE " + audit.prefix(KEY_HASH, parentDigits) + " IN (" + String.join(", ", Collections.nCopies(parents, "?")) + ")";
    }
}
