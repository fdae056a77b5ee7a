/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;

class SqliteForeignKeySettlementTest extends ForeignKeySettlementContract {

    @Override
    Dialect dialect() {
        return new SqliteDialect();
    }

    @Override
    DataSource freshDatabase(String name) {
        return EmbeddedDatabases.sqlite(name);
    }
}
