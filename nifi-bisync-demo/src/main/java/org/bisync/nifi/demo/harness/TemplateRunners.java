/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedParameter;
import org.apache.nifi.flow.VersionedParameterContext;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.flow.VersionedPropertyDescriptor;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.demo.templates.Templates;
import org.bisync.nifi.processors.TimerClockAware;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.TestDbcpService;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loading: makes the nifi-mock runner of each processor of a template, configured with the template's properties
 * (parameters substituted) and the harness's overrides, with test stand-ins only for NiFi's own services
 * (DBCPConnectionPool becomes a {@link TestDbcpService} over the system's embedded database, the JSON reader and writer
 * the test-support JSON services that carry the schema in an attribute).
 */
final class TemplateRunners {

    private static final Pattern PARAMETER = Pattern.compile("#\\{([^}]+)}");

    private final RegisteredFlowSnapshot snapshot;
    private final Map<String, String> parameters;
    private final Map<String, String> poolSystems;
    private final Map<String, DataSource> dataSources;
    private final Map<String, Map<String, String>> processorProperties;

    /** The harness's clock, given to every processor's timers. */
    private final LongSupplier timerClock;

    TemplateRunners(RegisteredFlowSnapshot snapshot, Map<String, String> givenParameters, Map<String, DataSource> dataSources,
                    Map<String, Map<String, String>> processorProperties, LongSupplier timerClock) {
        this.snapshot = snapshot;
        this.timerClock = timerClock;
        this.parameters = parameters(snapshot, givenParameters);
        this.poolSystems = poolSystems(snapshot.getFlowContents());
        this.dataSources = dataSources;
        this.processorProperties = processorProperties;
    }

    private static Map<String, String> parameters(RegisteredFlowSnapshot snapshot, Map<String, String> given) {
        Map<String, String> values = new HashMap<>();
        String contextName = snapshot.getFlowContents().getParameterContextName();
        VersionedParameterContext context = contextName == null ? null : snapshot.getParameterContexts().get(contextName);
        if (context != null) {
            for (VersionedParameter parameter : context.getParameters()) {
                if (parameter.getValue() != null) {
                    values.put(parameter.getName(), parameter.getValue());
                }
            }
        }
        values.putAll(given);
        return values;
    }

    private static String substitute(String value, Map<String, String> parameters) {
        if (value == null) {
            return null;
        }
        Matcher matcher = PARAMETER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = parameters.get(matcher.group(1));
            if (replacement == null) {
                throw new IllegalArgumentException("No value for parameter #{" + matcher.group(1) + "}");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Pool service id to system id, from the dynamic properties of the topology service. */
    private static Map<String, String> poolSystems(VersionedProcessGroup group) {
        Map<String, String> systems = new HashMap<>();
        for (VersionedControllerService service : group.getControllerServices()) {
            service.getPropertyDescriptors().forEach((name, descriptor) -> {
                if (descriptor.isDynamic() && descriptor.getIdentifiesControllerService()) {
                    systems.put(service.getProperties().get(name), name);
                }
            });
        }
        return systems;
    }

    /** A runner for the processor as the template and the builder's overrides configure it (a fresh instance). */
    TestRunner newRunner(VersionedProcessor processor, boolean source) {
        TestRunner runner = runner(processor, snapshot.getFlowContents(), parameters, poolSystems);
        processorProperties.getOrDefault(processor.getName(), Map.of()).forEach(runner::setProperty);
        if (source) {
            runner.setIncomingConnection(false); // e.g. ManageSyncTriggers runs on its schedule only without one
        }
        if (runner.getProcessor() instanceof TimerClockAware timed) {
            timed.setTimerClock(timerClock);
        }
        return runner;
    }

    private TestRunner runner(VersionedProcessor processor, VersionedProcessGroup group, Map<String, String> parameters,
                              Map<String, String> poolSystems) {
        Class<? extends Processor> type;
        try {
            type = Class.forName(processor.getType()).asSubclass(Processor.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Processor " + processor.getName() + " has type " + processor.getType()
                    + ", which is not on the classpath", e);
        }
        TestRunner runner = TestRunners.newTestRunner(type);
        // services without service references first, so a service is enabled after those it uses
        List<VersionedControllerService> services = new ArrayList<>(group.getControllerServices());
        services.sort((a, b) -> {
            int byDependency = Boolean.compare(referencesServices(a), referencesServices(b));
            return byDependency != 0 ? byDependency : a.getIdentifier().compareTo(b.getIdentifier());
        });
        try {
            for (VersionedControllerService definition : services) {
                ControllerService service = standIn(definition, poolSystems, dataSources);
                runner.addControllerService(definition.getIdentifier(), service);
                if (definition.getType().startsWith("org.bisync.")) {
                    for (Map.Entry<String, String> property : definition.getProperties().entrySet()) {
                        runner.setProperty(service, property.getKey(), substitute(property.getValue(), parameters));
                    }
                }
                runner.enableControllerService(service);
            }
        } catch (InitializationException e) {
            throw new IllegalStateException("Cannot set up the services of " + processor.getName(), e);
        }
        for (Map.Entry<String, String> property : processor.getProperties().entrySet()) {
            runner.setProperty(property.getKey(), substitute(property.getValue(), parameters));
        }
        return runner;
    }

    private static boolean referencesServices(VersionedControllerService service) {
        return service.getPropertyDescriptors().values().stream().anyMatch(VersionedPropertyDescriptor::getIdentifiesControllerService);
    }

    private static ControllerService standIn(VersionedControllerService definition, Map<String, String> poolSystems,
                                             Map<String, DataSource> dataSources) {
        switch (definition.getType()) {
            case Templates.DBCP_POOL -> {
                String system = poolSystems.get(definition.getIdentifier());
                DataSource dataSource = dataSources.get(system);
                if (dataSource == null) {
                    throw new IllegalArgumentException("No DataSource given for system '" + system + "' (pool " + definition.getName() + ")");
                }
                return new TestDbcpService(dataSource);
            }
            case Templates.JSON_READER -> {
                return new JsonRecordReaderService();
            }
            case Templates.JSON_WRITER -> {
                return new JsonRecordSetWriterService();
            }
            default -> {
                if (!definition.getType().startsWith("org.bisync.")) {
                    throw new IllegalArgumentException("No stand-in for NiFi service " + definition.getType());
                }
                try {
                    return Class.forName(definition.getType()).asSubclass(ControllerService.class).getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("Cannot create service " + definition.getType(), e);
                }
            }
        }
    }
}
