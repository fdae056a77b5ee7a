/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.ScheduledState;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.templates.TemplateGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loading: the template as the harness runs it. One {@link ProcessorNode} per enabled processor, in name order, with the
 * runner {@link TemplateRunners} makes for it (services included); the connections, in identifier order; and a list of
 * held FlowFiles per funnel, named after its first incoming connection.
 */
final class LoadedFlow {

    private final Map<String, ProcessorNode> nodes = new LinkedHashMap<>();
    private final List<VersionedConnection> connections;
    private final Map<String, List<QueuedFlowFile>> funnels = new LinkedHashMap<>();
    private final Map<String, String> funnelNames = new HashMap<>();

    private LoadedFlow(VersionedProcessGroup group, TemplateRunners runners) {
        this.connections = new ArrayList<>(group.getConnections());
        connections.sort((a, b) -> a.getIdentifier().compareTo(b.getIdentifier()));
        List<VersionedProcessor> processors = new ArrayList<>(group.getProcessors());
        processors.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (VersionedProcessor processor : processors) {
            if (processor.getScheduledState() == ScheduledState.DISABLED) {
                continue; // as in NiFi: a disabled processor does not run when the group starts
            }
            String target = processor.getProperties().get("Target System ID");
            boolean source = group.getConnections().stream().noneMatch(c -> c.getDestination().getId().equals(processor.getIdentifier()));
            nodes.put(processor.getIdentifier(), new ProcessorNode(processor, runners.newRunner(processor, source), target, source));
        }
        group.getFunnels().forEach(f -> funnels.put(f.getIdentifier(), new ArrayList<>()));
        for (VersionedConnection connection : connections) {
            if (funnels.containsKey(connection.getDestination().getId())) {
                funnelNames.merge(connection.getDestination().getId(), connection.getName(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
    }

    static LoadedFlow load(RegisteredFlowSnapshot snapshot, TemplateRunners runners) {
        return new LoadedFlow(snapshot.getFlowContents(), runners);
    }

    /** A template file, as {@code templates/} holds them. */
    static RegisteredFlowSnapshot read(Path template) {
        try {
            return TemplateGenerator.READER.readValue(Files.readString(template), RegisteredFlowSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read template " + template, e);
        }
    }

    /** The processors, in name order (the order they run in a round). */
    Collection<ProcessorNode> nodes() {
        return nodes.values();
    }

    /** The processor with this identifier, or null when it is not one (a funnel, or disabled). */
    ProcessorNode node(String identifier) {
        return nodes.get(identifier);
    }

    ProcessorNode byName(String name) {
        return nodes.values().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No processor named '" + name + "'; there are " + processorNames()));
    }

    List<String> processorNames() {
        return nodes.values().stream().map(ProcessorNode::name).toList();
    }

    /** Connections in identifier order (the order a FlowFile is routed along them). */
    List<VersionedConnection> connections() {
        return connections;
    }

    /** What the funnel with this identifier holds, or null when there is no such funnel. */
    List<QueuedFlowFile> funnel(String identifier) {
        return funnels.get(identifier);
    }

    /** FlowFiles held in funnels whose first incoming connection's name starts with the prefix. */
    List<QueuedFlowFile> held(String connectionNamePrefix) {
        List<QueuedFlowFile> held = new ArrayList<>();
        funnels.forEach((id, items) -> {
            if (funnelNames.getOrDefault(id, "").startsWith(connectionNamePrefix)) {
                held.addAll(items);
            }
        });
        return held;
    }

    /** FlowFiles waiting anywhere except in the funnels. */
    int queued() {
        int total = 0;
        for (ProcessorNode node : nodes.values()) {
            total += node.queued();
        }
        return total;
    }
}
