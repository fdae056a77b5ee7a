/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.templates;

import org.apache.nifi.flow.Bundle;
import org.apache.nifi.flow.ComponentType;
import org.apache.nifi.flow.ConnectableComponent;
import org.apache.nifi.flow.ConnectableComponentType;
import org.apache.nifi.flow.ControllerServiceAPI;
import org.apache.nifi.flow.ExecutionEngine;
import org.apache.nifi.flow.Position;
import org.apache.nifi.flow.ScheduledState;
import org.apache.nifi.flow.VersionedComponent;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedFunnel;
import org.apache.nifi.flow.VersionedLabel;
import org.apache.nifi.flow.VersionedParameter;
import org.apache.nifi.flow.VersionedParameterContext;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.flow.VersionedPropertyDescriptor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Builds one NiFi 2 flow definition (a process group with its parameter context) from NiFi's own flow model classes.
 * Identifiers are name-based UUIDs of the template name and the component's name, so the same template always
 * produces the same file. Collections keep insertion order, which is the order of the file.
 */
public final class FlowBuilder {

    /** One property: its value and whether it references a controller service, is sensitive or is dynamic. */
    public record Property(String name, String value, boolean service, boolean sensitive, boolean dynamic) {
        public static Property of(String name, String value) {
            return new Property(name, value, false, false, false);
        }

        public static Property service(String name, String serviceId) {
            return new Property(name, serviceId, true, false, false);
        }

        public static Property sensitive(String name, String value) {
            return new Property(name, value, false, true, false);
        }

        public static Property dynamicService(String name, String serviceId) {
            return new Property(name, serviceId, true, false, true);
        }
    }

    private final String templateKey;
    private final VersionedProcessGroup group = new VersionedProcessGroup();
    private final VersionedParameterContext parameterContext = new VersionedParameterContext();

    public FlowBuilder(String templateKey, String groupName, String comments, String parameterContextName) {
        this.templateKey = templateKey;
        group.setIdentifier(id("group"));
        group.setName(groupName);
        group.setComments(comments);
        group.setPosition(new Position(0, 0));
        group.setComponentType(ComponentType.PROCESS_GROUP);
        group.setProcessors(new LinkedHashSet<>());
        group.setConnections(new LinkedHashSet<>());
        group.setFunnels(new LinkedHashSet<>());
        group.setLabels(new LinkedHashSet<>());
        group.setControllerServices(new LinkedHashSet<>());
        group.setInputPorts(new LinkedHashSet<>());
        group.setOutputPorts(new LinkedHashSet<>());
        group.setProcessGroups(new LinkedHashSet<>());
        group.setRemoteProcessGroups(new LinkedHashSet<>());
        group.setParameterContextName(parameterContextName);
        group.setFlowFileConcurrency("UNBOUNDED");
        group.setFlowFileOutboundPolicy("STREAM_WHEN_AVAILABLE");
        // an expired FlowFile is a lost change
        group.setDefaultFlowFileExpiration("0 sec");
        group.setDefaultBackPressureObjectThreshold(10_000L);
        group.setDefaultBackPressureDataSizeThreshold("1 GB");
        group.setExecutionEngine(ExecutionEngine.STANDARD);
        group.setScheduledState(ScheduledState.ENABLED);
        group.setMaxConcurrentTasks(1);
        group.setStatelessFlowTimeout("1 min");

        parameterContext.setIdentifier(id("parameter-context"));
        parameterContext.setName(parameterContextName);
        parameterContext.setComponentType(ComponentType.PARAMETER_CONTEXT);
        parameterContext.setParameters(new LinkedHashSet<>());
        parameterContext.setInheritedParameterContexts(new ArrayList<>());
    }

