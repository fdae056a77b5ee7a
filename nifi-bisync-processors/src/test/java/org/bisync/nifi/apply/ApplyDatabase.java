/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Await;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh database of one engine playing system "B" of a topology A (priority 1), B (priority 2), C (priority 0),
 * with helpers to install tables, build changes and read what apply left behind.
 */
final class ApplyDatabase {

    final Dialect dialect;
    final DataSource dataSource;
    /** SQL returning this session's id, and the statement (with one %s) that kills a session; both null on an embedded engine. */
    private final String sessionIdSql;
    private final String killSql;
    /** SQL (with one %s, the session id) counting the sessions with that id, 0 once a killed one is gone. */
    private final String sessionCountSql;

    ApplyDatabase(Dialect dialect, DataSource dataSource, String sessionIdSql, String killSql) throws SQLException {
        this(dialect, dataSource, sessionIdSql, killSql, null);
    }

    ApplyDatabase(Dialect dialect, DataSource dataSource, String sessionIdSql, String killSql, String sessionCountSql) throws SQLException {
        this.dialect = dialect;
        this.dataSource = dataSource;
        this.sessionIdSql = sessionIdSql;
        this.killSql = killSql;
        this.sessionCountSql = sessionCountSql;
        try (Connection connection = connect()) {
            run(connection, dialect.capture().createBisyncTables());
        }
    }

    Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    static SyncTopology topology(String hub, TableSettings... tables) {
        return new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2), new SyncSystem("C", 0)), List.of(tables), hub);
    }

    /** Resolves the table as system B sees it and installs its triggers. */
    SyncedTable install(SyncTopology topology, String table) throws SQLException {
        try (Connection connection = connect()) {
            SyncedTable synced = new SyncedTableResolver(dialect, topology).resolve(connection, topology.table(table).orElseThrow(), "B");
            run(connection, dialect.capture().installTable(synced));
            return synced;
        }
    }

    ChangeApplier applier(SyncTopology topology, List<String> warnings) {
        return new ChangeApplier(dialect, topology, "B", 500, warnings::add);
    }

    ApplyResult apply(ChangeApplier applier, SyncedTable table, ChangeRecord... changes) throws SQLException {
        try (Connection connection = connect()) {
            return applier.apply(connection, table, List.of(changes));
        }
    }

    void exec(String... statements) throws SQLException {
        try (Connection connection = connect()) {
            run(connection, Arrays.asList(statements));
        }
    }

    static void run(Connection connection, List<String> statements) throws SQLException {
        Jdbc.exec(connection, statements);
    }

    String q(String identifier) {
        return dialect.identifiers().quote(identifier);
    }

    String versionTable(String table) {
        return q(dialect.identifiers().derivedName(BisyncTables.VERSION_TABLE_PREFIX, table));
    }

    long count(String sql, Object... parameters) throws SQLException {
        List<List<Object>> rows = query(sql, parameters);
        return ((Number) rows.get(0).get(0)).longValue();
    }

    List<List<Object>> query(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** The version row of a single-column key: number, origin, prev number, prev origin, deleted. */
    List<Object> versionRow(String table, String keyColumn, Object key) throws SQLException {
        List<List<Object>> rows = query("SELECT version_num, version_origin, prev_num, prev_origin, deleted FROM " + versionTable(table)
                + " WHERE " + q(keyColumn) + " = ?", key);
        if (rows.isEmpty()) {
            return null;
        }
        List<Object> row = rows.get(0);
        return Arrays.asList(((Number) row.get(0)).longValue(), row.get(1), row.get(2) == null ? null : ((Number) row.get(2)).longValue(),
                row.get(3), isTrue(row.get(4)));
    }

    private static boolean isTrue(Object value) {
        return value instanceof Boolean b ? b : ((Number) value).intValue() != 0;
    }

    long historyCount(String table) throws SQLException {
        return count("SELECT count(*) FROM " + BisyncTables.HISTORY + " WHERE table_name = ?", table);
    }

    /**
     * A connection that kills its own session from another connection just before the {@code killAt}-th
     * prepareStatement after its {@code commits}-th commit, as a crash or a DBA would in the middle of an apply.
     */
    Connection connectionKilledAt(int commits, int killAt) throws SQLException {
        Connection real = connect();
        Object id = null;
        if (sessionIdSql != null) {
            try (Statement statement = real.createStatement(); ResultSet rs = statement.executeQuery(sessionIdSql)) {
                rs.next();
                id = rs.getObject(1);
            }
        }
        Object session = id;
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger prepared = new AtomicInteger();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("commit")) {
                committed.incrementAndGet();
            }
            if (method.getName().equals("prepareStatement") && committed.get() == commits && prepared.incrementAndGet() == killAt) {
                if (killSql == null) {
                    real.close(); // an embedded engine has no session to kill: the connection is gone, as after a crash
                } else if (sessionCountSql == null) {
                    throw new IllegalStateException("this ApplyDatabase was made without the SQL that tells when a killed session is gone");
                } else {
                    try (Connection killer = connect(); Statement statement = killer.createStatement()) {
                        statement.execute(String.format(killSql, session));
                        // the kill is asynchronous: the session ends a moment later
                        String gone = String.format(sessionCountSql, session);
                        Await.until(() -> Jdbc.count(killer, gone) == 0, "the killed session " + session + " is gone");
                    }
                }
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * A connection on which the {@code failAt}-th prepareStatement throws {@code failure}: a defect (or an exhausted JVM)
     * in the middle of an apply, with the statements before it already run in the open transaction.
     */
    Connection connectionFailingAt(int failAt, RuntimeException failure) throws SQLException {
        Connection real = connect();
        AtomicInteger prepared = new AtomicInteger();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("prepareStatement") && prepared.incrementAndGet() == failAt) {
                throw failure;
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    static ChangeRecord change(String table, Operation operation, int id, Map<String, Object> values, long number, String origin) {
        ChangeRecordBuilder change = ChangeRecordBuilder.change(table, operation).key("id", id);
        if (!operation.removesRow()) {
            values.forEach(change::after);
        }
        return change.version(number, origin).capturedNow().toApply().build();
    }

    static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return row;
    }
}
