/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.CatalogReader;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.SqlIdentifiers;
import org.bisync.nifi.dialect.TypeMapping;

/**
 * MariaDB (tested with 11.4 and MariaDB Connector/J 3.5). MySQL shares much of the syntax but is not claimed: a
 * connection that reports "MySQL" is not served. Expects strict sql_mode (STRICT_TRANS_TABLES), so that the server
 * refuses rather than truncates what {@link MariaDbTypeMapping#bind} lets through.
 */
public final class MariaDbDialect implements Dialect {

    private final MariaDbErrors errors = new MariaDbErrors();
    private final AuditDialect audit = new MariaDbAuditDialect();

    private final MariaDbIdentifiers identifiers = new MariaDbIdentifiers();
    private final MariaDbCatalogReader catalog = new MariaDbCatalogReader();
    private final MariaDbTypeMapping types = new MariaDbTypeMapping();
    private final MariaDbCaptureDialect capture = new MariaDbCaptureDialect(identifiers, types);
    private final MariaDbApplyDialect apply = new MariaDbApplyDialect(identifiers, capture);

    @Override
    public String name() {
        return "MariaDB";
    }

    @Override
    public boolean serves(String databaseProductName) {
        return databaseProductName != null && databaseProductName.trim().equalsIgnoreCase("MariaDB");
    }

    @Override
    public SqlIdentifiers identifiers() {
        return identifiers;
    }

    @Override
    public CatalogReader catalog() {
        return catalog;
    }

    @Override
    public TypeMapping types() {
        return types;
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
