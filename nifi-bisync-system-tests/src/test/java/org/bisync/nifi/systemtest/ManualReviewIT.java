/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import org.bisync.nifi.demo.SampleTable;
import org.bisync.nifi.systemtest.SyncRun.Direction;
import org.bisync.nifi.systemtest.SyncRun.SystemDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Manual review end to end in a real NiFi, on the two-way template with the MANUAL strategy: rows edited on both sides
 * while capture is stopped are held on each direction's {@code conflict} queue while the other rows sync; a reviewer's
 * NiFi UpdateRecord sets {@code resolution} TAKE_INCOMING on the PostgreSQL -> MariaDB queue and routes it back into
 * ResolveConflicts: both sides end on PostgreSQL's edits; the mirrored copies, replayed the same way, end as stale.
 */
@ExtendWith(SystemTestNifi.class)
class ManualReviewIT {

    private static final String UPDATE_RECORD = "org.apache.nifi.processors.standard.UpdateRecord";

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void conflictHeldOnConflictQueueIsResolvedWithUpdateRecordAndReplayed(NifiServer nifi) throws Exception {
        SystemDb pg = SystemDb.postgresql("st_manual");
        SystemDb maria = SystemDb.mariadb("st_manual");
        Direction pgToMaria = new Direction(pg, maria);
        Direction mariaToPg = new Direction(maria, pg);
        String topology = topologyOfTemplate().replace("LAST_WRITE_WINS", "MANUAL");
        try (SyncRun run = SyncRun.start(nifi, "two-way-postgresql-mariadb.json", "manual-review", List.of(pg, maria),
                List.of(pgToMaria, mariaToPg), Map.of("Sync Topology Definition", topology))) {
            for (long id = 1; id <= 5; id++) {
                SampleTable.execute(pg.dataSource(), "INSERT INTO customer (id, name, email, balance) VALUES (" + id + ", 'name" + id
                        + "', 'u" + id + "@example.com', " + id + ".00)");
            }
            run.awaitQuiet(List.of(pg, maria), queue -> false);
            assertEquals(5, run.assertIdentical().size());

            // concurrent edits: both captures stopped while both sides edit rows 1-3
            String capturePg = run.id(pgToMaria.capture());
            String captureMaria = run.id(mariaToPg.capture());
            for (String capture : List.of(capturePg, captureMaria)) {
                run.nifi.setRunStatus(capture, "STOPPED");
                run.nifi.awaitStopped(capture, Duration.ofMinutes(1));
            }
            for (long id = 1; id <= 3; id++) {
                SampleTable.execute(pg.dataSource(), "UPDATE customer SET name = '" + id + " on postgresql' WHERE id = " + id);
                SampleTable.execute(maria.dataSource(), "UPDATE customer SET name = '" + id + " on mariadb' WHERE id = " + id);
            }
            SampleTable.execute(pg.dataSource(), "UPDATE customer SET email = 'four@pg.example' WHERE id = 4");
            SampleTable.execute(maria.dataSource(), "UPDATE customer SET email = 'five@maria.example' WHERE id = 5");
            for (String capture : List.of(capturePg, captureMaria)) {
                run.nifi.setRunStatus(capture, "RUNNING");
            }
            run.awaitQuiet(List.of(pg, maria), queue -> queue.name().startsWith("Conflicts for review"));

            assertEquals(3, run.counter(pgToMaria.resolve(), "Conflicts held for review"));
            assertEquals(3, run.counter(mariaToPg.resolve(), "Conflicts held for review"));
            assertTrue(queued(run, pgToMaria.conflictQueue()) > 0 && queued(run, mariaToPg.conflictQueue()) > 0, "held: " + run.queued());
            // the other records of the batches went on; rows 1-3 still differ
            assertEquals(SampleTable.row(pg.dataSource(), 4), SampleTable.row(maria.dataSource(), 4));
            assertEquals(SampleTable.row(pg.dataSource(), 5), SampleTable.row(maria.dataSource(), 5));
            assertTrue(SampleTable.row(maria.dataSource(), 5).contains("five@maria.example"));
            for (long id = 1; id <= 3; id++) {
                assertNotEquals(SampleTable.row(pg.dataSource(), id), SampleTable.row(maria.dataSource(), id));
            }

            // the reviewer takes PostgreSQL's edits: UpdateRecord sets resolution and routes the queue back
            replay(run, pgToMaria, "TAKE_INCOMING");
            run.awaitQuiet(List.of(pg, maria), queue -> queue.name().equals(mariaToPg.conflictQueue()));
            List<String> rows = run.assertIdentical();
            for (long id = 1; id <= 3; id++) {
                assertTrue(rows.get((int) id - 1).startsWith(id + "|" + id + " on postgresql|"), rows.toString());
            }
            assertEquals(3, run.counter(pgToMaria.resolve(), "Resolutions passed on"));

            // the mirrored copies held on the other side are stale once replayed
            long staleBefore = run.counter(mariaToPg.resolve(), "Changes stale");
            replay(run, mariaToPg, "TAKE_INCOMING");
            run.awaitQuiet(List.of(pg, maria), queue -> false);
            assertEquals(staleBefore + 3, run.counter(mariaToPg.resolve(), "Changes stale"));
            assertEquals(rows, run.assertIdentical());
            run.assertNoFlowFileQueued();
            run.assertNoErrorBulletin();
            run.assertEveryChangeAccountedFor(Map.of(pgToMaria, 3L, mariaToPg, 3L));
            run.assertProvenance();
        }
    }

