/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 loses no commit and keeps no half-done transaction, on both engines; the restart keeps the port. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KillableServerTest {

    @Test
    void postgresKilledMidTransactionRestartsWithEveryCommitAndWithoutTheOpenTransaction() throws Exception {
        try (KillableServer server = KillableServer.postgres("killable_test")) {
            killMidTransactionAndRestart(server);
        }
    }

    @Test
    void mariadbKilledMidTransactionRestartsWithEveryCommitAndWithoutTheOpenTransaction() throws Exception {
        try (KillableServer server = KillableServer.mariadb("killable_test")) {
            killMidTransactionAndRestart(server);
        }
    }

    private static void killMidTransactionAndRestart(KillableServer server) throws Exception {
        DataSource ds = server.createDatabase("killed");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE item (id INT PRIMARY KEY)");
            s.execute("INSERT INTO item VALUES (1)");
        }
        Connection open = ds.getConnection();
        open.setAutoCommit(false);
        try (Statement s = open.createStatement()) {
            s.execute("INSERT INTO item VALUES (2)");
        }
        server.kill();
        assertFalse(server.running());
        assertThrows(SQLException.class, ds::getConnection, "nothing listens while the server is down");
        try {
            open.close();
        } catch (SQLException ignored) {
            // the server is gone
        }
        server.restart();
        assertTrue(server.running());
        assertEquals(List.of(1), ids(ds), "the commit survived, the open transaction was rolled back");
    }

    private static List<Integer> ids(DataSource ds) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }
}
