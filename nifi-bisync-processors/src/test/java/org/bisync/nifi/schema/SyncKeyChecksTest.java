/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.services.TopologyParser;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A declared sync key is checked against each database's constraints and indexes, on PostgreSQL, MariaDB and SQLite:
 * NOT NULL and unique (a primary key, unique constraint or unique index on exactly its columns), or refused naming the
 * system and what is missing; a generated primary key outside the sync key is not synced; key columns of different
 * kinds across systems are refused.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SyncKeyChecksTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
             "tables": [{"name": "contact", "syncKey": ["email"]}]}""";

    private static final Map<String, String> AUTO_ID = Map.of(
            "postgresql", "id serial PRIMARY KEY", "mariadb", "id int AUTO_INCREMENT PRIMARY KEY", "sqlite", "id INTEGER PRIMARY KEY");

    private static DataSource database(String engine, String name) {
        return switch (engine) {
            case "postgresql" -> EmbeddedDatabases.postgres(name);
            case "mariadb" -> EmbeddedDatabases.mariadb(name);
            default -> EmbeddedDatabases.sqlite(name);
        };
    }

    private static SyncedTable resolve(DataSource dataSource, String system, String... ddl) throws SQLException {
        SyncTopology topology = new TopologyParser().parse(TOPOLOGY);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : ddl) {
                statement.execute(sql);
            }
            Dialect dialect = Dialects.forConnection(connection);
            return new SyncedTableResolver(dialect, topology).resolve(connection, topology.table("contact").orElseThrow(), system);
        }
    }

    @Test
    void aUniqueNotNullSyncKeyIsAcceptedOnEveryEngineAndTheGeneratedPrimaryKeyIsNotSynced() throws SQLException {
        for (String engine : List.of("postgresql", "mariadb", "sqlite")) {
            SyncedTable table = resolve(database(engine, "synckey_ok"), "A",
                    "CREATE TABLE contact (" + AUTO_ID.get(engine) + ", email varchar(80) NOT NULL, name varchar(80))",
                    "CREATE UNIQUE INDEX contact_email ON contact (email)");
            assertEquals(List.of("email"), table.keyColumns().stream().map(SyncedColumn::local).toList(), engine);
            assertEquals(List.of("email", "name"), table.columns().stream().map(SyncedColumn::local).toList(),
                    engine + ": the generated id is neither key nor synced value");
        }
    }

    @Test
    void aSyncKeyWithoutUniqueConstraintIsRefusedNamingTheSystemAndTheMissingConstraint() {
        for (String engine : List.of("postgresql", "mariadb", "sqlite")) {
            SchemaMismatchException refused = assertThrows(SchemaMismatchException.class, () -> resolve(database(engine, "synckey_no_unique"), "B",
                    "CREATE TABLE contact (" + AUTO_ID.get(engine) + ", email varchar(80) NOT NULL, name varchar(80))",
                    "CREATE INDEX contact_email ON contact (email)"));
            assertTrue(refused.getMessage().contains("in system 'B'") && refused.getMessage().contains("has no UNIQUE constraint")
                    && refused.getMessage().contains("UNIQUE (email)"), engine + ": " + refused.getMessage());
        }
    }

    @Test
    void aUniqueIndexThatIsPartialOrOnMoreColumnsDoesNotMakeTheSyncKeyUnique() {
        SchemaMismatchException partial = assertThrows(SchemaMismatchException.class, () -> resolve(database("postgresql", "synckey_partial"), "A",
                "CREATE TABLE contact (id serial PRIMARY KEY, email varchar(80) NOT NULL, name varchar(80))",
                "CREATE UNIQUE INDEX contact_email ON contact (email) WHERE name IS NOT NULL"));
        assertTrue(partial.getMessage().contains("has no UNIQUE constraint"), partial.getMessage());
        SchemaMismatchException wider = assertThrows(SchemaMismatchException.class, () -> resolve(database("sqlite", "synckey_wider"), "A",
                "CREATE TABLE contact (id INTEGER PRIMARY KEY, email VARCHAR(80) NOT NULL, name VARCHAR(80))",
                "CREATE UNIQUE INDEX contact_email ON contact (email, name)",
                "CREATE UNIQUE INDEX contact_partial ON contact (email) WHERE name IS NOT NULL"));
        assertTrue(wider.getMessage().contains("has no UNIQUE constraint"), wider.getMessage());
    }

    @Test
    void aNullableSyncKeyIsRefusedNamingTheSystemAndTheColumn() {
        for (String engine : List.of("postgresql", "mariadb", "sqlite")) {
            SchemaMismatchException refused = assertThrows(SchemaMismatchException.class, () -> resolve(database(engine, "synckey_nullable"), "A",
                    "CREATE TABLE contact (" + AUTO_ID.get(engine) + ", email varchar(80) UNIQUE, name varchar(80))"));
            assertTrue(refused.getMessage().contains("in system 'A'") && refused.getMessage().contains("sync key column 'email' allows NULL"),
                    engine + ": " + refused.getMessage());
        }
    }

    @Test
    void syncKeyColumnsOfDifferentKindsAcrossSystemsAreRefusedNamingEachSystemsType() throws SQLException {
        SyncTopology topology = new TopologyParser().parse("""
                {"systems": [{"id": "A", "priority": 1}, {"id": "B", "priority": 2}],
                 "tables": [{"name": "account"}]}""");
        Map<String, DataSource> systems = new LinkedHashMap<>();
        systems.put("A", EmbeddedDatabases.postgres("synckey_types"));
        systems.put("B", EmbeddedDatabases.mariadb("synckey_types"));
        Jdbc.exec(systems.get("A"), "CREATE TABLE account (code bigint PRIMARY KEY, name varchar(20))");
        Jdbc.exec(systems.get("B"), "CREATE TABLE account (code varchar(20) PRIMARY KEY, name varchar(20))");
        SyncKeyAgreement agreement = new SyncKeyAgreement(topology, (system, table) -> {
            try (Connection connection = systems.get(system).getConnection()) {
                Dialect dialect = Dialects.forConnection(connection);
                return SyncKeyAgreement.keyTypes(new SyncedTableResolver(dialect, topology).resolve(connection,
                        topology.table(table).orElseThrow(), system), dialect.types());
            }
        });
        Optional<String> refusal = agreement.refusal("account");
        assertTrue(refusal.isPresent());
        assertTrue(refusal.get().contains("sync key field 'code' has different types") && refusal.get().contains("A=integer (int8)")
                && refusal.get().contains("B=text (VARCHAR)"), refusal.get());

        Jdbc.exec(systems.get("B"), "ALTER TABLE account MODIFY code bigint NOT NULL");
        assertTrue(agreement.refusal("account").isPresent(), "the verdict is kept until invalidated");
        agreement.invalidate();
        assertFalse(agreement.refusal("account").isPresent(), "integer keys on both sides agree");
    }
}
