/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.AuditDialect;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.CatalogReader;
import org.bisync.nifi.dialect.DatabaseErrors;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.SqlIdentifiers;
import org.bisync.nifi.dialect.TypeMapping;

import java.util.Locale;

/** PostgreSQL 14 or later (CREATE OR REPLACE TRIGGER, exact extract(epoch), pg_current_xact_id). */
public final class PostgresDialect implements Dialect {

    private final PostgresErrors errors = new PostgresErrors();
    private final AuditDialect audit = new PostgresAuditDialect();

    private final PostgresIdentifiers identifiers = new PostgresIdentifiers();
    private final PostgresCatalogReader catalog = new PostgresCatalogReader();
    private final PostgresTypeMapping types = new PostgresTypeMapping();
    private final PostgresCaptureDialect capture = new PostgresCaptureDialect(identifiers, new PostgresTriggerSql(types));
    private final PostgresApplyDialect apply = new PostgresApplyDialect();

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public boolean serves(String product) {
        return product != null && product.toLowerCase(Locale.ROOT).contains("postgresql");
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
