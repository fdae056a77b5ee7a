/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

/**
 * Everything engine-specific, split by concern. Nothing outside this package and its engine sub-packages knows
 * which engine it talks to.
 */
public interface Dialect {

    /** A short name for logs and documentation, such as {@code PostgreSQL}. */
    String name();

    /** Whether this dialect serves a database whose JDBC {@code getDatabaseProductName()} is the given one. */
    boolean serves(String databaseProductName);

    /** Identifier quoting and limits. */
    SqlIdentifiers identifiers();

    /** Reading table metadata. */
    CatalogReader catalog();

    /** Column types to record types and values, both ways. */
    TypeMapping types();

    /** What capture needs: bisync tables, triggers, history reads, the clock. */
    CaptureDialect capture();

    /** What apply needs: origin marker, upserts, deletes, versions, sequences, error classes. */
    ApplyDialect apply();

    /** Value-free text of this engine's errors, for logs, bulletins and failure reasons. */
    DatabaseErrors errors();

    /** What the consistency audit needs: canonical value texts and in-database hashes. */
    AuditDialect audit();
}
