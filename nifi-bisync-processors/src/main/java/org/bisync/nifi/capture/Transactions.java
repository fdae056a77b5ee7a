/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction on a connection that may be in autoCommit mode, and restores the mode after. */
public final class Transactions {

    /** Work that reads or writes through the connection. */
    public interface Work<T, E extends Exception> {
        T run() throws SQLException, E;
    }

    private Transactions() {
    }

    /** Commits when the work returns, rolls back when it throws anything, before autoCommit is restored. */
    public static <T, E extends Exception> T inTransaction(Connection connection, Work<T, E> work) throws SQLException, E {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (Throwable e) {
            // whatever the work threw, an Error too: restoring autoCommit below would commit the half-done work
            try {
                connection.rollback();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw e; // precise rethrow: only what the work can throw
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
