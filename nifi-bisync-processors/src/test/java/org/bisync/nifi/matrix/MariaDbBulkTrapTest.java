/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.matrix;

import org.bisync.nifi.apply.ApplyResult;
import org.bisync.nifi.apply.ApplyStatus;
import org.bisync.nifi.apply.ChangeApplier;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mariadb.jdbc.MariaDbDataSource;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MariaDB 10.11.5 with Connector/J 3.5's default bulk protocol for batched INSERTs keeps only the first row of a batch
 * into a table with a row trigger (shared/BASELINES.md, server issue MDEV-24411): executeBatch reports success and the
 * trigger fires for every row with the first row's values. ChangeApplier writes into tables carrying our triggers, so it
 * must not depend on that protocol: 5,000 inserts and 5,000 updates in FlowFile-sized batches must all be there, on
 * 10.11.5 and 11.4.5, through the default URL and through a URL that forces bulk statements on.
 */
class MariaDbBulkTrapTest {

    private static final int ROWS = 5_000;
    private static final int FLOWFILE = 1_000;
    private static final int TRAP_BATCH = 1_000;

    private static SyncTopology topology(String table) {
        return new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(TableSettings.twoWay(table)), null);
    }

    /** A fresh database on the server, and a data source on it with extra connector options ("" for the defaults). */
    private static DataSource database(String server, String name, String options) throws SQLException {
        Function<String, DataSource> fresh = server.equals("10.11.5") ? EmbeddedDatabases::mariadb1011 : EmbeddedDatabases::mariadb;
        DataSource created = fresh.apply(name);
        if (options.isEmpty()) {
            return created;
        }
        String url = (server.equals("10.11.5") ? EmbeddedDatabases.mariadb1011JdbcUrl(name) : EmbeddedDatabases.mariadbJdbcUrl(name)) + "&" + options;
        return new MariaDbDataSource(url);
    }

    static Stream<Arguments> serversAndUrls() {
        return Stream.of(
                Arguments.of("10.11.5", ""),
                Arguments.of("10.11.5", "useBulkStmts=true&useBulkStmtsForInserts=true"),
                Arguments.of("11.4.5", ""),
                Arguments.of("11.4.5", "useBulkStmts=true&useBulkStmtsForInserts=true"));
    }

    private static ChangeRecord change(String table, Operation operation, long id, String name, int qty, Version version, Version prev) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", id);
        after.put("name", name);
        after.put("qty", qty);
        after.put("price", BigDecimal.valueOf(qty, 2));
        return ChangeRecordBuilder.change(table, operation).keyOnly("id", id).afterRow(after).changed("name", "qty", "price")
                .version(version).prev(prev).from("A").sequence(id).capturedNow().build();
    }

    @ParameterizedTest(name = "MariaDB {0}, connector options \"{1}\"")
    @MethodSource("serversAndUrls")
    void fiveThousandInsertsThenUpdatesInFlowFileSizedBatchesAreAllThere(String server, String options) throws SQLException {
        String db = "bulk_apply_" + server.replace('.', '_') + (options.isEmpty() ? "" : "_forced");
        MatrixSide target = new MatrixSide(MatrixEngine.MARIADB, database(server, db, options), "B");
        target.exec("CREATE TABLE t_bulk (id bigint PRIMARY KEY, name varchar(40) NOT NULL, qty int NOT NULL, price decimal(12,2))");
        SyncTopology topology = topology("t_bulk");
        SyncedTable table = target.install(topology, "t_bulk");
        ChangeApplier applier = new ChangeApplier(MatrixEngine.MARIADB.dialect, topology, "B", 500, w -> { });

        List<ChangeRecord> changes = new ArrayList<>();
        for (long i = 1; i <= ROWS; i++) {
            changes.add(change("t_bulk", Operation.INSERT, i, "n" + i, (int) i, new Version(100, "A"), null));
        }
        for (long i = 1; i <= ROWS; i++) {
            changes.add(change("t_bulk", Operation.UPDATE, i, "u" + i + "-é😀", (int) (2 * i), new Version(200, "A"), new Version(100, "A")));
        }
        int applied = 0;
        try (Connection connection = target.connect()) {
            for (int from = 0; from < changes.size(); from += FLOWFILE) {
                ApplyResult result = applier.apply(connection, table, changes.subList(from, Math.min(changes.size(), from + FLOWFILE)));
                applied += result.count(ApplyStatus.APPLIED);
            }
        }
        assertEquals(2 * ROWS, applied, "every change reported applied");

        long qtySum = 0;
        long priceCents = 0;
        long nameChecksum = 0;
        for (long i = 1; i <= ROWS; i++) {
            qtySum += 2 * i;
            priceCents += 2 * i;
            CRC32 crc = new CRC32();
            crc.update(("u" + i + "-é😀").getBytes(StandardCharsets.UTF_8));
            nameChecksum += crc.getValue();
        }
        String version = target.q(target.dialect.identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, "t_bulk"));
        try (Connection c = target.connect()) {
            assertEquals(ROWS, number(c, "SELECT count(*) FROM t_bulk"), "row count");
            assertEquals(ROWS, number(c, "SELECT count(DISTINCT id) FROM t_bulk WHERE id BETWEEN 1 AND " + ROWS), "every key");
            assertEquals(qtySum, number(c, "SELECT sum(qty) FROM t_bulk"), "sum of qty");
            assertEquals(priceCents, number(c, "SELECT CAST(sum(price) * 100 AS SIGNED) FROM t_bulk"), "sum of price");
            assertEquals(nameChecksum, number(c, "SELECT sum(crc32(name)) FROM t_bulk"), "checksum of names");
            assertEquals(ROWS, number(c, "SELECT count(*) FROM t_bulk WHERE name = concat('u', id, '-é😀') AND qty = 2 * id"),
                    "each row has its own values, not another row's");
            assertEquals(ROWS, number(c, "SELECT count(*) FROM " + version
                    + " WHERE version_num = 200 AND version_origin = 'A' AND prev_num = 100 AND prev_origin = 'A' AND deleted = 0"),
                    "a version row per key, at the update's version");
            assertEquals(ROWS, number(c, "SELECT count(*) FROM " + version));
            assertEquals(0, target.historyCount(table), "the triggers skipped every write of the applier");
        }
    }

    /**
     * The trap itself: a plain JDBC batch of {@value #TRAP_BATCH} INSERTs into a table with a row trigger, with the
     * connector's default options (Connector/J 3.5 sends batched INSERTs with the bulk protocol unless
     * {@code useBulkStmtsForInserts=false}). Observed with Connector/J 3.5.6: on 10.11.5 only the first row is kept, no
     * exception, and the trigger ran 999 times, every time with the first row's values; on 11.4.5, and on 10.11.5 with the bulk protocol
     * off, every row is there.
     */
    @Test
    void onMariaDb1011TheDefaultBulkProtocolKeepsOnlyTheFirstRowOfABatchIntoATableWithATrigger() throws SQLException {
        Observed legacy = plainBatch(database("10.11.5", "bulk_trap_1011", ""));
        Observed legacyNoBulk = plainBatch(database("10.11.5", "bulk_trap_1011_nobulk", "useBulkStmtsForInserts=false"));
        Observed current = plainBatch(database("11.4.5", "bulk_trap_114", ""));
        System.out.println("[MariaDbBulkTrapTest] plain batch of " + TRAP_BATCH + " INSERTs into a table with a trigger: 10.11.5 default "
                + legacy + "; 10.11.5 useBulkStmtsForInserts=false " + legacyNoBulk + "; 11.4.5 default " + current);
        assertEquals(new Observed(1, 1, TRAP_BATCH - 1, 1), legacy, "the trap: one row kept, executeBatch raised nothing, and the"
                + " trigger fired " + (TRAP_BATCH - 1) + " times, always with the first row's values");
        assertEquals(new Observed(TRAP_BATCH, TRAP_BATCH, TRAP_BATCH, TRAP_BATCH), legacyNoBulk);
        assertEquals(new Observed(TRAP_BATCH, TRAP_BATCH, TRAP_BATCH, TRAP_BATCH), current);
    }

    /** Rows in the table, distinct ids in it, rows the trigger wrote, distinct ids the trigger saw. */
    record Observed(long rows, long distinctRows, long triggerRows, long triggerDistinct) {
    }

    private static Observed plainBatch(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE trapped (id int PRIMARY KEY, name varchar(20))");
                s.execute("CREATE TABLE trapped_audit (seq int AUTO_INCREMENT PRIMARY KEY, id int, name varchar(20))");
                s.execute("CREATE TRIGGER trapped_ai AFTER INSERT ON trapped FOR EACH ROW INSERT INTO trapped_audit (id, name) VALUES (NEW.id, NEW.name)");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO trapped (id, name) VALUES (?, ?)")) {
                for (int i = 1; i <= TRAP_BATCH; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "n" + i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return new Observed(number(c, "SELECT count(*) FROM trapped"), number(c, "SELECT count(DISTINCT id) FROM trapped"),
                    number(c, "SELECT count(*) FROM trapped_audit"), number(c, "SELECT count(DISTINCT id) FROM trapped_audit"));
        }
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
