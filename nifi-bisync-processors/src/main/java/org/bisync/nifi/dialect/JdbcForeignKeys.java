/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The foreign keys a table takes part in, read with {@link DatabaseMetaData#getImportedKeys} (the table is the child)
 * and {@link DatabaseMetaData#getExportedKeys} (the table is the parent). Composite keys are assembled by KEY_SEQ.
 */
final class JdbcForeignKeys {

    private JdbcForeignKeys() {
    }

    static List<ForeignKey> read(DatabaseMetaData meta, String catalog, String schema, String table) throws SQLException {
        List<ForeignKey> keys = new ArrayList<>();
        try (ResultSet rs = meta.getImportedKeys(catalog, schema, table)) {
            keys.addAll(assemble(rs));
        }
        try (ResultSet rs = meta.getExportedKeys(catalog, schema, table)) {
            for (ForeignKey key : assemble(rs)) {
                if (!keys.contains(key)) { // a self-reference is both imported and exported
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    private static List<ForeignKey> assemble(ResultSet rs) throws SQLException {
        Map<String, Builder> byConstraint = new LinkedHashMap<>();
        while (rs.next()) {
            String child = rs.getString("FKTABLE_NAME");
            String parent = rs.getString("PKTABLE_NAME");
            String name = rs.getString("FK_NAME");
            // unnamed constraints (SQLite) are told apart by their tables and the restart of KEY_SEQ at 1
            int seq = rs.getInt("KEY_SEQ");
            String id = child + '\u0001' + parent + '\u0001' + name;
            Builder builder = byConstraint.get(id);
            if (builder == null || ((name == null || name.isEmpty()) && builder.columns.containsKey(seq))) {
                id = id + '\u0001' + byConstraint.size();
                builder = new Builder(name, child, parent, rs.getShort("DELETE_RULE"));
                byConstraint.put(id, builder);
            }
            builder.columns.put(seq, new String[]{rs.getString("FKCOLUMN_NAME"), rs.getString("PKCOLUMN_NAME")});
        }
        return byConstraint.values().stream().map(Builder::build).toList();
    }

    private static final class Builder {
        final String name;
        final String child;
        final String parent;
        final int deleteRule;
        final TreeMap<Integer, String[]> columns = new TreeMap<>();

        Builder(String name, String child, String parent, int deleteRule) {
            this.name = name;
            this.child = child;
            this.parent = parent;
            this.deleteRule = deleteRule;
        }

        ForeignKey build() {
            boolean restricts = deleteRule == DatabaseMetaData.importedKeyRestrict || deleteRule == DatabaseMetaData.importedKeyNoAction;
            return new ForeignKey(name, child, columns.values().stream().map(c -> c[0]).toList(), parent,
                    columns.values().stream().map(c -> c[1]).toList(), restricts);
        }
    }
}
