/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.resolve.PgTarget;
import org.bisync.nifi.services.TopologyParser;

import java.util.Map;

/** ResolveConflicts deciding for system B over a real PostgreSQL holding table customer; changes come from system A. */
final class ResolveConflictsOnPostgres {

    private static final String DDL = "CREATE TABLE customer (id int PRIMARY KEY, name text, email text)";

    final PgTarget pg;
    final String topologyJson;
    final TestRunner runner;

    ResolveConflictsOnPostgres(String database, String strategy) throws Exception {
        pg = new PgTarget(database);
        topologyJson = ChangeFlowFiles.topology(strategy);
        pg.install(new TopologyParser().parse(topologyJson), "customer", "B", DDL);
        runner = BisyncRunners.forTarget(TestRunners.newTestRunner(ResolveConflicts.class), topologyJson,
                Map.of("A", pg.counting, "B", pg.counting), "B");
    }

    /** A row of B, with the version the sync (or B's own triggers) left for it. */
    void targetRow(int id, String name, long number, String origin) throws Exception {
        pg.exec("INSERT INTO customer VALUES (" + id + ", '" + name + "', '" + name.toLowerCase() + "@b')");
        pg.setVersion("customer", id, number, origin, false, null);
    }
}
