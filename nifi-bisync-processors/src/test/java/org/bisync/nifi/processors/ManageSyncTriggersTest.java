/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.TestDbcpService;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManageSyncTriggersTest {

    private DataSource dataSource;

    private TestRunner runner(String action) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(ManageSyncTriggers.class);
        TestDbcpService pool = new TestDbcpService(dataSource);
        runner.addControllerService("pool", pool);
        runner.enableControllerService(pool);
        StandardSyncTopologyService service = new StandardSyncTopologyService();
        runner.addControllerService("topology", service);
        runner.setProperty(service, StandardSyncTopologyService.TOPOLOGY_DEFINITION,
                "{\"systems\": [{\"id\": \"A\"}], \"tables\": [{\"name\": \"customer\"}, {\"name\": \"orders\"}]}");
        runner.setProperty(service, "A", "pool");
        runner.enableControllerService(service);
        runner.setProperty(ManageSyncTriggers.SYNC_TOPOLOGY, "topology");
        runner.setProperty(ManageSyncTriggers.SYSTEM_ID, "A");
        runner.setProperty(ManageSyncTriggers.ACTION, action);
        runner.setProperty(ManageSyncTriggers.DATABASE_USER, "nifi_sync");
        runner.setIncomingConnection(false); // runs on its schedule, as when dropped on the canvas alone
        return runner;
    }

    private void createUserTables() throws SQLException {
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))",
                "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer_id BIGINT, total DECIMAL(10,2))",
                "CREATE TABLE unrelated (id BIGINT NOT NULL PRIMARY KEY)",
                "INSERT INTO customer (id, name) VALUES (1, 'Ada')");
    }

    private Set<String> tables() throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Connection c = dataSource.getConnection();
             ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[]{"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (!name.startsWith("sqlite_")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static String script(TestRunner runner) {
        runner.assertAllFlowFilesTransferred(ManageSyncTriggers.SUCCESS, 1);
        MockFlowFile flowFile = runner.getFlowFilesForRelationship(ManageSyncTriggers.SUCCESS).getFirst();
        return flowFile.getContent();
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void generateInstallSqlWritesDdlAndGrantsWithoutTouchingTheDatabase(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("manage_generate");
        createUserTables();
        Set<String> before = tables();
        TestRunner runner = runner(ManageSyncTriggers.GENERATE_INSTALL.getValue());
        runner.run();
        String script = script(runner);
        assertTrue(script.contains("bisync_history"), script);
        assertTrue(script.contains("bisync_v_customer") && script.contains("bisync_v_orders"), script);
        assertTrue(script.toLowerCase(Locale.ROOT).contains("trigger"), script);
        assertTrue(script.contains("nifi_sync") || engine == TestEngine.SQLITE, "grants name the NiFi user: " + script);
        assertEquals(before, tables(), "generating SQL must not change the database");
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void uninstallRemovesEverythingWeCreatedAndNothingElse(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("manage_uninstall");
        createUserTables();
        Set<String> userTables = tables();
        TestRunner install = runner(ManageSyncTriggers.INSTALL.getValue());
        install.run();
        script(install);
        assertTrue(tables().containsAll(List.of("bisync_history", "bisync_v_customer", "bisync_v_orders")), tables().toString());
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (2, 'Bob')");

        TestRunner uninstall = runner(ManageSyncTriggers.UNINSTALL.getValue());
        uninstall.run();
        script(uninstall);
        assertEquals(userTables, tables(), "only our objects are gone");
        Jdbc.exec(dataSource, "INSERT INTO customer (id, name) VALUES (3, 'Cy')"); // no trigger left that names a dropped table
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM customer")) {
            rs.next();
            assertEquals(3, rs.getInt(1), "the user's rows are untouched");
        }
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void installIsIdempotent(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("manage_idempotent");
        createUserTables();
        runner(ManageSyncTriggers.INSTALL.getValue()).run();
        Set<String> once = tables();
        TestRunner again = runner(ManageSyncTriggers.INSTALL.getValue());
        again.run();
        script(again);
        assertEquals(once, tables());
    }

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    void aMissingTableIsAFailureWithItsName(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("manage_missing");
        Jdbc.exec(dataSource, "CREATE TABLE customer (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
        TestRunner runner = runner(ManageSyncTriggers.INSTALL.getValue());
        runner.run();
        runner.assertAllFlowFilesTransferred(ManageSyncTriggers.FAILURE, 1);
        String reason = runner.getFlowFilesForRelationship(ManageSyncTriggers.FAILURE).getFirst().getAttribute(BisyncAttributes.REASON);
        assertTrue(reason.contains("'orders'") && reason.contains("does not exist"), reason);
    }
}
