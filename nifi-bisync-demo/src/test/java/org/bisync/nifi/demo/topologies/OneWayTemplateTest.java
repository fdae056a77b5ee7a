/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.util.LogMessage;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.testsupport.EmbeddedDatabases;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped one-way template ({@code templates/one-way-postgresql-to-mariadb.json}) run headless as it is: PostgreSQL
 * is captured, MariaDB is only written to and gets its installation from the template's ManageSyncTriggers.
 */
class OneWayTemplateTest {

    private static final String TEMPLATE = "one-way-postgresql-to-mariadb.json";
    private static final String INSTALL = "Install nifi-bisync in MariaDB";
    private static final String RESOLVE = "Resolve conflicts PostgreSQL -> MariaDB";
    private static final String[] COLUMNS = {"id", "name", "email", "balance"};

    private DataSource pg;
    private DataSource maria;

    private FlowHarness harness(String database) throws Exception {
        pg = EmbeddedDatabases.postgres(database);
        maria = EmbeddedDatabases.mariadb(database);
        SampleTable.create(pg);
        SampleTable.create(maria);
        Path template = Path.of(System.getProperty("bisync.templates.dir", "../templates")).resolve(TEMPLATE);
        return FlowHarness.builder(template).dataSource("postgresql", pg).dataSource("mariadb", maria)
                .log(line -> System.out.println("[" + database + "] " + line)).build();
    }

    @Test
    void sourceInsertsUpdatesAndDeletesArriveAtTheTargetWhoseEditsDoNotTravelBack() throws Exception {
        try (FlowHarness harness = harness("tmpl_one_way")) {
            harness.round();
            assertEquals(0, harness.failedRuns(), harness.lastFailure());
            assertTrue(tableExists(maria, "bisync_v_customer"), "the template's ManageSyncTriggers installed MariaDB's version table");

            SampleTable.execute(pg, "INSERT INTO customer (id, name, email, balance) VALUES (1, 'Ada', 'ada@pg', 10.50)",
                    "INSERT INTO customer (id, name, email, balance) VALUES (2, 'Bob', 'bob@pg', 20.00)");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada|ada@pg|10.5", "2|Bob|bob@pg|20"), Rows.of(maria, "customer", COLUMNS), "the inserts arrived");

            SampleTable.execute(pg, "UPDATE customer SET name = 'Ada Lovelace', balance = 11.00 WHERE id = 1",
                    "DELETE FROM customer WHERE id = 2");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada Lovelace|ada@pg|11"), Rows.of(maria, "customer", COLUMNS), "the update and the delete arrived");

            SampleTable.execute(maria, "UPDATE customer SET email = 'ada@maria' WHERE id = 1",
                    "INSERT INTO customer (id, name, email, balance) VALUES (3, 'Cy', 'cy@maria', 3.00)");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada Lovelace|ada@pg|11"), Rows.of(pg, "customer", COLUMNS), "MariaDB's edits did not travel back");
            assertEquals(List.of("1|Ada Lovelace|ada@maria|11", "3|Cy|cy@maria|3"), Rows.of(maria, "customer", COLUMNS));

            SampleTable.execute(pg, "UPDATE customer SET balance = 12.00 WHERE id = 1");
            Rows.settle(harness);
            assertEquals(List.of("1|Ada Lovelace|ada@pg|12", "3|Cy|cy@maria|3"), Rows.of(maria, "customer", COLUMNS),
                    "a later PostgreSQL edit wins over MariaDB's (the whole row, as last-write-wins does); MariaDB's own row stays");
            assertEquals(List.of(), harness.outcomes().unaccounted());
            assertEquals(0, harness.failedRuns(), harness.lastFailure());
        }
    }

    @Test
    void withoutTheInstallTheChangesWaitWithAWarningThatSaysWhatToDoAndGoThroughOnceItRuns() throws Exception {
        try (FlowHarness harness = harness("tmpl_one_way_late_install")) {
            harness.stop(INSTALL);
            harness.round(); // capture installs PostgreSQL's triggers
            assertFalse(tableExists(maria, "bisync_v_customer"), "nothing installed MariaDB");
            SampleTable.execute(pg, "INSERT INTO customer (id, name, email, balance) VALUES (1, 'Ada', 'ada@pg', 10.50)");
            for (int i = 0; i < 5; i++) {
                harness.round();
            }
            assertEquals(1, harness.queued(RESOLVE), "the change's FlowFile waits in front of " + RESOLVE);
            assertEquals(List.of(), harness.held(""), "nothing failed: the change is not at fault");
            // a warning within the first minute (the target's own capture may still be installing it), an error after it:
            // NotInstalledTargetTest moves the clock past that grace
            List<String> warnings = harness.runner(RESOLVE).getLogger().getWarnMessages().stream().map(LogMessage::getMsg).toList();
            assertTrue(warnings.stream().anyMatch(m -> m.contains("Table 'customer' in system 'mariadb' has no version table "
                    + "bisync_v_customer: install nifi-bisync in system 'mariadb' (ManageSyncTriggers with Action Install, or a "
                    + "CaptureTriggerHistory of that system)")), String.valueOf(warnings));
            assertEquals(List.of(), harness.runner(RESOLVE).getLogger().getErrorMessages(), "no error within the grace");

            harness.start(INSTALL);
            Rows.settle(harness);
            assertEquals(List.of("1|Ada|ada@pg|10.5"), Rows.of(maria, "customer", COLUMNS), "the waiting change arrived");
            assertEquals(List.of(), harness.outcomes().unaccounted());
        }
    }

    private static boolean tableExists(DataSource dataSource, String table) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                     + "AND table_name = '" + table + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
