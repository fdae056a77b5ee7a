/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * A small client of NiFi 2's REST API (plain HTTP, no login), with the calls a system test or a benchmark needs:
 * upload a flow definition as a process group, fill its parameter context, enable its services, start and stop it,
 * and read its health (validation, queues, counters, bulletins, provenance, status history). Answers are Jackson
 * trees; a call that NiFi answers with an error status throws {@link NifiException} with NiFi's message.
 */
public final class NifiClient {

    /** An HTTP error answer from NiFi. */
    public static final class NifiException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NifiException(String message) {
            super(message);
        }
    }

    /** One counter of one component: context is "Name (id)" of the processor, or "All ... 's" for an aggregate. */
    public record Counter(String context, String name, long value) {
    }

    /** One connection's queue: its name, source and destination names, FlowFiles queued. */
    public record Queue(String id, String name, String source, String destination, long flowFiles) {
    }

    /** One bulletin: level, source name and id, message. */
    public record Bulletin(String level, String sourceName, String sourceId, String message) {
    }

    /** One provenance event: its type, the component that produced it, the FlowFile, details. */
    public record ProvenanceEvent(String eventType, String componentId, String componentName, String flowFileUuid,
                                  String details, String relationship) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String api;
    private final HttpClient http;
    private final String clientId = UUID.randomUUID().toString();

    /** @param baseUrl for example {@code http://127.0.0.1:18080} (the API is under /nifi-api) */
    public NifiClient(String baseUrl) {
        this.api = baseUrl.replaceAll("/+$", "") + "/nifi-api";
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String apiUrl() {
        return api;
    }

    // ---------------------------------------------------------------------------------------------------- server

    public JsonNode about() {
        return get("/flow/about").path("about");
    }

    /** True when the API answers. */
    public boolean isUp() {
        try {
            about();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Processor types NiFi knows, as type name to bundle "group:artifact:version". */
    public Map<String, String> processorTypes() {
        return types(get("/flow/processor-types").path("processorTypes"));
    }

    /** Controller service types NiFi knows, as type name to bundle "group:artifact:version". */
    public Map<String, String> controllerServiceTypes() {
        return types(get("/flow/controller-service-types").path("controllerServiceTypes"));
    }

    private static Map<String, String> types(JsonNode array) {
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode type : array) {
            JsonNode bundle = type.path("bundle");
            types.put(type.path("type").asText(), bundle.path("group").asText() + ":" + bundle.path("artifact").asText()
                    + ":" + bundle.path("version").asText());
        }
        return types;
    }

    // ---------------------------------------------------------------------------------------------------- groups

    public String rootGroupId() {
        return get("/process-groups/root").path("id").asText();
    }

    /** Uploads a flow definition (a template's JSON) as a new process group under {@code parentId}; returns its id. */
    public String uploadFlow(String parentId, String groupName, double x, double y, Path flowDefinition) {
        try {
            return uploadFlow(parentId, groupName, x, y, flowDefinition.getFileName().toString(), Files.readAllBytes(flowDefinition));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String uploadFlow(String parentId, String groupName, double x, double y, String fileName, byte[] content) {
        String boundary = "----bisync" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("groupName", groupName);
        fields.put("positionX", String.valueOf(x));
        fields.put("positionY", String.valueOf(y));
        fields.put("clientId", clientId);
        for (Map.Entry<String, String> field : fields.entrySet()) {
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n"
                    + field.getValue() + "\r\n");
        }
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/json\r\n\r\n");
        body.writeBytes(content);
        write(body, "\r\n--" + boundary + "--\r\n");
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/process-groups/" + parentId + "/process-groups/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
        return send(request).path("id").asText();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    public JsonNode group(String groupId) {
        return get("/process-groups/" + groupId);
    }

    public String parameterContextId(String groupId) {
        return group(groupId).path("component").path("parameterContext").path("id").asText(null);
    }

    /** Starts every component of the group (services must be enabled first). */
    public void startGroup(String groupId) {
        put("/flow/process-groups/" + groupId, object("id", groupId, "state", "RUNNING"));
    }

    /** Stops every processor of the group and waits until none has an active thread. */
    public void stopGroup(String groupId, Duration timeout) {
        put("/flow/process-groups/" + groupId, object("id", groupId, "state", "STOPPED"));
        await("processors of group " + groupId + " stopped", timeout, () -> {
            for (JsonNode processor : processors(groupId)) {
                if (!"STOPPED".equals(processor.path("component").path("state").asText())
                        && !"DISABLED".equals(processor.path("component").path("state").asText())) {
                    return false;
                }
                if (processor.path("status").path("aggregateSnapshot").path("activeThreadCount").asInt() > 0) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Enables every controller service of the group and waits until all are ENABLED. */
    public void enableServices(String groupId, Duration timeout) {
        setServices(groupId, "ENABLED", timeout);
    }

    public void disableServices(String groupId, Duration timeout) {
        setServices(groupId, "DISABLED", timeout);
    }

    private void setServices(String groupId, String state, Duration timeout) {
        put("/flow/process-groups/" + groupId + "/controller-services", object("id", groupId, "state", state));
        await("services of group " + groupId + " " + state, timeout, () -> {
            for (JsonNode service : controllerServices(groupId)) {
                if (!state.equals(service.path("component").path("state").asText())) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Empties every queue of the group, stops it, disables its services and deletes it. */
    public void deleteGroup(String groupId, Duration timeout) {
        stopGroup(groupId, timeout);
        disableServices(groupId, timeout);
        JsonNode drop = post("/process-groups/" + groupId + "/empty-all-connections-requests", NODES.objectNode());
        String dropId = drop.path("dropRequest").path("id").asText();
        String dropUri = "/process-groups/" + groupId + "/empty-all-connections-requests/" + dropId;
        await("queues of group " + groupId + " emptied", timeout, () -> get(dropUri).path("dropRequest").path("finished").asBoolean());
        delete(dropUri);
        long version = group(groupId).path("revision").path("version").asLong();
        delete("/process-groups/" + groupId + "?version=" + version + "&clientId=" + clientId);
    }

    public void deleteParameterContext(String contextId) {
        long version = get("/parameter-contexts/" + contextId).path("revision").path("version").asLong();
        delete("/parameter-contexts/" + contextId + "?version=" + version + "&clientId=" + clientId);
    }

    // ------------------------------------------------------------------------------------------------ parameters

    /**
     * Sets parameters of a context (a name listed in {@code sensitive} is set as a sensitive parameter) and waits until
     * NiFi applied the change (it stops and restarts what references them).
     */
    public void setParameters(String contextId, Map<String, String> values, Set<String> sensitive, Duration timeout) {
        JsonNode context = get("/parameter-contexts/" + contextId);
        ArrayNode parameters = NODES.arrayNode();
        for (Map.Entry<String, String> value : values.entrySet()) {
            ObjectNode parameter = NODES.objectNode();
            parameter.put("name", value.getKey());
            parameter.put("sensitive", sensitive.contains(value.getKey()));
            parameter.put("value", value.getValue());
            parameters.addObject().set("parameter", parameter);
        }
        ObjectNode component = NODES.objectNode();
        component.put("id", contextId);
        component.set("parameters", parameters);
        ObjectNode request = NODES.objectNode();
        request.set("revision", context.path("revision"));
        request.put("id", contextId);
        request.set("component", component);
        JsonNode update = post("/parameter-contexts/" + contextId + "/update-requests", request);
        String uri = "/parameter-contexts/" + contextId + "/update-requests/" + update.path("request").path("requestId").asText();
        JsonNode[] last = new JsonNode[1];
        await("parameter update of context " + contextId, timeout, () -> {
            last[0] = get(uri).path("request");
            return last[0].path("complete").asBoolean();
        });
        delete(uri);
        String failure = last[0].path("failureReason").asText("");
        if (!failure.isEmpty()) {
            throw new NifiException("Parameter update of context " + contextId + " failed: " + failure);
        }
    }

    // ------------------------------------------------------------------------------------------------ components

    public List<JsonNode> processors(String groupId) {
        return list(get("/process-groups/" + groupId + "/processors").path("processors"));
    }

    public List<JsonNode> controllerServices(String groupId) {
        return list(get("/flow/process-groups/" + groupId + "/controller-services?includeAncestorGroups=false")
                .path("controllerServices"));
    }

    public List<JsonNode> connections(String groupId) {
        return list(get("/process-groups/" + groupId + "/connections").path("connections"));
    }

    public List<JsonNode> funnels(String groupId) {
        return list(get("/process-groups/" + groupId + "/funnels").path("funnels"));
    }

    public List<JsonNode> labels(String groupId) {
        return list(get("/process-groups/" + groupId + "/labels").path("labels"));
    }

    /** The processor of the group with this name (exactly one). */
    public JsonNode processor(String groupId, String name) {
        List<JsonNode> found = processors(groupId).stream()
                .filter(p -> name.equals(p.path("component").path("name").asText())).toList();
        if (found.size() != 1) {
            throw new IllegalArgumentException(found.size() + " processors named '" + name + "' in group " + groupId);
        }
        return found.get(0);
    }

    /** Components that are not VALID (processors and services), as "name: errors". */
    public List<String> invalidComponents(String groupId) {
        List<String> invalid = new ArrayList<>();
        for (JsonNode component : concat(processors(groupId), controllerServices(groupId))) {
            JsonNode c = component.path("component");
            String status = c.path("validationStatus").asText();
            if (!"VALID".equals(status)) {
                invalid.add(c.path("name").asText() + " (" + status + "): " + c.path("validationErrors"));
            }
        }
        return invalid;
    }

    /** Sets a processor's run status: RUNNING, STOPPED, RUN_ONCE. */
    public void setRunStatus(String processorId, String state) {
        JsonNode processor = get("/processors/" + processorId);
        ObjectNode body = NODES.objectNode();
        body.set("revision", processor.path("revision"));
        body.put("state", state);
        body.put("disconnectedNodeAcknowledged", false);
        put("/processors/" + processorId + "/run-status", body);
    }

    /** Sets properties of a (stopped) processor, by property name, as a user does in its configuration dialog. */
    public void setProcessorProperties(String processorId, Map<String, String> properties) {
        JsonNode processor = get("/processors/" + processorId);
        ObjectNode component = NODES.objectNode();
        component.put("id", processorId);
        ObjectNode props = component.putObject("config").putObject("properties");
        properties.forEach(props::put);
        ObjectNode body = NODES.objectNode();
        body.set("revision", processor.path("revision"));
        body.set("component", component);
        put("/processors/" + processorId, body);
    }

    /** Waits until the processor is stopped with no active thread. */
    public void awaitStopped(String processorId, Duration timeout) {
        await("processor " + processorId + " stopped", timeout, () -> {
            JsonNode processor = get("/processors/" + processorId);
            return "STOPPED".equals(processor.path("component").path("state").asText())
                    && processor.path("status").path("aggregateSnapshot").path("activeThreadCount").asInt() == 0;
        });
    }

    /**
     * Adds a processor to a group. {@code bundle} is "group:artifact:version"; {@code properties} by property name;
     * {@code autoTerminated} relationships end there. Returns the processor's id.
     */
    public String createProcessor(String groupId, String type, String bundle, String name, double x, double y,
                                  Map<String, String> properties, Set<String> autoTerminated) {
        String[] coordinates = bundle.split(":");
        ObjectNode component = NODES.objectNode();
        component.put("type", type);
        component.put("name", name);
        component.set("bundle", object("group", coordinates[0], "artifact", coordinates[1], "version", coordinates[2]));
        component.set("position", position(x, y));
        ObjectNode config = component.putObject("config");
        ObjectNode props = config.putObject("properties");
        properties.forEach(props::put);
        ArrayNode terminated = config.putArray("autoTerminatedRelationships");
        autoTerminated.forEach(terminated::add);
        return post("/process-groups/" + groupId + "/processors", entity(component)).path("id").asText();
    }

    /**
     * Connects two components of a group. Types are PROCESSOR or FUNNEL; {@code relationships} only for a processor
     * source. Returns the connection's id.
     */
    public String connect(String groupId, String sourceId, String sourceType, Set<String> relationships,
                          String destinationId, String destinationType) {
        ObjectNode component = NODES.objectNode();
        component.set("source", object("id", sourceId, "groupId", groupId, "type", sourceType));
        component.set("destination", object("id", destinationId, "groupId", groupId, "type", destinationType));
        ArrayNode selected = component.putArray("selectedRelationships");
        relationships.forEach(selected::add);
        component.put("flowFileExpiration", "0 sec");
        return post("/process-groups/" + groupId + "/connections", entity(component)).path("id").asText();
    }

    private ObjectNode entity(ObjectNode component) {
        ObjectNode entity = NODES.objectNode();
        ObjectNode revision = entity.putObject("revision");
        revision.put("version", 0);
        revision.put("clientId", clientId);
        entity.set("component", component);
        return entity;
    }

    private static ObjectNode position(double x, double y) {
        ObjectNode position = NODES.objectNode();
        position.put("x", x);
        position.put("y", y);
        return position;
    }

    // ---------------------------------------------------------------------------------------------------- health

    /** The group's aggregate status (recursive): flowFilesQueued, activeThreadCount, ... */
    public JsonNode groupStatus(String groupId) {
        return get("/flow/process-groups/" + groupId + "/status?recursive=true").path("processGroupStatus").path("aggregateSnapshot");
    }

    /** Every connection's queue in the group. */
    public List<Queue> queues(String groupId) {
        List<Queue> queues = new ArrayList<>();
        for (JsonNode connection : connections(groupId)) {
            JsonNode component = connection.path("component");
            queues.add(new Queue(connection.path("id").asText(), component.path("name").asText(),
                    component.path("source").path("name").asText(), component.path("destination").path("name").asText(),
                    connection.path("status").path("aggregateSnapshot").path("flowFilesQueued").asLong()));
        }
        return queues;
    }

    /** The attributes of every FlowFile queued in a connection, in queue order (NiFi lists at most 100). */
    public List<Map<String, String>> queuedAttributes(String connectionId, Duration timeout) {
        String base = "/flowfile-queues/" + connectionId;
        String id = post(base + "/listing-requests", NODES.objectNode()).path("listingRequest").path("id").asText();
        JsonNode[] listing = new JsonNode[1];
        await("listing of queue " + connectionId, timeout, () -> {
            listing[0] = get(base + "/listing-requests/" + id).path("listingRequest");
            return listing[0].path("finished").asBoolean();
        });
        delete(base + "/listing-requests/" + id);
        List<Map<String, String>> attributes = new ArrayList<>();
        for (JsonNode summary : listing[0].path("flowFileSummaries")) {
            Map<String, String> values = new LinkedHashMap<>();
            get(base + "/flowfiles/" + summary.path("uuid").asText()).path("flowFile").path("attributes").properties()
                    .forEach(attribute -> values.put(attribute.getKey(), attribute.getValue().asText()));
            attributes.add(values);
        }
        return attributes;
    }

    /** Every counter NiFi holds, per component and aggregated. */
    public List<Counter> counters() {
        List<Counter> counters = new ArrayList<>();
        for (JsonNode counter : get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            counters.add(new Counter(counter.path("context").asText(), counter.path("name").asText(), counter.path("valueCount").asLong()));
        }
        return counters;
    }

    /** A counter of one processor (0 when it never counted). */
    public static long counter(List<Counter> counters, String processorId, String name) {
        return counters.stream().filter(c -> c.context().contains(processorId) && c.name().equals(name))
                .mapToLong(Counter::value).sum();
    }

    /** The bulletins of a group's components NiFi still holds (it keeps the last ones for five minutes). */
    public List<Bulletin> bulletins(String groupId) {
        List<Bulletin> bulletins = new ArrayList<>();
        for (JsonNode entity : get("/flow/bulletin-board?groupId=" + groupId + "&limit=1000").path("bulletinBoard").path("bulletins")) {
            JsonNode bulletin = entity.path("bulletin");
            bulletins.add(new Bulletin(bulletin.path("level").asText(), bulletin.path("sourceName").asText(),
                    bulletin.path("sourceId").asText(), bulletin.path("message").asText()));
        }
        return bulletins;
    }

    /** Provenance events of one component (newest first, at most {@code maxResults}). */
    public List<ProvenanceEvent> provenance(String componentId, int maxResults, Duration timeout) {
        ObjectNode terms = NODES.objectNode();
        ObjectNode processorId = terms.putObject("ProcessorID");
        processorId.put("value", componentId);
        processorId.put("inverse", false);
        ObjectNode request = NODES.objectNode();
        request.put("maxResults", maxResults);
        request.put("summarize", true);
        request.put("incrementalResults", false);
        request.set("searchTerms", terms);
        ObjectNode body = NODES.objectNode();
        body.putObject("provenance").set("request", request);
        String id = post("/provenance", body).path("provenance").path("id").asText();
        JsonNode[] result = new JsonNode[1];
        await("provenance query " + id, timeout, () -> {
            result[0] = get("/provenance/" + id).path("provenance");
            return result[0].path("finished").asBoolean();
        });
        delete("/provenance/" + id);
        List<ProvenanceEvent> events = new ArrayList<>();
        for (JsonNode event : result[0].path("results").path("provenanceEvents")) {
            events.add(new ProvenanceEvent(event.path("eventType").asText(), event.path("componentId").asText(),
                    event.path("componentName").asText(), event.path("flowFileUuid").asText(),
                    event.path("details").asText(null), event.path("relationship").asText(null)));
        }
        return events;
    }

    /** A processor's status history (what NiFi keeps for the status charts). */
    public JsonNode processorStatusHistory(String processorId) {
        return get("/flow/processors/" + processorId + "/status/history").path("statusHistory");
    }

    // ------------------------------------------------------------------------------------------------------ http

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(1)).GET().build());
    }

    public JsonNode post(String path, JsonNode body) {
        return send(json(path).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    public JsonNode put(String path, JsonNode body) {
        return send(json(path).PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    public JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(1)).DELETE().build());
    }

    private HttpRequest.Builder json(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofMinutes(1))
                .header("Content-Type", "application/json");
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + request.method() + " " + request.uri(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new NifiException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        String body = response.body();
        if (body == null || body.isBlank()) {
            return NODES.objectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            // some calls answer plain text
            return NODES.textNode(body);
        }
    }

    // --------------------------------------------------------------------------------------------------- helpers

    /** Polls {@code condition} every 200 ms until it holds; throws after {@code timeout}, naming {@code what}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for " + what, e);
            }
        }
    }

    public static String urlEncode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static ObjectNode object(String... keysAndValues) {
        ObjectNode node = NODES.objectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return node;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
