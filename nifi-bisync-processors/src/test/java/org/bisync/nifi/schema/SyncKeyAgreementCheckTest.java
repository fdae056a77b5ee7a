/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.schema;

import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-type check of a batch's tables across the systems, as ResolveConflicts makes it before deciding, on two real
 * SQLite databases: a table whose key differs in kind is refused, one a system cannot be read for is left unchecked.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SyncKeyAgreementCheckTest {

    @Test
    void refusesTheTableWhoseKeyDiffersInKindAndLeavesUncheckedWhatASystemCannotTell() throws SQLException {
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
                List.of(TableSettings.twoWay("customer"), TableSettings.twoWay("orders"), TableSettings.twoWay("note")), null);
        DataSource a = EmbeddedDatabases.sqlite("key_agreement_a_" + System.nanoTime());
        DataSource b = EmbeddedDatabases.sqlite("key_agreement_b_" + System.nanoTime());
        Jdbc.exec(a, "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name TEXT)",
                "CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY)", "CREATE TABLE note (id INTEGER NOT NULL PRIMARY KEY)");
        Jdbc.exec(b, "CREATE TABLE customer (id INTEGER NOT NULL PRIMARY KEY, name TEXT)",
                "CREATE TABLE orders (id VARCHAR(20) NOT NULL PRIMARY KEY)");
        Map<String, DataSource> systems = Map.of("A", a, "B", b);
        AtomicBoolean reachable = new AtomicBoolean(true);
        SyncKeyAgreement agreement = SyncKeyAgreement.resolvingIn(topology, system -> {
            if (system.equals("B") && !reachable.get()) {
                throw new SQLException("Cannot reach system 'B'");
            }
            return systems.get(system).getConnection();
        });

        SyncKeyAgreement.Check check = agreement.check(List.of("customer", "orders"));
        reachable.set(false);
        SyncKeyAgreement.Check unreachable = agreement.check(List.of("note"));

        assertEquals(List.of("orders"), List.copyOf(check.refused().keySet()), "customer's key is an integer on both sides");
        assertTrue(check.refused().get("orders").contains("sync key field 'id' has different types"), check.refused().toString());
        assertEquals(Map.of(), check.unchecked());
        assertEquals(Map.of(), unreachable.refused());
        assertEquals(Map.of("note", "Cannot reach system 'B'"), unreachable.unchecked(), "checked again at a later batch");
    }
}
