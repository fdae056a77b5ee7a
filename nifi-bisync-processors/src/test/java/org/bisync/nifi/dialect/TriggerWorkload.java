/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.dialect.InterleavedRounds.Sample;
import org.bisync.nifi.dialect.InterleavedRounds.Scenario;
import org.bisync.nifi.dialect.InterleavedRounds.Trial;
import org.bisync.nifi.dialect.InterleavedRounds.Variant;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The writes a trigger benchmark times, the same on every engine, on a table shaped as in BASELINES.md
 * {@code (id, name, industry, revenue, updated_at)}: bulk INSERT (multi-row VALUES of {@value #BATCH} rows, one commit per
 * statement), bulk UPDATE (a range of {@value #BATCH} keys per statement, one commit per statement), single-row INSERT
 * and single-row UPDATE in autocommit. Each trial starts from empty tables (an UPDATE trial first inserts its rows
 * through the triggers, untimed, so their version rows exist as in real use), times the writes, and checks that each
 * written row left exactly one history row.
 */
public final class TriggerWorkload {

    public static final int BULK_ROWS = 20_000;
    public static final int BATCH = 1_000;
    public static final int SINGLE_ROWS = 2_000;
    public static final String COLUMNS = "id, name, industry, revenue, updated_at";

    /** What a benchmark provides of its engine. */
    public interface Engine {
        Connection connect() throws SQLException;

        /** Empties the table, its version table and the history table, so a trial starts as the first write. */
        void emptyAll(Connection c, String table) throws SQLException;

        /** Empties the history table only. */
        void emptyHistory(Connection c) throws SQLException;

        /**
         * A reader of the CPU time, in nanoseconds, that the database has spent so far for this connection's session (its
         * server thread or backend process, or the JVM thread for an embedded engine); null where unknown.
         */
        CpuClock cpuClock(Connection c) throws SQLException;

        /** Binds the row {@code id} to the five parameters from {@code index}; the default suits PostgreSQL and MariaDB. */
        default void bindRow(PreparedStatement ps, int index, long id) throws SQLException {
            ps.setLong(index, id);
            ps.setString(index + 1, "Customer " + id);
            ps.setString(index + 2, id % 3 == 0 ? "Retail" : "Manufacturing");
            ps.setBigDecimal(index + 3, BigDecimal.valueOf(id * 1234L, 2));
            ps.setTimestamp(index + 4, new Timestamp(1_700_000_000_000L + id));
        }
    }

    /** CPU time so far, in nanoseconds. */
    @FunctionalInterface
    public interface CpuClock {
        long nanos() throws IOException;

        /** A thread's or process's time on a CPU from Linux's schedstat (nanoseconds, unlike stat's clock ticks). */
        static CpuClock schedstat(String procPath) {
            Path path = Path.of(procPath, "schedstat");
            return () -> Long.parseLong(Files.readString(path).trim().split(" ")[0]);
        }
    }

    private enum Kind {
        BULK_INSERT("bulk INSERT", BULK_ROWS),
        BULK_UPDATE("bulk UPDATE", BULK_ROWS),
        SINGLE_INSERT("single-row INSERT", SINGLE_ROWS),
        SINGLE_UPDATE("single-row UPDATE", SINGLE_ROWS);

        private final String label;
        private final int rows;

        Kind(String label, int rows) {
            this.label = label;
            this.rows = rows;
        }
    }

    private final Engine engine;

    public TriggerWorkload(Engine engine) {
        this.engine = engine;
    }

    /**
     * The four scenarios, each comparing the tables given in order: ours first, the floor second, then any breakdown
     * variants (name to table; every table has the same columns). {@code -Dscenarios=bulk-INSERT,single-row-UPDATE}
     * keeps only the scenarios whose name, spaces written as dashes, contains one of the comma-separated words.
     */
    public List<Scenario> scenarios(Map<String, String> tablesByVariant) {
        return scenarios(tablesByVariant, Map.of());
    }

    /**
     * As {@link #scenarios(Map)}, with further candidates for the floor of the UPDATE scenarios (name to table), which
     * run right after the floor; each UPDATE scenario takes the cheapest of them as its floor.
     */
    public List<Scenario> scenarios(Map<String, String> tablesByVariant, Map<String, String> updateFloors) {
        List<String> wanted = List.of(System.getProperty("scenarios", "").split(","));
        List<Scenario> scenarios = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (wanted.stream().noneMatch(kind.label.replace(' ', '-')::contains)) {
                continue;
            }
            boolean update = kind == Kind.BULK_UPDATE || kind == Kind.SINGLE_UPDATE;
            List<Variant> variants = new ArrayList<>();
            tablesByVariant.forEach((name, table) -> variants.add(new Variant(name, trial(kind, table))));
            if (update) {
                List<Variant> floors = updateFloors.entrySet().stream().map(e -> new Variant(e.getKey(), trial(kind, e.getValue()))).toList();
                variants.addAll(2, floors);
            }
            String label = kind.label + " (" + kind.rows + " rows" + (kind.rows == BULK_ROWS ? ", " + BATCH + " per statement" : "") + ")";
            scenarios.add(new Scenario(label, variants, update ? 1 + updateFloors.size() : 1));
        }
        return scenarios;
    }

    private Trial trial(Kind kind, String table) {
        return () -> {
            try (Connection c = engine.connect()) {
                c.setAutoCommit(true);
                engine.emptyAll(c, table);
                if (kind == Kind.BULK_UPDATE || kind == Kind.SINGLE_UPDATE) {
                    c.setAutoCommit(false);
                    insertBulk(c, table, kind.rows);
                    c.setAutoCommit(true);
                    engine.emptyHistory(c);
                }
                boolean bulk = kind == Kind.BULK_INSERT || kind == Kind.BULK_UPDATE;
                c.setAutoCommit(!bulk);
                CpuClock cpu = engine.cpuClock(c);
                long cpuStart = cpu == null ? 0 : cpu.nanos();
                long start = System.nanoTime();
                switch (kind) {
                    case BULK_INSERT -> insertBulk(c, table, kind.rows);
                    case BULK_UPDATE -> updateBulk(c, table, kind.rows);
                    case SINGLE_INSERT -> insertSingle(c, table, kind.rows);
                    case SINGLE_UPDATE -> updateSingle(c, table, kind.rows);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMicrosPerRow = cpu == null ? Double.NaN : (cpu.nanos() - cpuStart) / 1e3 / kind.rows;
                c.setAutoCommit(true);
                long history = count(c, "SELECT count(*) FROM bisync_history");
                if (history != kind.rows) {
                    throw new IllegalStateException(kind.label + " into " + table + ": expected " + kind.rows + " history rows, found " + history);
                }
                return new Sample(kind.rows / seconds, cpuMicrosPerRow);
            }
        };
    }

    private void insertBulk(Connection c, String table, int rows) throws SQLException {
        String values = String.join(", ", Collections.nCopies(BATCH, "(?, ?, ?, ?, ?)"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS + ") VALUES " + values)) {
            for (int from = 1; from <= rows; from += BATCH) {
                for (int i = 0; i < BATCH; i++) {
                    engine.bindRow(ps, 1 + 5 * i, from + i);
                }
                ps.executeUpdate();
                c.commit();
            }
        }
    }

    private static void updateBulk(Connection c, String table, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET name = ?, revenue = revenue + 1 WHERE id BETWEEN ? AND ?")) {
            for (int from = 1; from <= rows; from += BATCH) {
                ps.setString(1, "Renamed " + from);
                ps.setLong(2, from);
                ps.setLong(3, from + BATCH - 1L);
                if (ps.executeUpdate() != BATCH) {
                    throw new IllegalStateException("bulk UPDATE of " + table + " missed rows");
                }
                c.commit();
            }
        }
    }

    private void insertSingle(Connection c, String table, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
            for (long id = 1; id <= rows; id++) {
                engine.bindRow(ps, 1, id);
                ps.executeUpdate();
            }
        }
    }

    private static void updateSingle(Connection c, String table, int rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET name = ?, revenue = revenue + 1 WHERE id = ?")) {
            for (long id = 1; id <= rows; id++) {
                ps.setString(1, "Renamed " + id);
                ps.setLong(2, id);
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("single-row UPDATE of " + table + " missed row " + id);
                }
            }
        }
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
