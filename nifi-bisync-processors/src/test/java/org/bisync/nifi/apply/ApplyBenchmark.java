/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.bisync.nifi.apply.ApplyDatabase.change;
import static org.bisync.nifi.apply.ApplyDatabase.row;
import static org.bisync.nifi.change.Operation.INSERT;
import static org.bisync.nifi.change.Operation.UPDATE;

/**
 * Not a test: applies 20,000 changes (inserts, then updates of the same rows) through ChangeApplier into a table
 * carrying our triggers, and the same rows with the fastest raw JDBC form (multi-row VALUES upsert, 500 rows per
 * statement, one transaction per 500 rows like ours) into an identical table with our triggers, in the same run.
 * Prints rows/s and the ratio ours/raw. Run: {@code java -cp <test classpath> org.bisync.nifi.apply.ApplyBenchmark}.
 */
public final class ApplyBenchmark {

    private static final int ROWS = 20_000;
    private static final int BATCH = 500;

    public static void main(String[] args) throws Exception {
        run("PostgreSQL", new ApplyDatabase(new PostgresDialect(), EmbeddedDatabases.postgres("apply_bench"), "SELECT 1", "%s"));
        run("MariaDB", new ApplyDatabase(new MariaDbDialect(), EmbeddedDatabases.mariadb("apply_bench"), "SELECT 1", "%s"));
        System.exit(0);
    }

    private static void run(String engine, ApplyDatabase db) throws SQLException {
        for (int round = 0; round < 2; round++) {
            String ours = "bench_ours_" + round;
            String raw = "bench_raw_" + round;
            for (String table : List.of(ours, raw)) {
                db.exec("CREATE TABLE " + table + " (id bigint PRIMARY KEY, name varchar(255), industry varchar(100), "
                        + "revenue decimal(18,2))");
            }
            SyncTopology topology = ApplyDatabase.topology(null, TableSettings.twoWay(ours), TableSettings.twoWay(raw));
            SyncedTable oursTable = db.install(topology, ours);
            SyncedTable rawTable = db.install(topology, raw);
            int rows = round == 0 ? 2_000 : ROWS; // round 0 warms up
            double oursRate = ours(db, topology, oursTable, rows);
            double rawRate = raw(db, rawTable, rows);
            if (round > 0) {
                System.out.printf("%s: %d changes (inserts then updates), batches of %d: ChangeApplier %.0f rows/s, raw multi-row "
                        + "upsert with triggers %.0f rows/s, ratio %.2f%n", engine, 2 * rows, BATCH, oursRate, rawRate, oursRate / rawRate);
            }
        }
    }

    private static double ours(ApplyDatabase db, SyncTopology topology, SyncedTable table, int rows) throws SQLException {
        ChangeApplier applier = new ChangeApplier(db.dialect, topology, "B", BATCH, w -> { });
        long start = System.nanoTime();
        try (Connection connection = db.connect()) {
            for (int pass = 0; pass < 2; pass++) {
                for (int from = 1; from <= rows; from += BATCH) {
                    List<ChangeRecord> batch = new ArrayList<>();
                    for (int id = from; id < from + BATCH && id <= rows; id++) {
                        batch.add(change(table.canonicalName(), pass == 0 ? INSERT : UPDATE, id,
                                row("name", "name " + id + " " + pass, "industry", "industry " + (id % 10),
                                        "revenue", BigDecimal.valueOf(id * 100L + pass, 2)), 100 + pass, "A"));
                    }
                    ApplyResult result = applier.apply(connection, table, batch);
                    if (result.count(ApplyStatus.APPLIED) != batch.size()) {
                        throw new IllegalStateException("Not all applied: " + result + " " + result.outcomes().stream()
                                .filter(o -> o.status() != ApplyStatus.APPLIED).findFirst().orElseThrow());
                    }
                }
            }
        }
        return 2.0 * rows / ((System.nanoTime() - start) / 1e9);
    }

    private static double raw(ApplyDatabase db, SyncedTable table, int rows) throws SQLException {
        List<SyncedColumn> columns = table.writableColumns();
        long start = System.nanoTime();
        try (Connection connection = db.connect()) {
            connection.setAutoCommit(false);
            for (int pass = 0; pass < 2; pass++) {
                for (int from = 1; from <= rows; from += BATCH) {
                    int count = Math.min(BATCH, rows - from + 1);
                    try (PreparedStatement upsert = connection.prepareStatement(db.dialect.apply().upsertRows(table, columns, count))) {
                        int index = 1;
                        for (int id = from; id < from + count; id++) {
                            upsert.setLong(index++, id);
                            upsert.setString(index++, "name " + id + " " + pass);
                            upsert.setString(index++, "industry " + (id % 10));
                            upsert.setBigDecimal(index++, BigDecimal.valueOf(id * 100L + pass, 2));
                        }
                        upsert.executeUpdate();
                    }
                    connection.commit();
                }
            }
        }
        return 2.0 * rows / ((System.nanoTime() - start) / 1e9);
    }

    private ApplyBenchmark() {
    }
}
