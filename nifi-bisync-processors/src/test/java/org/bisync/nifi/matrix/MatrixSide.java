/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.matrix;

import org.apache.nifi.serialization.RecordReader;
import org.apache.nifi.serialization.RecordSetWriter;
import org.apache.nifi.serialization.record.Record;
import org.bisync.nifi.apply.ApplyResult;
import org.bisync.nifi.apply.ChangeApplier;
import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.HistoryRow;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordParser;
import org.bisync.nifi.change.ChangeRecordSchema;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.KeyQueries;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.schema.TableRecordSchemas;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.RecordSchemaJson;
import org.bisync.nifi.topology.SyncTopology;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One database of one engine playing one system of the matrix: installs tables, writes rows as a user would, captures. */
final class MatrixSide {

    final MatrixEngine engine;
    final Dialect dialect;
    final DataSource dataSource;
    final String systemId;

    MatrixSide(MatrixEngine engine, DataSource dataSource, String systemId) {
        this.engine = engine;
        this.dialect = engine.dialect;
        this.dataSource = dataSource;
        this.systemId = systemId;
    }

    Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    void exec(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** Resolves the table as this system sees it and installs bisync tables, version table and triggers, as capture does. */
    SyncedTable install(SyncTopology topology, String table) throws SQLException {
        try (Connection c = connect()) {
            SyncedTable synced = new SyncedTableResolver(dialect, topology).resolve(c, topology.table(table).orElseThrow(), systemId);
            new TriggerInstaller(dialect).install(c, List.of(synced), System.currentTimeMillis() * 1000L);
            return synced;
        }
    }

    /**
     * Inserts rows the way a user's program would, binding each value with the engine's type mapping (the canonical Java
     * types of TypeMapping), in one transaction. On MariaDB the session time zone is UTC while binding, since record
     * values of TIMESTAMP columns hold the UTC time.
     */
    void insert(SyncedTable table, List<Map<String, Object>> rows) throws SQLException {
        List<SyncedColumn> columns = table.columns();
        String sql = "INSERT INTO " + q(table.localName()) + " (" + columns.stream().map(c -> q(c.local())).collect(Collectors.joining(", "))
                + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        write(sql, table, rows, columns, List.of());
    }

    /** Updates rows by key: every non-key column given in each row. */
    void update(SyncedTable table, List<Map<String, Object>> rows) throws SQLException {
        List<SyncedColumn> values = table.valueColumns();
        String sql = "UPDATE " + q(table.localName()) + " SET " + values.stream().map(c -> q(c.local()) + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + table.keyColumns().stream().map(c -> q(c.local()) + " = ?").collect(Collectors.joining(" AND "));
        write(sql, table, rows, values, table.keyColumns());
    }

    void delete(SyncedTable table, List<Map<String, Object>> keys) throws SQLException {
        String sql = "DELETE FROM " + q(table.localName()) + " WHERE "
                + table.keyColumns().stream().map(c -> q(c.local()) + " = ?").collect(Collectors.joining(" AND "));
        write(sql, table, keys, List.of(), table.keyColumns());
    }

    private void write(String sql, SyncedTable table, List<Map<String, Object>> rows, List<SyncedColumn> first,
                       List<SyncedColumn> then) throws SQLException {
        try (Connection c = connect()) {
            boolean maria = engine == MatrixEngine.MARIADB;
            if (maria) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET time_zone = '+00:00'");
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Map<String, Object> row : rows) {
                    int i = 1;
                    for (SyncedColumn column : first) {
                        dialect.types().bind(ps, i++, row.get(column.canonical()), column.column());
                    }
                    for (SyncedColumn column : then) {
                        dialect.types().bind(ps, i++, row.get(column.canonical()), column.column());
                    }
                    ps.executeUpdate(); // one statement per row: no bulk batch (see MariaDbBulkTrapTest)
                }
                c.commit();
            } finally {
                c.setAutoCommit(true);
                if (maria) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET time_zone = DEFAULT");
                    }
                }
            }
        }
    }

    /** Reads, decodes and releases this system's unreleased history of one table, in capture order. */
    List<ChangeRecord> capture(SyncedTable table) throws SQLException {
        HistoryReader reader = new HistoryReader(dialect.capture());
        ChangeDecoder decoder = new ChangeDecoder(dialect.types(), systemId);
        try (Connection c = connect()) {
            List<ChangeRecord> changes = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (HistoryRow row : reader.readUnreleased(c, 100_000)) {
                if (row.tableName().equals(table.localName())) {
                    changes.add(decoder.decode(row, table));
                    ids.add(row.id());
                }
            }
            reader.release(c, ids, System.currentTimeMillis() * 1000L, false);
            return changes;
        }
    }

    long historyCount(SyncedTable table) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM " + BisyncTables.HISTORY + " WHERE table_name = ?")) {
            ps.setString(1, table.localName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    long count(SyncedTable table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + q(table.localName()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The row of a single-column key read with the dialect's read (null when absent), canonical field to value. */
    Map<String, Object> read(SyncedTable table, Object key) throws SQLException {
        SyncedColumn keyColumn = table.keyColumns().get(0);
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(KeyQueries.selectRowsByKeys(dialect, table, 1))) {
            dialect.types().bind(ps, 1, key, keyColumn.column());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                int i = 1;
                for (SyncedColumn column : table.columns()) {
                    row.put(column.canonical(), dialect.types().read(rs, i++, column.column()));
                }
                return row;
            }
        }
    }

    /** Every row of the table read with the dialect's read, canonical field to value. */
    List<Map<String, Object>> readAll(SyncedTable table) throws SQLException {
        String sql = "SELECT " + table.columns().stream().map(c -> q(c.local())).collect(Collectors.joining(", ")) + " FROM "
                + q(table.localName());
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                int i = 1;
                for (SyncedColumn column : table.columns()) {
                    row.put(column.canonical(), dialect.types().read(rs, i++, column.column()));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * Writes the changes as JSON with the source table's change schema, reads them back with the schema the attribute
     * carries (as the next processor would), and applies them at the target.
     */
    static ApplyResult applyThroughJson(ChangeApplier applier, MatrixSide target, SyncedTable sourceTable, SyncedTable targetTable,
                                        MatrixEngine sourceEngine, List<ChangeRecord> changes) throws Exception {
        ChangeRecordSchema schema = TableRecordSchemas.changeSchema(sourceTable, sourceEngine.dialect.types());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSetWriter writer = new JsonRecordSetWriterService().createWriter(null, schema.schema(), out, Map.of())) {
            writer.beginRecordSet();
            for (ChangeRecord change : changes) {
                writer.write(schema.toRecord(change));
            }
            writer.finishRecordSet();
        }
        Map<String, String> attributes = Map.of(JsonRecordSetWriterService.SCHEMA_ATTRIBUTE, RecordSchemaJson.toJson(schema.schema()));
        byte[] content = out.toByteArray();
        List<ChangeRecord> read = new ArrayList<>();
        try (RecordReader reader = new JsonRecordReaderService().createRecordReader(attributes, new ByteArrayInputStream(content),
                content.length, null)) {
            ChangeRecordSchema.fromIncoming(reader.getSchema()); // what ApplyBidirectionalChanges does with the incoming schema
            Record record;
            while ((record = reader.nextRecord()) != null) {
                read.add(ChangeRecordParser.parse(record));
            }
        }
        if (read.size() != changes.size()) {
            throw new AssertionError("wrote " + changes.size() + " change records as JSON but read back " + read.size());
        }
        try (Connection connection = target.connect()) {
            return applier.apply(connection, targetTable, read);
        }
    }

    String q(String identifier) {
        return dialect.identifiers().quote(identifier);
    }
}