    public String id(String localName) {
        return UUID.nameUUIDFromBytes((templateKey + "/" + localName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public void describeParameters(String description) {
        parameterContext.setDescription(description);
    }

    /** A parameter; a sensitive one never carries a value. Returns the reference {@code #{name}}. */
    public String parameter(String name, String description, String value, boolean sensitive) {
        VersionedParameter parameter = new VersionedParameter();
        parameter.setName(name);
        parameter.setDescription(description);
        parameter.setSensitive(sensitive);
        parameter.setProvided(false);
        parameter.setValue(sensitive ? null : value);
        parameter.setReferencedAssets(new ArrayList<>());
        parameterContext.getParameters().add(parameter);
        return "#{" + name + "}";
    }

    public VersionedControllerService service(String localName, String name, String type, Bundle bundle, List<ControllerServiceAPI> apis,
                                       List<Property> properties, String comments) {
        VersionedControllerService service = new VersionedControllerService();
        init(service, localName, name, comments, null);
        service.setComponentType(ComponentType.CONTROLLER_SERVICE);
        service.setType(type);
        service.setBundle(bundle);
        service.setControllerServiceApis(apis);
        applyProperties(properties, service::setProperties, service::setPropertyDescriptors);
        service.setScheduledState(ScheduledState.DISABLED);
        service.setBulletinLevel("WARN");
        group.getControllerServices().add(service);
        return service;
    }

    public VersionedProcessor processor(String localName, String name, String type, Bundle bundle, List<Property> properties,
                                 Position position, String comments) {
        VersionedProcessor processor = new VersionedProcessor();
        init(processor, localName, name, comments, position);
        processor.setComponentType(ComponentType.PROCESSOR);
        processor.setType(type);
        processor.setBundle(bundle);
        applyProperties(properties, processor::setProperties, processor::setPropertyDescriptors);
        processor.setStyle(new LinkedHashMap<>());
        processor.setSchedulingStrategy("TIMER_DRIVEN");
        processor.setSchedulingPeriod("0 sec");
        processor.setExecutionNode("ALL");
        // a penalized FlowFile waits this long before it is tried again (NiFi's default, 30 s, stalls a transient error)
        processor.setPenaltyDuration("1 sec");
        processor.setYieldDuration("1 sec");
        processor.setBulletinLevel("WARN");
        processor.setRunDurationMillis(0L);
        processor.setConcurrentlySchedulableTaskCount(1);
        processor.setAutoTerminatedRelationships(new LinkedHashSet<>());
        processor.setRetriedRelationships(new LinkedHashSet<>());
        processor.setRetryCount(10);
        processor.setBackoffMechanism("PENALIZE_FLOWFILE");
        processor.setMaxBackoffPeriod("10 mins");
        processor.setScheduledState(ScheduledState.ENABLED);
        group.getProcessors().add(processor);
        return processor;
    }

    public VersionedFunnel funnel(String localName, Position position) {
        VersionedFunnel funnel = new VersionedFunnel();
        init(funnel, localName, null, null, position);
        funnel.setComponentType(ComponentType.FUNNEL);
        group.getFunnels().add(funnel);
        return funnel;
    }

    public VersionedLabel label(String localName, String text, Position position, double width, double height, String color) {
        VersionedLabel label = new VersionedLabel();
        init(label, localName, null, null, position);
        label.setComponentType(ComponentType.LABEL);
        label.setLabel(text);
        label.setWidth(width);
        label.setHeight(height);
        label.setzIndex(0L);
        Map<String, String> style = new LinkedHashMap<>();
        style.put("background-color", color);
        style.put("font-size", "14px");
        label.setStyle(style);
        group.getLabels().add(label);
        return label;
    }

    /** A connection; a self-loop gets two bends so it is visible on the canvas. */
    public VersionedConnection connect(String name, VersionedComponent source, Set<String> relationships, VersionedComponent destination,
                                long objectThreshold, String sizeThreshold, String partitionAttribute) {
        return connect(name, source, relationships, destination, objectThreshold, sizeThreshold, partitionAttribute, null);
    }

    /**
     * A connection drawn through {@code bends} (its label sits on the first); null bends: straight, or for a
     * self-loop two bends to the right of the processor.
     */
    public VersionedConnection connect(String name, VersionedComponent source, Set<String> relationships, VersionedComponent destination,
                                       long objectThreshold, String sizeThreshold, String partitionAttribute, List<Position> bends) {
        VersionedConnection connection = new VersionedConnection();
        init(connection, "connection/" + source.getName() + "/" + String.join(",", relationships) + "/" + destination.getIdentifier(),
                name, null, null);
        connection.setComponentType(ComponentType.CONNECTION);
        connection.setSource(endpoint(source));
        connection.setDestination(endpoint(destination));
        connection.setSelectedRelationships(new LinkedHashSet<>(relationships));
        connection.setBackPressureObjectThreshold(objectThreshold);
        connection.setBackPressureDataSizeThreshold(sizeThreshold);
        connection.setFlowFileExpiration("0 sec");
        connection.setPrioritizers(new ArrayList<>());
        connection.setzIndex(0L);
        List<Position> drawn = new ArrayList<>();
        if (bends != null) {
            drawn.addAll(bends);
            connection.setLabelIndex(0);
        } else {
            connection.setLabelIndex(1);
            if (source == destination) {
                Position at = source.getPosition();
                drawn.add(new Position(at.getX() + 420, at.getY() - 40));
                drawn.add(new Position(at.getX() + 420, at.getY() + 120));
            }
        }
        connection.setBends(drawn);
        if (partitionAttribute == null) {
            connection.setLoadBalanceStrategy("DO_NOT_LOAD_BALANCE");
        } else {
            connection.setLoadBalanceStrategy("PARTITION_BY_ATTRIBUTE");
            connection.setPartitioningAttribute(partitionAttribute);
        }
        connection.setLoadBalanceCompression("DO_NOT_COMPRESS");
        group.getConnections().add(connection);
        return connection;
    }

    /**
     * The box {minX, minY, maxX, maxY} the group's components take on the canvas: processors (352x128 in NiFi 2's
     * UI), funnels (48x48), labels, and connection labels (about 240x90) around their bends.
     */
    public double[] extent() {
        double[] box = {Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        group.getProcessors().forEach(p -> include(box, p.getPosition().getX(), p.getPosition().getY(), 352, 128));
        group.getFunnels().forEach(f -> include(box, f.getPosition().getX(), f.getPosition().getY(), 48, 48));
        group.getLabels().forEach(l -> include(box, l.getPosition().getX(), l.getPosition().getY(), l.getWidth(), l.getHeight()));
        group.getConnections().forEach(c -> c.getBends().forEach(b -> include(box, b.getX() - 120, b.getY() - 45, 240, 90)));
        return box;
    }

    private static void include(double[] box, double x, double y, double width, double height) {
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x + width);
        box[3] = Math.max(box[3], y + height);
    }

    public RegisteredFlowSnapshot build() {
        RegisteredFlowSnapshot snapshot = new RegisteredFlowSnapshot();
        snapshot.setFlowContents(group);
        snapshot.setExternalControllerServices(new LinkedHashMap<>());
        Map<String, VersionedParameterContext> contexts = new LinkedHashMap<>();
        contexts.put(parameterContext.getName(), parameterContext);
        snapshot.setParameterContexts(contexts);
        snapshot.setParameterProviders(new LinkedHashMap<>());
        snapshot.setFlowEncodingVersion("1.0");
        snapshot.setLatest(false);
        return snapshot;
    }

    private ConnectableComponent endpoint(VersionedComponent component) {
        ConnectableComponent endpoint = new ConnectableComponent();
        endpoint.setId(component.getIdentifier());
        endpoint.setGroupId(group.getIdentifier());
        endpoint.setName(component.getName() == null ? "Funnel" : component.getName());
        endpoint.setType(switch (component.getComponentType()) {
            case PROCESSOR -> ConnectableComponentType.PROCESSOR;
            case FUNNEL -> ConnectableComponentType.FUNNEL;
            default -> throw new IllegalArgumentException("Cannot connect a " + component.getComponentType());
        });
        return endpoint;
    }

    private void init(VersionedComponent component, String localName, String name, String comments, Position position) {
        component.setIdentifier(id(localName));
        component.setGroupIdentifier(group.getIdentifier());
        component.setName(name);
        component.setComments(comments);
        component.setPosition(position == null ? new Position(0, 0) : position);
    }

    private static void applyProperties(List<Property> properties, java.util.function.Consumer<Map<String, String>> values,
                                        java.util.function.Consumer<Map<String, VersionedPropertyDescriptor>> descriptors) {
        Map<String, String> valueMap = new LinkedHashMap<>();
        Map<String, VersionedPropertyDescriptor> descriptorMap = new LinkedHashMap<>();
        for (Property property : properties) {
            valueMap.put(property.name(), property.value());
            VersionedPropertyDescriptor descriptor = new VersionedPropertyDescriptor();
            descriptor.setName(property.name());
            descriptor.setDisplayName(property.name());
            descriptor.setIdentifiesControllerService(property.service());
            descriptor.setSensitive(property.sensitive());
            descriptor.setDynamic(property.dynamic());
            descriptorMap.put(property.name(), descriptor);
        }
        values.accept(valueMap);
        descriptors.accept(descriptorMap);
    }

    public static Bundle bundle(String group, String artifact, String version) {
        return new Bundle(group, artifact, version);
    }

    public static ControllerServiceAPI api(String type, Bundle bundle) {
        ControllerServiceAPI api = new ControllerServiceAPI();
        api.setType(type);
        api.setBundle(bundle);
        return api;
    }
}
