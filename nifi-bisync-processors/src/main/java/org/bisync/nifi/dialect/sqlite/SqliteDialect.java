/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.sqlite;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.CatalogReader;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.SqlIdentifiers;
import org.bisync.nifi.dialect.TypeMapping;

import java.util.Locale;

/** SQLite (3.42 or later, for unixepoch('subsec')), through the xerial sqlite-jdbc driver. */
public final class SqliteDialect implements Dialect {

    private final SqliteErrors errors = new SqliteErrors();
    private final AuditDialect audit = new SqliteAuditDialect();

    private final SqliteCatalogReader catalog = new SqliteCatalogReader();
    private final SqliteCaptureDialect capture = new SqliteCaptureDialect(SqliteIdentifiers.INSTANCE);
    private final SqliteApplyDialect apply = new SqliteApplyDialect();

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public boolean serves(String databaseProductName) {
        return databaseProductName != null && databaseProductName.toLowerCase(Locale.ROOT).contains("sqlite");
    }

    @Override
    public SqlIdentifiers identifiers() {
        return SqliteIdentifiers.INSTANCE;
    }

    @Override
    public CatalogReader catalog() {
        return catalog;
    }

    @Override
    public TypeMapping types() {
        return SqliteTypeMapping.INSTANCE;
    }

    @Override
    public CaptureDialect capture() {
        return capture;
    }

    @Override
    public ApplyDialect apply() {
        return apply;
    }

    @Override
    public DatabaseErrors errors() {
        return errors;
    }

    @Override
    public AuditDialect audit() {
        return audit;
    }
}
