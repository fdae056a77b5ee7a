/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.services;

import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.lifecycle.OnDisabled;
import org.apache.nifi.annotation.lifecycle.OnEnabled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

@Tags({"bisync", "sync", "replication", "topology", "database", "bidirectional"})
@CapabilityDescription("Describes a database sync: the systems taking part (each a dynamic property naming its "
        + "DBCP connection pool) and, in a JSON topology definition, each system's priority and each table's direction, "
        + "sync key, conflict strategy, fields, field owners and name mapping. Every bisync processor references this "
        + "service, so capture installs the triggers that conflict resolution and apply expect.")
@DynamicProperty(name = "A system id, as named in the topology definition",
        value = "The DBCP Connection Pool of that system's database",
        description = "Connects a system of the topology to its database.",
        expressionLanguageScope = ExpressionLanguageScope.NONE)
public class StandardSyncTopologyService extends AbstractControllerService implements SyncTopologyService {

    public static final PropertyDescriptor TOPOLOGY_DEFINITION = new PropertyDescriptor.Builder()
            .name("Topology Definition")
            .description("JSON describing the systems and tables: {\"systems\":[{\"id\":\"crm\",\"priority\":1},...], "
                    + "\"tables\":[{\"name\":\"customer\",\"direction\":\"TWO_WAY\",\"strategy\":\"LAST_WRITE_WINS\",...}], "
                    + "\"hub\": optional hub system id}. See the additional details for every key.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .expressionLanguageSupported(ExpressionLanguageScope.ENVIRONMENT)
            .build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(TOPOLOGY_DEFINITION);

    private volatile SyncTopology topology;
    private volatile Map<String, DBCPService> pools = Map.of();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(String propertyDescriptorName) {
        return new PropertyDescriptor.Builder()
                .name(propertyDescriptorName)
                .description("The DBCP Connection Pool of system '" + propertyDescriptorName + "'")
                .dynamic(true)
                .identifiesControllerService(DBCPService.class)
                .required(true)
                .build();
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> results = new ArrayList<>();
        String definition = context.getProperty(TOPOLOGY_DEFINITION).evaluateAttributeExpressions().getValue();
        if (definition == null) {
            return results;
        }
        SyncTopology parsed;
        try {
            parsed = new TopologyParser().parse(definition);
        } catch (IllegalArgumentException e) {
            results.add(invalid(TOPOLOGY_DEFINITION.getDisplayName(), e.getMessage()));
            return results;
        }
        Set<String> pooled = new TreeSet<>();
        context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).forEach(d -> pooled.add(d.getName()));
        for (SyncSystem system : parsed.systems()) {
            if (!pooled.contains(system.id())) {
                results.add(invalid(system.id(), "System '" + system.id() + "' has no connection pool: add a dynamic "
                        + "property named '" + system.id() + "' whose value is its DBCP Connection Pool"));
            }
        }
        for (String name : pooled) {
            if (parsed.findSystem(name).isEmpty()) {
                results.add(invalid(name, "Dynamic property '" + name + "' names no system of the topology definition"));
            }
        }
        return results;
    }

    private static ValidationResult invalid(String subject, String explanation) {
        return new ValidationResult.Builder().subject(subject).valid(false).explanation(explanation).build();
    }

    @OnEnabled
    public void onEnabled(ConfigurationContext context) {
        SyncTopology parsed = new TopologyParser().parse(context.getProperty(TOPOLOGY_DEFINITION).evaluateAttributeExpressions().getValue());
        Map<String, DBCPService> byId = new HashMap<>();
        context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).forEach(descriptor ->
                byId.put(descriptor.getName(), context.getProperty(descriptor).asControllerService(DBCPService.class)));
        pools = Map.copyOf(byId);
        topology = parsed;
    }

    @OnDisabled
    public void onDisabled() {
        topology = null;
        pools = Map.of();
    }

    @Override
    public SyncTopology getTopology() {
        SyncTopology current = topology;
        if (current == null) {
            throw new IllegalStateException("The sync topology service is not enabled");
        }
        return current;
    }

    @Override
    public DBCPService getConnectionPool(String systemId) {
        DBCPService pool = pools.get(systemId);
        if (pool == null) {
            throw new IllegalArgumentException("No connection pool for system '" + systemId + "'; configured: " + new TreeSet<>(pools.keySet()));
        }
        return pool;
    }
}
