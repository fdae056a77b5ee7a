/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.postgres;

import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.dialect.DialectFixture;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.testsupport.EngineFixture;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An installation made by nifi-bisync 0.1 (one trigger function shared by four triggers with WHEN clauses, the SQL of
 * {@code legacy/postgresql-0.1-customer.sql}) is replaced by Install: the triggers run the per-event functions, the
 * shared function is gone, every write is captured once, and Uninstall then leaves nothing of ours.
 */
@Timeout(120)
class PostgresTriggerUpgradeTest {

    private final DialectFixture db = new DialectFixture(new PostgresDialect(), EngineFixture.start("PostgreSQL", "pg_trigger_upgrade"));

    @BeforeEach
    void legacyInstallation() throws SQLException, IOException {
        db.reset();
        db.exec(List.of("CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(100), revenue numeric(18,2), note text)"));
        try (InputStream in = getClass().getResourceAsStream("/legacy/postgresql-0.1-customer.sql")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*\\n", "");
            db.exec(Arrays.stream(script.split("\\n\\s*\\n")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s).toList());
        }
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(db.dialect.capture().upsertInstalled())) {
            ps.setString(1, "customer");
            ps.setString(2, "ddl hash of 0.1");
            ps.setString(3, "column hash of 0.1");
            ps.setLong(4, 0L);
            ps.executeUpdate();
        }
        db.exec(List.of("INSERT INTO customer (id, name) VALUES (1, 'captured by 0.1')"));
    }

    @Test
    void installReplacesTheSharedFunctionAndEveryWriteIsCapturedOnce() throws SQLException {
        SyncedTable table = db.resolve(TableSettings.twoWay("customer"));
        TriggerInstaller installer = new TriggerInstaller(db.dialect);
        try (Connection c = db.connect()) {
            assertEquals(TriggerInstaller.Status.OUTDATED, installer.check(c, List.of(table)).getFirst().status());
            assertEquals(1, installer.install(c, List.of(table), 0L).size());
            assertEquals(TriggerInstaller.Status.CURRENT, installer.check(c, List.of(table)).getFirst().status());
        }
        assertEquals(List.of("bisync_fd_customer", "bisync_fi_customer", "bisync_ft_customer", "bisync_fu_customer"),
                Jdbc.rows(db.dataSource(), "SELECT proname FROM pg_proc WHERE proname LIKE 'bisync%' ORDER BY proname").stream()
                        .map(r -> r.get("proname")).toList());
        assertEquals(List.of("bisync_t_customer_del:bisync_fd_customer", "bisync_t_customer_ins:bisync_fi_customer",
                        "bisync_t_customer_trunc:bisync_ft_customer", "bisync_t_customer_upd:bisync_fu_customer"),
                Jdbc.rows(db.dataSource(), "SELECT t.tgname || ':' || p.proname AS f FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                        + "WHERE NOT t.tgisinternal ORDER BY t.tgname").stream().map(r -> r.get("f")).toList());

        db.exec(List.of("INSERT INTO customer (id, name) VALUES (2, 'new')", "UPDATE customer SET name = 'changed' WHERE id = 1",
                "DELETE FROM customer WHERE id = 2"));
        assertEquals(List.of("INSERT", "INSERT", "UPDATE", "DELETE"), db.operations(), "the 0.1 row, then one row per write");

        try (Connection c = db.connect()) {
            installer.uninstall(c, List.of("customer"), true);
        }
        assertEquals(0, Jdbc.count(db.dataSource(), "SELECT count(*) FROM pg_proc WHERE proname LIKE 'bisync%'")
                + Jdbc.count(db.dataSource(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'bisync%'")
                + Jdbc.count(db.dataSource(), "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
    }

    @Test
    void uninstallOfAnInstallationThatWasNeverUpgradedRemovesItToo() throws SQLException {
        try (Connection c = db.connect()) {
            new TriggerInstaller(db.dialect).uninstall(c, List.of("customer"), true);
        }
        assertEquals(0, Jdbc.count(db.dataSource(), "SELECT count(*) FROM pg_proc WHERE proname LIKE 'bisync%'")
                + Jdbc.count(db.dataSource(), "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
        assertEquals(1, Jdbc.count(db.dataSource(), "SELECT count(*) FROM customer"), "the users' rows stay");
    }
}
