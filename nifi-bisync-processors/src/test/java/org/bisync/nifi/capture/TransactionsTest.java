/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TransactionsTest {

    private static DataSource database(String engine) {
        return switch (engine) {
            case "postgresql" -> EmbeddedDatabases.postgres("transactions_pg");
            case "mariadb" -> EmbeddedDatabases.mariadb("transactions_maria");
            default -> EmbeddedDatabases.sqlite("transactions_sqlite");
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "sqlite"})
    void workThatThrowsAnErrorIsRolledBackBeforeAutoCommitIsRestored(String engine) throws Exception {
        DataSource dataSource = database(engine);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id int PRIMARY KEY)");
            StackOverflowError error = new StackOverflowError("deep in the work");
            StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> Transactions.inTransaction(connection, () -> {
                statement.execute("INSERT INTO t VALUES (1)");
                throw error;
            }));
            assertSame(error, thrown);
            assertTrue(connection.getAutoCommit());
            IllegalStateException defect = new IllegalStateException("a defect");
            assertSame(defect, assertThrows(IllegalStateException.class, () -> Transactions.inTransaction(connection, () -> {
                statement.execute("INSERT INTO t VALUES (2)");
                throw defect;
            })));
            try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM t")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "nothing of the failed work was committed");
            }
        }
    }
}
