/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One of our templates uploaded into a NiFi as a process group: its parameters filled, its services enabled, checked
 * valid, started; {@link #close()} removes it with its parameter context (uploading a template again reuses a context
 * of the same name, so a test leaves none behind).
 */
public final class FlowDeployment implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final NifiClient nifi;
    private final String groupId;
    private final String contextId;

    private FlowDeployment(NifiClient nifi, String groupId, String contextId) {
        this.nifi = nifi;
        this.groupId = groupId;
        this.contextId = contextId;
    }

    /**
     * Uploads {@code template} under the root group and sets {@code parameters} of its context ({@code sensitive}
     * names are set as sensitive).
     */
    public static FlowDeployment upload(NifiClient nifi, Path template, String groupName, double x, double y,
                                        Map<String, String> parameters, Set<String> sensitive) {
        String groupId = nifi.uploadFlow(nifi.rootGroupId(), groupName, x, y, template);
        String contextId = nifi.parameterContextId(groupId);
        FlowDeployment deployment = new FlowDeployment(nifi, groupId, contextId);
        if (!parameters.isEmpty()) {
            nifi.setParameters(contextId, parameters, sensitive, TIMEOUT);
        }
        return deployment;
    }

    /** Enables the services and fails, naming each one and its errors, when a component is not valid. */
    public void enableAndValidate() {
        nifi.enableServices(groupId, TIMEOUT);
        // validation runs in the background after the services are enabled
        AtomicReference<List<String>> invalid = new AtomicReference<>(List.of());
        try {
            NifiClient.await("every component valid", Duration.ofSeconds(30), () -> {
                invalid.set(nifi.invalidComponents(groupId));
                return invalid.get().isEmpty();
            });
        } catch (IllegalStateException e) {
            throw new IllegalStateException("Invalid components in " + groupId + ":\n  " + String.join("\n  ", invalid.get()), e);
        }
    }

    public void start() {
        nifi.startGroup(groupId);
    }

    public void stop() {
        nifi.stopGroup(groupId, TIMEOUT);
    }

    public String groupId() {
        return groupId;
    }

    public String contextId() {
        return contextId;
    }

    public NifiClient nifi() {
        return nifi;
    }

    /** Processor ids by name. */
    public Map<String, String> processorIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        for (JsonNode processor : nifi.processors(groupId)) {
            ids.put(processor.path("component").path("name").asText(), processor.path("id").asText());
        }
        return ids;
    }

    public String processorId(String name) {
        String id = processorIds().get(name);
        if (id == null) {
            throw new IllegalArgumentException("No processor '" + name + "' in the group; it has " + processorIds().keySet());
        }
        return id;
    }

    @Override
    public void close() {
        nifi.deleteGroup(groupId, TIMEOUT);
        if (contextId != null) {
            nifi.deleteParameterContext(contextId);
        }
    }
}
