package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.dialect.ApplyDialect;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.CatalogReader;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.SqlIdentifiers;
import org.bisync.nifi.dialect.TypeMapping;

/** PostgreSQL. PLACEHOLDER: being written. */
public final class PostgresDialect implements Dialect {
    @Override public String name() { return "PostgreSQL"; }
    @Override public boolean serves(String product) { return product != null && product.toLowerCase(java.util.Locale.ROOT).contains("postgresql"); }
    @Override public SqlIdentifiers identifiers() { throw new UnsupportedOperationException("not yet"); }
    @Override public CatalogReader catalog() { throw new UnsupportedOperationException("not yet"); }
    @Override public TypeMapping types() { throw new UnsupportedOperationException("not yet"); }
    @Override public CaptureDialect capture() { throw new UnsupportedOperationException("not yet"); }
    @Override public ApplyDialect apply() { throw new UnsupportedOperationException("not yet"); }
}
