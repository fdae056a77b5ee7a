/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.bisync.nifi.apply.ApplyDatabase.change;
import static org.bisync.nifi.apply.ApplyDatabase.row;
import static org.bisync.nifi.change.Operation.INSERT;
import static org.bisync.nifi.change.Operation.UPDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MariaDbChangeApplierTest extends ChangeApplierContract {

    /**
     * A session whose transactions are read-only (error 1792). A server switched to read_only as a replica runs answers
     * 1290 instead, classified the same; the embedded server runs with --skip-grant-tables, where every user may write
     * through read_only, so that one cannot be provoked here.
     */
    @Override
    ReadOnlyTarget readOnlyTarget() throws SQLException {
        Connection connection = db.connect();
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION TRANSACTION READ ONLY");
        }
        return new ReadOnlyTarget() {
            @Override
            public Connection connection() {
                return connection;
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }

    @Override
    ApplyDatabase createDatabase() throws SQLException {
        return new ApplyDatabase(new MariaDbDialect(), EmbeddedDatabases.mariadb("apply_contract"), "SELECT CONNECTION_ID()", "KILL %s",
                "SELECT count(*) FROM information_schema.PROCESSLIST WHERE id = %s");
    }

    @Override
    String generatedKeyTable(String name) {
        return "CREATE TABLE " + name + " (id int AUTO_INCREMENT PRIMARY KEY, name varchar(20))";
    }

    @Override
    List<String> upperCaseTrigger(String table) {
        return List.of("CREATE TRIGGER " + table + "_upper_i BEFORE INSERT ON " + table + " FOR EACH ROW SET NEW.name = UPPER(NEW.name)",
                "CREATE TRIGGER " + table + "_upper_u BEFORE UPDATE ON " + table + " FOR EACH ROW SET NEW.name = UPPER(NEW.name)");
    }

    /** MariaDB's bulk protocol once dropped rows into tables with triggers silently (shared/BASELINES.md): count and sum. */
    @Test
    void thousandsOfChangesIntoATableCarryingOurTriggersAreAllThere() throws SQLException {
        db.exec("CREATE TABLE t_many (id int PRIMARY KEY, name varchar(20), qty int)");
        SyncTopology topology = ApplyDatabase.topology(null, TableSettings.twoWay("t_many"));
        SyncedTable table = db.install(topology, "t_many");
        List<ChangeRecord> changes = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            changes.add(change("t_many", INSERT, i, row("name", "n" + i, "qty", i), 100, "A"));
        }
        for (int i = 1; i <= 5000; i += 2) {
            changes.add(change("t_many", UPDATE, i, row("name", "u" + i, "qty", 2 * i), 200, "A"));
        }
        try (Connection connection = db.connect()) {
            assertEquals(7500, db.applier(topology, warnings).apply(connection, table, changes).count(ApplyStatus.APPLIED));
        }
        assertEquals(5000, db.count("SELECT count(*) FROM t_many"));
        long expected = 0;
        for (int i = 1; i <= 5000; i++) {
            expected += i % 2 == 1 ? 2L * i : i;
        }
        assertEquals(expected, db.count("SELECT sum(qty) FROM t_many"));
        assertEquals(2500, db.count("SELECT count(*) FROM t_many WHERE name = concat('u', id)"));
        assertEquals(5000, db.count("SELECT count(*) FROM " + db.versionTable("t_many")));
        assertEquals(0, db.historyCount("t_many"));
    }

    @Override
    String lockWaitsSql() {
        // InnoDB's own lock-wait state of each transaction, limited to this database's sessions. INNODB_TRX is a cache
        // that InnoDB refreshes only when nobody read it for 100 ms: polled faster, it keeps showing the state of its
        // first read (a waiting locking read never appears), hence the contract's 200-ms poll
        return "SELECT count(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p "
                + "ON p.id = t.trx_mysql_thread_id WHERE p.db = database() AND t.trx_state = 'LOCK WAIT'";
    }

    @Override
    String sessionsSql() {
        return "SELECT p.id, p.command, p.state, t.trx_state, p.info FROM information_schema.PROCESSLIST p "
                + "LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.id WHERE p.db = database()";
    }
}
