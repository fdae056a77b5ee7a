/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Work in a transaction that the dialect's own statements open (a BEGIN with an isolation level, a table lock), not
 * JDBC's autoCommit switch: the connection goes to autocommit mode for it (committing what it held before) and back
 * afterwards; the work ends with {@link CaptureDialect#commitTableInstall()}, or {@link CaptureDialect#rollbackTableInstall()}
 * when it fails.
 */
public final class ExplicitTransaction {

    /** What runs inside the transaction; {@code statement} is the one that opened it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Statement statement) throws SQLException;
    }

    private ExplicitTransaction() {
    }

    public static <T> T run(Connection connection, CaptureDialect sql, List<String> begin, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            connection.commit();
            connection.setAutoCommit(true); // the dialect's statements open the transaction themselves
        }
        try (Statement statement = connection.createStatement()) {
            try {
                for (String opening : begin) {
                    statement.execute(opening);
                }
                T result = work.run(statement);
                statement.execute(sql.commitTableInstall());
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    statement.execute(sql.rollbackTableInstall());
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } finally {
            if (!autoCommit) {
                connection.setAutoCommit(false);
            }
        }
    }
}