    private static long queued(SyncRun run, String queueName) {
        return run.nifi.queues(run.flow.groupId()).stream().filter(q -> q.name().equals(queueName))
                .mapToLong(NifiClient.Queue::flowFiles).sum();
    }

    /**
     * What a reviewer does on the canvas: an UpdateRecord that sets /resolution, fed by the funnel the direction's
     * conflicts wait in front of, sending its output back into the direction's ResolveConflicts.
     */
    private static void replay(SyncRun run, Direction direction, String resolution) {
        NifiClient nifi = run.nifi;
        String group = run.flow.groupId();
        JsonNode conflicts = connection(nifi, group, direction.conflictQueue());
        String funnel = conflicts.path("component").path("destination").path("id").asText();
        String failedFunnel = connection(nifi, group, "Failed changes " + direction.arrow()).path("component").path("destination")
                .path("id").asText();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("Record Reader", serviceId(nifi, group, "Change record reader"));
        properties.put("Record Writer", serviceId(nifi, group, "Change record writer"));
        properties.put("Replacement Value Strategy", "literal-value");
        properties.put("/resolution", resolution);
        String updateRecord = nifi.createProcessor(group, UPDATE_RECORD, standardBundle(nifi), "Set resolution " + direction.arrow(),
                0, 3000, properties, Set.of());
        nifi.connect(group, funnel, "FUNNEL", Set.of(), updateRecord, "PROCESSOR");
        nifi.connect(group, updateRecord, "PROCESSOR", Set.of("success"), run.id(direction.resolve()), "PROCESSOR");
        nifi.connect(group, updateRecord, "PROCESSOR", Set.of("failure"), failedFunnel, "FUNNEL");
        NifiClient.await("UpdateRecord valid", Duration.ofSeconds(30),
                () -> "VALID".equals(nifi.get("/processors/" + updateRecord).path("component").path("validationStatus").asText()));
        nifi.setRunStatus(updateRecord, "RUNNING");
    }

    private static JsonNode connection(NifiClient nifi, String group, String name) {
        return nifi.connections(group).stream().filter(c -> name.equals(c.path("component").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no connection '" + name + "'"));
    }

    private static String serviceId(NifiClient nifi, String group, String name) {
        return nifi.controllerServices(group).stream().filter(s -> name.equals(s.path("component").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no service '" + name + "'")).path("id").asText();
    }

    private static String standardBundle(NifiClient nifi) {
        String bundle = nifi.processorTypes().get(UPDATE_RECORD);
        if (bundle == null) {
            throw new AssertionError("This NiFi has no UpdateRecord (nifi-standard-nar)");
        }
        return bundle;
    }

    private static String topologyOfTemplate() throws Exception {
        JsonNode template = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(SyncRun.templates().resolve("two-way-postgresql-mariadb.json")));
        for (JsonNode context : template.path("parameterContexts")) {
            for (JsonNode parameter : context.path("parameters")) {
                if ("Sync Topology Definition".equals(parameter.path("name").asText())) {
                    return parameter.path("value").asText();
                }
            }
        }
        throw new AssertionError("the two-way template has no Sync Topology Definition parameter");
    }
}
