/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.ExplicitTransaction;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedTable;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Installs, checks and removes what nifi-bisync puts into a database: the bisync tables, and per synced table its
 * version table and triggers. Each table's installation is recorded with a hash of the DDL it ran (which covers the
 * configuration: system, bias, columns, strategy, and the shared bisync tables it writes into) and a hash of the table's
 * columns, so a start or a poll can tell missing, outdated and current installations apart. A change of the shared
 * tables' DDL therefore makes every table outdated, and installing brings the shared tables up to date first. What the
 * record says is checked against the database's catalog too: a trigger dropped or disabled outside nifi-bisync makes
 * its table {@link Status#BROKEN}.
 *
 * <p>A table's DDL and its record run as one unit (see {@link CaptureDialect#beginTableInstall}), so a write of another
 * session to the table meets the old triggers or the new ones while they are rebuilt, never none.
 */
public final class TriggerInstaller {

    /** Where a table's installation stands. */
    public enum Status {
        MISSING, OUTDATED,
        /** Recorded as current, but one of its triggers is missing from the database's catalog or disabled. */
        BROKEN,
        CURRENT
    }

    /**
     * A table's installation state, with the DDL that would bring it up to date.
     *
     * @param problems for {@link Status#BROKEN}: what the catalog lacks, each naming the trigger ("trigger X is missing",
     *                 "trigger X is disabled"); empty otherwise
     */
    public record TableCheck(SyncedTable table, Status status, List<String> ddl, String ddlHash, String columnHash, List<String> problems) {

        /** The table's name and what is wrong with it, for messages: {@code customer (outdated)}. */
        public String describe() {
            return table.localName() + " (" + (problems.isEmpty() ? status.name().toLowerCase(Locale.ROOT) : String.join(", ", problems)) + ")";
        }
    }

    private final Dialect dialect;

    public TriggerInstaller(Dialect dialect) {
        this.dialect = dialect;
    }

    private CaptureDialect sql() {
        return dialect.capture();
    }

    /** Compares what each table needs with what bisync_installed records and, where that is current, with the catalog. */
    public List<TableCheck> check(Connection connection, List<SyncedTable> tables) throws SQLException {
        Map<String, String[]> installed = installed(connection);
        List<TableCheck> checks = new ArrayList<>();
        for (SyncedTable table : tables) {
            List<String> ddl = ddlFor(table);
            String ddlHash = ddlHash(ddl);
            String columnHash = columnHash(table);
            String[] recorded = installed.get(table.localName());
            Status status = recorded == null ? Status.MISSING
                    : ddlHash.equals(recorded[0]) && columnHash.equals(recorded[1]) ? Status.CURRENT : Status.OUTDATED;
            List<String> problems = status == Status.CURRENT ? triggerProblems(connection, table) : List.of();
            checks.add(new TableCheck(table, problems.isEmpty() ? status : Status.BROKEN, ddl, ddlHash, columnHash, problems));
        }
        return checks;
    }

    /** Brings every table that is not current up to date; returns the checks of the tables it (re)installed. */
    public List<TableCheck> install(Connection connection, List<SyncedTable> tables, long nowMicros) throws SQLException {
        List<TableCheck> checks = check(connection, tables);
        List<TableCheck> installedNow = new ArrayList<>();
        if (checks.stream().allMatch(c -> c.status() == Status.CURRENT) && bisyncTablesExist(connection) && !ackLacksStep(connection)) {
            return installedNow; // no DDL at all: it would wait for the locks of open user transactions
        }
        run(connection, sql().createBisyncTables());
        addMissingTombstoneColumns(connection, tables);
        if (ackLacksStep(connection)) {
            run(connection, sql().addAckStepColumn());
        }
        upgradeLegacyHistory(connection);
        for (TableCheck check : checks) {
            if (check.status() != Status.CURRENT) {
                installTable(connection, check, nowMicros);
                installedNow.add(check);
            }
        }
        return installedNow;
    }

    /** The table's DDL and its bisync_installed record, in the unit the dialect opens for it (or, without one, as they come). */
    private void installTable(Connection connection, TableCheck check, long nowMicros) throws SQLException {
        List<String> begin = sql().beginTableInstall(check.table().localName());
        if (begin.isEmpty()) {
            run(connection, check.ddl());
            record(connection, check, nowMicros);
            commitIfNeeded(connection);
            return;
        }
        ExplicitTransaction.run(connection, sql(), begin, statement -> {
            execute(statement, check.ddl());
            record(connection, check, nowMicros);
            return null;
        });
    }

    private void record(Connection connection, TableCheck check, long nowMicros) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql().upsertInstalled())) {
            statement.setString(1, check.table().localName());
            statement.setString(2, check.ddlHash());
            statement.setString(3, check.columnHash());
            statement.setLong(4, nowMicros);
            statement.executeUpdate();
        }
    }

    /** Each trigger the table needs that the catalog does not have, or has disabled; none where nothing is captured. */
    private List<String> triggerProblems(Connection connection, SyncedTable table) throws SQLException {
        if (!capturesHere(table)) {
            return List.of();
        }
        Map<String, Boolean> present = sql().readTriggers(connection, table.localName());
        List<String> problems = new ArrayList<>();
        for (String trigger : sql().triggerNames(table)) {
            Boolean enabled = present.get(trigger);
            if (enabled == null) {
                problems.add("trigger " + trigger + " is missing");
            } else if (!enabled) {
                problems.add("trigger " + trigger + " is disabled");
            }
        }
        return problems;
    }

    /** Removes the triggers and version tables of the given tables and, when {@code dropShared}, the bisync tables. */
    public void uninstall(Connection connection, List<String> localTableNames, boolean dropShared) throws SQLException {
        for (String table : localTableNames) {
            run(connection, sql().uninstallTable(table));
            if (!dropShared && bisyncTablesExist(connection)) {
                try (PreparedStatement statement = connection.prepareStatement(sql().deleteInstalled())) {
                    statement.setString(1, table);
                    statement.executeUpdate();
                }
                commitIfNeeded(connection);
            }
        }
        if (dropShared) {
            run(connection, sql().dropBisyncTables());
        }
    }

    /** The whole installation as a script for a DBA to review and run, with the grants the NiFi user needs. */
    public String generateInstallScript(List<SyncedTable> tables, String user) {
        StringBuilder script = new StringBuilder();
        script.append("-- nifi-bisync installation for ").append(dialect.name()).append('\n');
        script.append("-- Shared bisync tables\n");
        appendAll(script, sql().createBisyncTables());
        script.append("-- Only when upgrading an installation whose ").append(BisyncTables.HISTORY).append(" still has a ")
                .append(BisyncTables.LEGACY_RELEASED_AT).append(" column (released rows now live in ").append(BisyncTables.RELEASED)
                .append("), once:\n");
        for (String statement : sql().upgradeLegacyHistory()) {
            script.append("-- ").append(statement.strip()).append(";\n");
        }
        script.append("-- Only when upgrading an installation whose ").append(BisyncTables.HISTORY).append(" has no tombstone_num column, ")
                .append("first (and likewise for ").append(BisyncTables.RELEASED).append(" and, with kept_data, every version table):\n");
        for (String statement : sql().addTombstoneColumns(BisyncTables.HISTORY, false)) {
            script.append("-- ").append(statement.strip()).append(";\n");
        }
        script.append("-- Only when upgrading an installation whose ").append(BisyncTables.ACK).append(" has no step column:\n");
        for (String statement : sql().addAckStepColumn()) {
            script.append("-- ").append(statement.strip()).append(";\n");
        }
        for (SyncedTable table : tables) {
            List<String> ddl = ddlFor(table);
            script.append("\n-- Table ").append(inComment(table.localName())).append(": version table and triggers (system ")
                    .append(inComment(table.systemId())).append(", strategy ").append(table.settings().strategy()).append(")\n");
            List<String> begin = sql().beginTableInstall(table.localName());
            appendAll(script, begin);
            appendAll(script, ddl);
            if (!begin.isEmpty()) {
                script.append(sql().commitTableInstall()).append(";\n");
            }
            script.append("-- record the installation so capture can verify it\n");
            script.append("-- ").append(sql().upsertInstalled()).append("  with ('").append(inComment(table.localName())).append("', '")
                    .append(ddlHash(ddl)).append("', '").append(columnHash(table)).append("', <now micros>)\n");
        }
        script.append("\n-- Privileges of the NiFi user\n");
        appendAll(script, sql().grants(user, tables.stream().map(SyncedTable::localName).toList()));
        return script.toString();
    }

    /** A name shown in a line comment of a script: a line break in it would end the comment and run the rest as SQL. */
    private static String inComment(String name) {
        return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** The removal script: every table's triggers and version table, then the shared bisync tables. */
    public String generateUninstallScript(List<String> localTableNames) {
        StringBuilder script = new StringBuilder("-- nifi-bisync removal for ").append(dialect.name()).append('\n');
        for (String table : localTableNames) {
            appendAll(script, sql().uninstallTable(table));
        }
        appendAll(script, sql().dropBisyncTables());
        return script.toString();
    }

    /** Brings bisync tables and version tables created before tombstones kept their values up to their columns. */
    private void addMissingTombstoneColumns(Connection connection, List<SyncedTable> tables) throws SQLException {
        Map<String, Boolean> candidates = new LinkedHashMap<>();
        candidates.put(BisyncTables.HISTORY, false);
        candidates.put(BisyncTables.RELEASED, false);
        for (SyncedTable table : tables) {
            candidates.put(dialect.identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, table.localName()), true);
        }
        for (Map.Entry<String, Boolean> candidate : candidates.entrySet()) {
            boolean lacking = dialect.catalog().readTable(connection, candidate.getKey())
                    .map(existing -> existing.column("tombstone_num").isEmpty()).orElse(false);
            if (lacking) {
                run(connection, sql().addTombstoneColumns(candidate.getKey(), candidate.getValue()));
            }
        }
    }

    /**
     * Moves the released rows of an installation from before bisync_released out of bisync_history and drops its
     * released_at column: without that, capture would read those rows as unreleased and send them again.
     */
    private void upgradeLegacyHistory(Connection connection) throws SQLException {
        boolean legacy = dialect.catalog().readTable(connection, BisyncTables.HISTORY)
                .flatMap(history -> history.column(BisyncTables.LEGACY_RELEASED_AT)).isPresent();
        if (legacy) {
            run(connection, sql().upgradeLegacyHistory());
        }
    }

    /** What bisync_installed records of a table's DDL: its own statements and the shared tables it depends on. */
    private String ddlHash(List<String> tableDdl) {
        String shared = String.join("\n;\n", sql().createBisyncTables()).replace(BisyncTables.ACK_STEP_COLUMN, "");
        return hash(shared + "\n;;\n" + String.join("\n;\n", tableDdl));
    }

    /** Triggers only where the table's changes flow from this system; elsewhere the version table alone. */
    private List<String> ddlFor(SyncedTable table) {
        return capturesHere(table) ? sql().installTable(table) : sql().installTargetOnlyTable(table);
    }

    private static boolean capturesHere(SyncedTable table) {
        return table.settings().flowsFrom(table.systemId());
    }

    private static void appendAll(StringBuilder script, List<String> statements) {
        for (String statement : statements) {
            script.append(statement.strip()).append(statement.strip().endsWith(";") ? "\n" : ";\n");
        }
    }

    private Map<String, String[]> installed(Connection connection) throws SQLException {
        Map<String, String[]> result = new HashMap<>();
        if (!bisyncTablesExist(connection)) {
            return result;
        }
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql().selectInstalled())) {
            while (rs.next()) {
                result.put(rs.getString(1), new String[]{rs.getString(2), rs.getString(3)});
            }
        }
        return result;
    }

    /** Whether bisync_ack is there without its step column (an installation from before it): install adds it. */
    private boolean ackLacksStep(Connection connection) throws SQLException {
        return dialect.catalog().readTable(connection, BisyncTables.ACK).map(ack -> ack.column("step").isEmpty()).orElse(false);
    }

    private boolean bisyncTablesExist(Connection connection) throws SQLException {
        return dialect.catalog().readTable(connection, BisyncTables.INSTALLED).isPresent();
    }

    private static void run(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            execute(statement, statements);
        }
        commitIfNeeded(connection);
    }

    private static void execute(Statement statement, List<String> statements) throws SQLException {
        for (String sql : statements) {
            statement.execute(sql);
        }
    }

    private static void commitIfNeeded(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    /** A hash of the table's columns as the database describes them: a change means the triggers must be rebuilt. */
    public static String columnHash(SyncedTable table) {
        StringBuilder text = new StringBuilder();
        for (ColumnInfo column : table.metadata().columns()) {
            text.append(column.name()).append(':').append(column.typeName()).append('(').append(column.size()).append(',')
                    .append(column.scale()).append(')').append(column.nullable()).append('\n');
        }
        return hash(text.toString());
    }

    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
