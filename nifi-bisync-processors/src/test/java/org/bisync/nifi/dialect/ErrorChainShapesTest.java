/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import org.bisync.nifi.processors.TestEngine;
import org.bisync.nifi.testsupport.Jdbc;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every dialect recognises a foreign-key violation and a lock timeout that its own driver raised in whatever shape the
 * error reaches the applier: as thrown, as the cause of a wrapper whose own cause is no SQLException (a pool's or a
 * framework's), and as the next exception of a failed batch.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ErrorChainShapesTest {

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void foreignKeyViolationIsRecognisedInEveryShape(TestEngine engine) throws SQLException {
        DataSource dataSource = engine.freshDatabase("error_shapes_fk");
        Jdbc.exec(dataSource, "CREATE TABLE parent (id BIGINT NOT NULL PRIMARY KEY)",
                "CREATE TABLE child (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT REFERENCES parent (id))");
        try (Connection connection = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(connection);
            if (engine == TestEngine.SQLITE) {
                Jdbc.exec(connection, "PRAGMA foreign_keys = ON");
            }
            SQLException violation = assertThrows(SQLException.class, () -> Jdbc.exec(connection, "INSERT INTO child VALUES (1, 99)"));
            for (Map.Entry<String, SQLException> shape : shapes(violation).entrySet()) {
                assertTrue(dialect.apply().isForeignKeyViolation(shape.getValue()), shape.getKey());
                assertFalse(dialect.apply().isTransient(shape.getValue()), shape.getKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void lockTimeoutIsTransientInEveryShape(TestEngine engine) throws SQLException {
        DataSource dataSource = engine.freshDatabase("error_shapes_lock");
        Jdbc.exec(dataSource, "CREATE TABLE parent (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO parent VALUES (1, 'a')");
        try (Connection holder = dataSource.getConnection(); Connection waiter = dataSource.getConnection()) {
            Dialect dialect = Dialects.forConnection(waiter);
            Jdbc.exec(waiter, switch (engine) {
                case POSTGRESQL -> "SET lock_timeout = '200ms'";
                case MARIADB -> "SET SESSION innodb_lock_wait_timeout = 1";
                case SQLITE -> "PRAGMA busy_timeout = 0";
            });
            holder.setAutoCommit(false);
            Jdbc.exec(holder, "UPDATE parent SET name = 'b' WHERE id = 1");
            SQLException timeout = assertThrows(SQLException.class, () -> Jdbc.exec(waiter, "UPDATE parent SET name = 'c' WHERE id = 1"));
            holder.rollback();
            for (Map.Entry<String, SQLException> shape : shapes(timeout).entrySet()) {
                assertTrue(dialect.apply().isTransient(shape.getValue()), shape.getKey());
                assertFalse(dialect.apply().isForeignKeyViolation(shape.getValue()), shape.getKey());
            }
        }
    }

    /** The driver's error as thrown, behind a wrapper of another type, and as a failed batch's next exception. */
    private static Map<String, SQLException> shapes(SQLException error) {
        Map<String, SQLException> shapes = new LinkedHashMap<>();
        shapes.put("as thrown", error);
        shapes.put("wrapped in a non-SQL cause", new SQLException("pool wrapper", new IllegalStateException("framework", error)));
        BatchUpdateException batch = new BatchUpdateException("batch failed", "HY000", 0, new int[0]);
        batch.setNextException(error);
        shapes.put("as the next exception of a batch", batch);
        return shapes;
    }
}
