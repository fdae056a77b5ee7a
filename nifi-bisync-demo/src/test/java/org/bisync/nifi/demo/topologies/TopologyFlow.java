/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.apache.nifi.flow.Position;
import org.apache.nifi.flow.VersionedComponent;
import org.apache.nifi.flow.VersionedFunnel;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.templates.FlowBuilder;
import org.bisync.nifi.demo.templates.FlowBuilder.Property;
import org.bisync.nifi.demo.templates.Templates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A flow for the topology tests, built like the shipped templates (per direction
 * {@code Capture(A) -> PreventLoops(to B) -> ResolveConflicts(into B) -> Apply(B)}, loop, re-resolve and retry wired
 * back, conflicts and failures into funnels) but with the systems, topologies and directions a test needs. Several
 * topology services may exist (for example one per hop of a chain); each capture and direction names the one it uses.
 *
 * <p>Processor names: {@code Capture <system>}, {@code Prevent loops <from> -> <to>}, {@code Resolve conflicts <from> -> <to>},
 * {@code Apply into <to> (<from> -> <to>)}; conflicts are held behind connections named {@code Conflicts <from> -> <to>},
 * failures behind {@code Failed ...}.
 */
public final class TopologyFlow {

    private final FlowBuilder builder;
    private final List<String> systems;
    private final Map<String, String> topologyIds = new LinkedHashMap<>();
    private final Map<String, VersionedProcessor> captures = new LinkedHashMap<>();
    private final String readerId;
    private final String writerId;
    private final VersionedFunnel failed;
    private final Map<String, String> captureProperties = new LinkedHashMap<>();
    private int row;

    public TopologyFlow(String key, String... systems) {
        this.builder = new FlowBuilder(key, key, null, key);
        this.systems = List.of(systems);
        for (String system : systems) {
            builder.service("pool/" + system, system + " pool", Templates.DBCP_POOL, null, List.of(), List.of(), null);
        }
        readerId = builder.id("reader");
        builder.service("reader", "Reader", Templates.JSON_READER, null, List.of(), List.of(), null);
        writerId = builder.id("writer");
        builder.service("writer", "Writer", Templates.JSON_WRITER, null, List.of(), List.of(), null);
        failed = builder.funnel("failed", new Position(0, -400));
    }

    /** A topology service with this definition; every system's pool is bound to it. */
    public TopologyFlow topology(String name, String json) {
        List<Property> properties = new ArrayList<>();
        properties.add(Property.of("Topology Definition", json));
        for (String system : systems) {
            properties.add(Property.dynamicService(system, builder.id("pool/" + system)));
        }
        builder.service("topology/" + name, "Topology " + name, Templates.TOPOLOGY_SERVICE, null, List.of(), properties, null);
        topologyIds.put(name, builder.id("topology/" + name));
        return this;
    }

    /** A property every capture gets (e.g. "View Poll Interval"). */
    public TopologyFlow captureProperty(String name, String value) {
        captureProperties.put(name, value);
        return this;
    }

    /** The capture of a system, configured with the named topology. */
    public TopologyFlow capture(String system, String topology) {
        List<Property> properties = new ArrayList<>(List.of(
                Property.service("Sync Topology Service", topologyId(topology)),
                Property.of("System ID", system),
                Property.service("Record Writer", writerId),
                Property.of("Maintenance Interval", "1 sec")));
        captureProperties.forEach((name, value) -> properties.add(Property.of(name, value)));
        VersionedProcessor capture = builder.processor("capture/" + system, "Capture " + system, Templates.CAPTURE, null,
                properties, new Position(0, row++ * 400), null);
        builder.connect("Failed capture " + system, capture, Set.of("failure"), failed, 100_000L, "1 GB", null);
        captures.put(system, capture);
        return this;
    }

    /** One direction from a system's capture into another system, its processors configured with the named topology. */
    public TopologyFlow direction(String from, String to, String topology) {
        VersionedProcessor capture = captures.get(from);
        if (capture == null) {
            throw new IllegalArgumentException("No capture of " + from + " yet");
        }
        String arrow = from + " -> " + to;
        String service = topologyId(topology);
        double y = row++ * 400;
        VersionedProcessor loops = builder.processor("loops/" + arrow, "Prevent loops " + arrow, Templates.PREVENT_LOOPS, null,
                List.of(Property.service("Sync Topology Service", service), Property.of("Target System ID", to),
                        Property.service("Record Reader", readerId), Property.service("Record Writer", writerId),
                        Property.of("Max Updates Per Key", "20"), Property.of("Runaway Window", "1 sec")),
                new Position(500, y), null);
        VersionedProcessor resolve = builder.processor("resolve/" + arrow, "Resolve conflicts " + arrow, Templates.RESOLVE, null,
                List.of(Property.service("Sync Topology Service", service), Property.of("Target System ID", to),
                        Property.service("Record Reader", readerId), Property.service("Record Writer", writerId)),
                new Position(1000, y), null);
        VersionedProcessor apply = builder.processor("apply/" + arrow, "Apply into " + to + " (" + arrow + ")", Templates.APPLY, null,
                List.of(Property.service("Sync Topology Service", service), Property.of("Target System ID", to),
                        Property.service("Record Reader", readerId), Property.service("Record Writer", writerId)),
                new Position(1500, y), null);
        apply.getAutoTerminatedRelationships().add("success");
        builder.connect("Changes " + arrow, capture, Set.of("success"), loops, 10_000L, "1 GB", null);
        builder.connect("Parked runaway keys " + arrow, loops, Set.of("loop"), loops, 10_000L, "1 GB", null);
        builder.connect("To resolve " + arrow, loops, Set.of("success"), resolve, 10_000L, "1 GB", null);
        builder.connect("To apply " + arrow, resolve, Set.of("success"), apply, 10_000L, "1 GB", null);
        builder.connect("Re-resolve " + arrow, apply, Set.of("re-resolve"), resolve, 10_000L, "1 GB", null);
        builder.connect("Retry " + arrow, apply, Set.of("retry"), apply, 10_000L, "1 GB", null);
        VersionedFunnel conflicts = builder.funnel("conflicts/" + arrow, new Position(1000, y + 200));
        builder.connect("Conflicts " + arrow, resolve, Set.of("conflict"), conflicts, 100_000L, "1 GB", null);
        for (VersionedComponent source : List.of(loops, resolve, apply)) {
            builder.connect("Failed " + arrow, source, Set.of("failure"), failed, 100_000L, "1 GB", null);
        }
        return this;
    }

    public RegisteredFlowSnapshot build() {
        return builder.build();
    }

    private String topologyId(String name) {
        String id = topologyIds.get(name);
        if (id == null) {
            throw new IllegalArgumentException("No topology '" + name + "'");
        }
        return id;
    }

    public static String prevent(String from, String to) {
        return "Prevent loops " + from + " -> " + to;
    }

    public static String apply(String from, String to) {
        return "Apply into " + to + " (" + from + " -> " + to + ")";
    }
}
