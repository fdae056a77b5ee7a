/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.version.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit across PostgreSQL, MariaDB and SQLite: identical rows (decimals, timestamps, NULLs, empty strings, text
 * with accents) hash the same on every engine, and every planted difference is found: a missing row, an extra row, a
 * changed value, NULL against the empty string, a timestamp off by one microsecond, and nothing else.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsistencyAuditTest {

    private static final int ROWS = 400;

    private static List<String> audit(Map<String, DataSource> systems, SyncTopology topology, ConsistencyAudit audit,
                                      ConsistencyAudit.Statistics[] statistics) throws SQLException {
        List<Connection> connections = new ArrayList<>();
        try {
            List<AuditedSide> sides = new ArrayList<>();
            for (Map.Entry<String, DataSource> system : systems.entrySet()) {
                Connection connection = system.getValue().getConnection();
                connections.add(connection);
                sides.add(new AuditedSide(system.getKey(), connection, Dialects.forConnection(connection),
                        AuditTables.resolve(connection, topology, system.getKey())));
            }
            TreeSet<String> found = new TreeSet<>();
            statistics[0] = audit.compare(sides, comparison -> {
                for (Difference d : Difference.of(comparison, "A")) {
                    found.add(d.kind() + " " + d.system() + " " + d.key().get("id"));
                }
            });
            return new ArrayList<>(found);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    private static void plant(Map<String, DataSource> systems) throws SQLException {
        AuditTables.execute(systems.get("B"), "DELETE FROM item WHERE id = 5", "UPDATE item SET amount = 9.51 WHERE id = 9",
                "UPDATE item SET seen_at = '2024-05-01 10:00:13.102948' WHERE id = 13"); // id 13 holds .102947 everywhere else
        AuditTables.execute(systems.get("C"), "INSERT INTO item (id, name) VALUES (1000, 'extra')",
                "UPDATE item SET note = '' WHERE id = 12"); // id 12 holds NULL everywhere else
    }

    /** The version row of a key of {@code item}, which the system's triggers stamped. */
    private static Version versionOf(DataSource system, int id, String origin) throws SQLException {
        long number = Jdbc.count(system, "SELECT version_num FROM " + BisyncTables.VERSION_TABLE_PREFIX + "item WHERE id = " + id
                + " AND version_origin = '" + origin + "'");
        return new Version(number, origin);
    }

    private static final List<String> PLANTED = List.of("DIFFERENT B 13", "DIFFERENT B 9", "DIFFERENT C 12", "EXTRA C 1000", "MISSING B 5");

    @Test
    void identicalRowsHashTheSameOnEveryEngineAndEveryPlantedDifferenceIsFound() throws SQLException {
        SyncTopology topology = AuditTables.topology("LAST_WRITE_WINS");
        Map<String, DataSource> systems = AuditTables.create("audit_planted", ROWS, topology);
        ConsistencyAudit.Statistics[] statistics = new ConsistencyAudit.Statistics[1];
        assertEquals(List.of(), audit(systems, topology, new ConsistencyAudit(256, 1000), statistics), "the same rows on three engines");
        assertEquals(0, statistics[0].bucketsDiffering());
        assertEquals(3L * ROWS, statistics[0].rowsCompared());

        plant(systems);
        assertEquals(PLANTED, audit(systems, topology, new ConsistencyAudit(256, 1000), statistics));
        assertEquals(5, statistics[0].keysDiffering());
    }

    @Test
    void differingBucketsAreNarrowedDownThroughSeveralLevels() throws SQLException {
        SyncTopology topology = AuditTables.topology("LAST_WRITE_WINS");
        Map<String, DataSource> systems = AuditTables.create("audit_levels", ROWS, topology);
        plant(systems);
        ConsistencyAudit.Statistics[] statistics = new ConsistencyAudit.Statistics[1];
        // 16 first buckets of about 25 rows, split while a bucket holds more than 2 rows: three levels
        assertEquals(PLANTED, audit(systems, topology, new ConsistencyAudit(2, 1000, 1), statistics));
        assertTrue(statistics[0].bucketsCompared() > 16 && statistics[0].bucketsDiffering() > statistics[0].keysDiffering(),
                "differing buckets of the first level were split and compared again: " + statistics[0]);
    }

    @Test
    void theReportStopsAtTheLimitOfDifferingKeysAndSaysSo() throws SQLException {
        SyncTopology topology = AuditTables.topology("LAST_WRITE_WINS");
        Map<String, DataSource> systems = AuditTables.create("audit_limit", 50, topology);
        plant(systems);
        ConsistencyAudit.Statistics[] statistics = new ConsistencyAudit.Statistics[1];
        List<String> found = audit(systems, topology, new ConsistencyAudit(1000, 2), statistics);
        assertEquals(2, found.size(), String.valueOf(found));
        assertTrue(statistics[0].truncated());
    }

    @Test
    void aDifferenceCarriesBothRowsAndBothVersions() throws SQLException {
        SyncTopology topology = AuditTables.topology("LAST_WRITE_WINS");
        Map<String, DataSource> systems = AuditTables.create("audit_rows", 20, topology);
        plant(systems);
        List<Difference> differences = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        try {
            List<AuditedSide> sides = new ArrayList<>();
            for (Map.Entry<String, DataSource> system : systems.entrySet()) {
                Connection connection = system.getValue().getConnection();
                connections.add(connection);
                sides.add(new AuditedSide(system.getKey(), connection, Dialects.forConnection(connection),
                        AuditTables.resolve(connection, topology, system.getKey())));
            }
            new ConsistencyAudit(256, 100).compare(sides, c -> differences.addAll(Difference.of(c, "A")));
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        Difference changed = differences.stream().filter(d -> d.key().get("id").toString().equals("9")).findFirst().orElseThrow();
        assertEquals(Difference.Kind.DIFFERENT, changed.kind());
        assertEquals("9.51", changed.row().get("amount").toString());
        assertEquals("9.00", changed.referenceRow().get("amount").toString());
        assertEquals(versionOf(systems.get("B"), 9, "B"), changed.version(), "B's version row of the key");
        assertEquals(versionOf(systems.get("A"), 9, "A"), changed.referenceVersion(), "A's version row of the key");
        Difference missing = differences.stream().filter(d -> d.kind() == Difference.Kind.MISSING).findFirst().orElseThrow();
        assertNull(missing.row());
        assertEquals("n\u00e95", missing.referenceRow().get("name"));
    }
}
