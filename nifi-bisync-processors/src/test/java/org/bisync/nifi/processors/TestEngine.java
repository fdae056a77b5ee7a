/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.bisync.nifi.testsupport.EmbeddedDatabases;

import javax.sql.DataSource;
import java.util.function.Function;

/** The engines processor tests run against, each giving a fresh database per name. */
public enum TestEngine {
    POSTGRESQL(EmbeddedDatabases::postgres),
    MARIADB(EmbeddedDatabases::mariadb),
    SQLITE(EmbeddedDatabases::sqlite);

    private final Function<String, DataSource> freshDatabase;

    TestEngine(Function<String, DataSource> freshDatabase) {
        this.freshDatabase = freshDatabase;
    }

    public DataSource freshDatabase(String name) {
        return freshDatabase.apply(name + "_" + name().toLowerCase());
    }
}
