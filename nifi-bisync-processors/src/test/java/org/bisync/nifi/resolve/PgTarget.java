/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.topology.SyncTopology;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * A real PostgreSQL target database with the bisync tables and a synced table installed, behind a DataSource that
 * records the SQL of every prepared statement (so a test can count the queries a processor ran).
 */
public final class PgTarget {

    public final PostgresDialect dialect = new PostgresDialect();
    public final DataSource raw;
    public final DataSource counting;
    public final List<String> prepared = new CopyOnWriteArrayList<>();

    public PgTarget(String databaseName) {
        raw = EmbeddedDatabases.postgres(databaseName);
        counting = countingDataSource(raw, prepared);
        try (Connection connection = raw.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : dialect.capture().createBisyncTables()) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates the user's table with {@code ddl} and installs its version table and triggers for {@code systemId}. */
    public SyncedTable install(SyncTopology topology, String canonicalTable, String systemId, String ddl) throws SQLException {
        exec(ddl);
        try (Connection connection = raw.getConnection(); Statement statement = connection.createStatement()) {
            SyncedTable table = new SyncedTableResolver(dialect, topology).resolve(connection,
                    topology.table(canonicalTable).orElseThrow(), systemId);
            for (String sql : dialect.capture().installTable(table)) {
                statement.execute(sql);
            }
            return table;
        }
    }

    public void exec(String... statements) throws SQLException {
        try (Connection connection = raw.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Sets a key's version row as the sync would have left it. */
    public void setVersion(String table, int id, long number, String origin, boolean deleted, String fieldVersionsJson) throws SQLException {
        try (Connection connection = raw.getConnection(); PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO bisync_v_" + table + " (id, version_num, version_origin, deleted, field_versions) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (id) DO UPDATE SET version_num = EXCLUDED.version_num, version_origin = EXCLUDED.version_origin, "
                        + "deleted = EXCLUDED.deleted, field_versions = EXCLUDED.field_versions")) {
            statement.setInt(1, id);
            statement.setLong(2, number);
            statement.setString(3, origin);
            statement.setBoolean(4, deleted);
            statement.setString(5, fieldVersionsJson);
            statement.executeUpdate();
        }
    }

    /** How many recorded statements contain {@code fragment}. */
    public long preparedContaining(String fragment) {
        return prepared.stream().filter(sql -> sql.contains(fragment)).count();
    }

    private static DataSource countingDataSource(DataSource target, List<String> prepared) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return counting(target.getConnection(), prepared);
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return counting(target.getConnection(username, password), prepared);
            }

            @Override
            public PrintWriter getLogWriter() throws SQLException {
                return target.getLogWriter();
            }

            @Override
            public void setLogWriter(PrintWriter out) throws SQLException {
                target.setLogWriter(out);
            }

            @Override
            public void setLoginTimeout(int seconds) throws SQLException {
                target.setLoginTimeout(seconds);
            }

            @Override
            public int getLoginTimeout() throws SQLException {
                return target.getLoginTimeout();
            }

            @Override
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                return target.getParentLogger();
            }

            @Override
            public <T> T unwrap(Class<T> iface) throws SQLException {
                return target.unwrap(iface);
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) throws SQLException {
                return target.isWrapperFor(iface);
            }
        };
    }

    private static Connection counting(Connection connection, List<String> prepared) {
        return (Connection) Proxy.newProxyInstance(PgTarget.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        prepared.add(sql);
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
