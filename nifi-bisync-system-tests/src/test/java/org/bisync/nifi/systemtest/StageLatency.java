/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bisync.nifi.systemtest.SyncRun.Direction;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Per stage of a direction, how long after capture emitted a FlowFile each processor was done with it: the lineage
 * duration of each processor's provenance events (NiFi keeps, per FlowFile, when its lineage began: at capture's
 * RECEIVE), p50, p99 and max over the events of a time window. The gap between two stages is the time a FlowFile
 * queued for the next processor plus that processor's task; commit-to-commit latency minus the last stage is the
 * capture's share (its poll interval and its run) plus the probe's poll.
 */
final class StageLatency {

    private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss.SSS z");

    private StageLatency() {
    }

    static void print(SyncRun run, Direction direction, Instant from, Instant until) {
        System.out.printf("Stages of %s (provenance: ms from capture's RECEIVE until each processor's event, p50 / p99 / max):%n",
                direction.arrow());
        for (String name : List.of(direction.capture(), direction.loops(), direction.resolve(), direction.apply())) {
            List<Double> lineage = lineageMillis(run, run.id(name), from, until);
            double[] sorted = lineage.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (sorted.length == 0) {
                System.out.printf("  %-46s no event (passed FlowFiles on unchanged)%n", name);
                continue;
            }
            System.out.printf("  %-46s %5d events %6.0f / %6.0f / %6.0f%n", name, sorted.length, LatencyProbe.percentile(sorted, 50),
                    LatencyProbe.percentile(sorted, 99), sorted[sorted.length - 1]);
        }
    }

    private static List<Double> lineageMillis(SyncRun run, String componentId, Instant from, Instant until) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("maxResults", 10_000);
        request.put("summarize", false);
        request.put("incrementalResults", false);
        ObjectNode term = request.putObject("searchTerms").putObject("ProcessorID");
        term.put("value", componentId);
        term.put("inverse", false);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("provenance").set("request", request);
        String id = run.nifi.post("/provenance", body).path("provenance").path("id").asText();
        JsonNode[] result = new JsonNode[1];
        NifiClient.await("provenance query " + id, Duration.ofMinutes(2), () -> {
            result[0] = run.nifi.get("/provenance/" + id).path("provenance");
            return result[0].path("finished").asBoolean();
        });
        run.nifi.delete("/provenance/" + id);
        List<Double> millis = new ArrayList<>();
        for (JsonNode event : result[0].path("results").path("provenanceEvents")) {
            Instant at = ZonedDateTime.parse(event.path("eventTime").asText(), EVENT_TIME).toInstant();
            if (!at.isBefore(from) && at.isBefore(until) && event.hasNonNull("lineageDuration")) {
                millis.add(event.path("lineageDuration").asDouble());
            }
        }
        return millis;
    }
}
