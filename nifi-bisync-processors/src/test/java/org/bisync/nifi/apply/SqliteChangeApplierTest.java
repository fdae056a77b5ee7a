/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import java.sql.SQLException;
import java.util.List;

class SqliteChangeApplierTest extends ChangeApplierContract {

    @Override
    ApplyDatabase createDatabase() throws SQLException {
        return new ApplyDatabase(new SqliteDialect(), EmbeddedDatabases.sqlite("apply_contract"), null, null);
    }

    /**
     * None: a SQLite file has no failover that turns it read-only for a while. (A connection with {@code PRAGMA
     * query_only} is refused with SQLITE_READONLY, which the SQLite dialect treats as permanent: the records fail.)
     */
    @Override
    ReadOnlyTarget readOnlyTarget() {
        return null;
    }

    @Override
    String generatedKeyTable(String name) {
        return "CREATE TABLE " + name + " (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(20))";
    }

    @Override
    List<String> upperCaseTrigger(String table) {
        return List.of("CREATE TRIGGER " + table + "_upper_i AFTER INSERT ON " + table
                        + " BEGIN UPDATE " + table + " SET name = upper(NEW.name) WHERE id = NEW.id; END",
                "CREATE TRIGGER " + table + "_upper_u AFTER UPDATE OF name ON " + table + " WHEN NEW.name IS NOT upper(NEW.name)"
                        + " BEGIN UPDATE " + table + " SET name = upper(NEW.name) WHERE id = NEW.id; END");
    }

    @Override
    String lockWaitsSql() {
        return null;
    }

    @Override
    String sessionsSql() {
        return null;
    }
}
