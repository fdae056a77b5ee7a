/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.templates;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.flow.VersionedComponent;
import org.apache.nifi.flow.VersionedConfigurableExtension;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedParameter;
import org.apache.nifi.flow.VersionedParameterContext;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks each committed template against the generator and against the real processors and services. */
class TemplateTest {

    private static final Pattern PARAMETER_REFERENCE = Pattern.compile("#\\{([^}]+)}");

    static Stream<String> templates() {
        return Templates.all().keySet().stream();
    }

    private static Path templatesDir() {
        return Path.of(System.getProperty("bisync.templates.dir", "../templates"));
    }

    private static String committed(String file) throws Exception {
        return Files.readString(templatesDir().resolve(file), StandardCharsets.UTF_8);
    }

    private static RegisteredFlowSnapshot parse(String file) throws Exception {
        return TemplateGenerator.STRICT_READER.readValue(committed(file), RegisteredFlowSnapshot.class);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void committedFileIsTheGeneratorsOutput(String file) throws Exception {
        assertEquals(TemplateGenerator.render().get(file), committed(file),
                file + " differs from TemplateGenerator's output: run ./mvnw -q -pl nifi-bisync-demo -Ptemplates process-classes");
    }

    @ParameterizedTest
    @MethodSource("templates")
    void parsesStrictlyAsAFlowDefinitionWithOneGroupAndItsParameterContext(String file) throws Exception {
        RegisteredFlowSnapshot snapshot = parse(file);
        assertEquals("1.0", snapshot.getFlowEncodingVersion());
        VersionedProcessGroup group = snapshot.getFlowContents();
        assertNotNull(group);
        assertEquals(Set.of(group.getParameterContextName()), snapshot.getParameterContexts().keySet());
        assertFalse(group.getProcessors().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyPropertySetOnOurComponentsIsOneTheyDeclareAndEveryRequiredOneIsSet(String file) throws Exception {
        VersionedProcessGroup group = parse(file).getFlowContents();
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        for (VersionedProcessor processor : group.getProcessors()) {
            if (!available(processor.getType(), missing)) {
                continue;
            }
            Map<String, PropertyDescriptor> supported = supportedProperties(processor.getType());
            for (String name : processor.getProperties().keySet()) {
                if (!supported.containsKey(name)) {
                    problems.add(processor.getName() + ": no property '" + name + "' in " + supported.keySet());
                }
            }
            for (PropertyDescriptor descriptor : supported.values()) {
                if (descriptor.isRequired() && descriptor.getDefaultValue() == null && descriptor.getDependencies().isEmpty()
                        && !processor.getProperties().containsKey(descriptor.getName())) {
                    problems.add(processor.getName() + ": required property '" + descriptor.getName() + "' is not set");
                }
            }
        }
        for (VersionedControllerService service : group.getControllerServices()) {
            if (!service.getType().startsWith("org.bisync.")) {
                continue;
            }
            Map<String, PropertyDescriptor> supported = supportedServiceProperties(service.getType());
            for (String name : service.getProperties().keySet()) {
                boolean dynamic = service.getPropertyDescriptors().get(name).isDynamic();
                if (!dynamic && !supported.containsKey(name)) {
                    problems.add(service.getName() + ": no property '" + name + "' in " + supported.keySet());
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(missing.isEmpty(), "processors named by the template but not in nifi-bisync-processors: " + missing);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyRelationshipOfOurProcessorsIsConnectedOrAutoTerminated(String file) throws Exception {
        VersionedProcessGroup group = parse(file).getFlowContents();
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        for (VersionedProcessor processor : group.getProcessors()) {
            if (!available(processor.getType(), missing)) {
                continue;
            }
            Set<String> handled = new HashSet<>(processor.getAutoTerminatedRelationships());
            for (VersionedConnection connection : group.getConnections()) {
                if (connection.getSource().getId().equals(processor.getIdentifier())) {
                    handled.addAll(connection.getSelectedRelationships());
                }
            }
            Set<String> declared = relationships(processor.getType());
            for (String relationship : declared) {
                if (!handled.contains(relationship)) {
                    problems.add(processor.getName() + ": relationship '" + relationship + "' goes nowhere");
                }
            }
            for (String relationship : handled) {
                if (!declared.contains(relationship)) {
                    problems.add(processor.getName() + ": '" + relationship + "' is not one of its relationships " + declared);
                }
            }
            for (String retried : processor.getRetriedRelationships()) {
                assertTrue(declared.contains(retried), processor.getName() + " retries unknown relationship " + retried);
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(missing.isEmpty(), "processors named by the template but not in nifi-bisync-processors: " + missing);
    }

    /**
     * Capture yields when a poll found nothing new; the next poll then waits for the Yield Duration rather than the Run
     * Schedule, so a change made just after an idle poll would wait NiFi's default of 1 s instead of 200 ms.
     */
    @ParameterizedTest
    @MethodSource("templates")
    void captureAfterAnIdlePollWaitsNoLongerThanItsRunSchedule(String file) throws Exception {
        VersionedProcessGroup group = parse(file).getFlowContents();
        List<VersionedProcessor> captures = group.getProcessors().stream().filter(p -> p.getType().equals(Templates.CAPTURE)).toList();
        assertFalse(captures.isEmpty(), file);
        for (VersionedProcessor capture : captures) {
            assertEquals(capture.getSchedulingPeriod(), capture.getYieldDuration(), capture.getName());
        }
    }

    @ParameterizedTest
    @MethodSource("templates")
    void loopReResolveAndRetryAreWiredBackAndConflictsAndFailuresAreHeldVisibly(String file) throws Exception {
        VersionedProcessGroup group = parse(file).getFlowContents();
        Map<String, VersionedProcessor> byId = group.getProcessors().stream()
                .collect(Collectors.toMap(VersionedComponent::getIdentifier, p -> p));
        for (VersionedConnection connection : group.getConnections()) {
            VersionedProcessor source = byId.get(connection.getSource().getId());
            VersionedProcessor destination = byId.get(connection.getDestination().getId());
            Set<String> relationships = connection.getSelectedRelationships();
            if (relationships.contains("loop")) {
                assertEquals(Templates.PREVENT_LOOPS, destination.getType(), connection.getName());
            }
            if (relationships.contains("re-resolve")) {
                assertEquals(Templates.RESOLVE, destination.getType(), connection.getName());
            }
            if (relationships.contains("retry")) {
                assertEquals(source, destination, connection.getName());
                // the processor counts its retries and backs off itself; a framework retry would hide its count
                assertTrue(source.getRetriedRelationships().isEmpty(), source.getName() + " leaves retries to the processor");
            }
            if (relationships.contains("conflict") || relationships.contains("failure")) {
                assertEquals("FUNNEL", connection.getDestination().getType().name(), connection.getName());
                assertTrue(connection.getName().startsWith("Conflicts for review: ") || connection.getName().contains("ail"),
                        connection.getName());
            }
            assertEquals("0 sec", connection.getFlowFileExpiration(), connection.getName() + " expires FlowFiles");
            assertEquals(backPressure(source, destination),
                    connection.getBackPressureObjectThreshold() + " / " + connection.getBackPressureDataSizeThreshold(), connection.getName());
        }
        long conflictLabels = group.getLabels().stream().filter(l -> l.getLabel().startsWith("Conflicts for review: ")).count();
        long resolvers = group.getProcessors().stream().filter(p -> p.getType().equals(Templates.RESOLVE)).count();
        assertEquals(resolvers, conflictLabels);
        assertTrue(group.getLabels().stream().anyMatch(l -> l.getLabel().startsWith("Failed changes")));
        for (VersionedProcessor processor : group.getProcessors()) {
            // a transient error or a parked key is tried again within about a second, not after NiFi's default 30 s
            assertEquals("1 sec", processor.getPenaltyDuration(), processor.getName());
            if (processor.getType().equals(Templates.CAPTURE)) {
                assertEquals("PRIMARY", processor.getExecutionNode());
                assertEquals("200 millis", processor.getSchedulingPeriod());
            }
            if (processor.getType().equals(Templates.APPLY)) {
                assertEquals(Set.of("success"), processor.getAutoTerminatedRelationships());
            }
        }
    }

    /**
     * A queue between processors holds at most 10,000 FlowFiles or 1 GB, so that back pressure soon reaches capture; the
     * queues that hold changes for a person hold more, install failures (one per start) and the audit's reports and repairs fewer.
     */
    private static String backPressure(VersionedProcessor source, VersionedProcessor destination) {
        if (destination != null) {
            return "10000 / 1 GB";
        }
        return switch (source.getType()) {
            case Templates.AUDIT -> "1000 / 1 GB";
            case Templates.CAPTURE -> "100000 / 1 GB";
            case Templates.MANAGE -> "100 / 1 GB";
            default -> "100000 / 10 GB";
        };
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyReferencedControllerServiceExistsInTheGroup(String file) throws Exception {
        VersionedProcessGroup group = parse(file).getFlowContents();
        Set<String> serviceIds = group.getControllerServices().stream().map(VersionedComponent::getIdentifier).collect(Collectors.toSet());
        List<VersionedConfigurableExtension> components = new ArrayList<>(group.getProcessors());
        components.addAll(group.getControllerServices());
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        int references = 0;
        for (VersionedConfigurableExtension component : components) {
            Map<String, PropertyDescriptor> real = component.getType().startsWith("org.bisync.") && available(component.getType(), missing)
                    ? (component instanceof VersionedProcessor ? supportedProperties(component.getType()) : supportedServiceProperties(component.getType()))
                    : Map.of();
            for (Map.Entry<String, String> property : component.getProperties().entrySet()) {
                boolean declaredService = component.getPropertyDescriptors().get(property.getKey()).getIdentifiesControllerService();
                PropertyDescriptor descriptor = real.get(property.getKey());
                if (descriptor != null && (descriptor.getControllerServiceDefinition() != null) != declaredService) {
                    problems.add(component.getName() + "." + property.getKey() + ": descriptor disagrees on being a service reference");
                }
                if (declaredService) {
                    references++;
                    if (!serviceIds.contains(property.getValue())) {
                        problems.add(component.getName() + "." + property.getKey() + " names missing service " + property.getValue());
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(references >= group.getProcessors().size(), "every processor names at least the topology service: " + references);
        assertTrue(missing.isEmpty(), "our components named by the template but missing from the build: " + missing);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyParameterReferencedExistsAndSensitiveOnesShipWithoutValue(String file) throws Exception {
        RegisteredFlowSnapshot snapshot = parse(file);
        VersionedProcessGroup group = snapshot.getFlowContents();
        VersionedParameterContext context = snapshot.getParameterContexts().get(group.getParameterContextName());
        Map<String, VersionedParameter> parameters = context.getParameters().stream()
                .collect(Collectors.toMap(VersionedParameter::getName, p -> p));
        List<VersionedConfigurableExtension> components = new ArrayList<>(group.getProcessors());
        components.addAll(group.getControllerServices());
        Set<String> referenced = new TreeSet<>();
        for (VersionedConfigurableExtension component : components) {
            for (Map.Entry<String, String> property : component.getProperties().entrySet()) {
                Matcher matcher = PARAMETER_REFERENCE.matcher(property.getValue());
                while (matcher.find()) {
                    referenced.add(matcher.group(1));
                    VersionedParameter parameter = parameters.get(matcher.group(1));
                    assertNotNull(parameter, component.getName() + "." + property.getKey() + " references unknown parameter " + matcher.group(1));
                    boolean sensitiveProperty = component.getPropertyDescriptors().get(property.getKey()).isSensitive();
                    assertEquals(sensitiveProperty, parameter.isSensitive(),
                            "sensitive properties take sensitive parameters only, and the reverse: " + property.getKey());
                }
            }
        }
        assertEquals(parameters.keySet(), referenced, "every parameter is used");
        for (VersionedParameter parameter : parameters.values()) {
            if (parameter.isSensitive()) {
                assertNull(parameter.getValue(), parameter.getName() + " ships a secret");
            }
        }
        assertTrue(parameters.values().stream().anyMatch(VersionedParameter::isSensitive), "passwords are sensitive parameters");
        assertTrue(parameters.keySet().stream().anyMatch(n -> n.endsWith("JDBC Driver Location")));
    }

    /**
     * Resolve and apply need the target's version tables, which capture installs in the systems it reads. A system
     * that nothing captures (the target of a one-way sync) must get them from a ManageSyncTriggers that installs when
     * the group starts: Action Install, no incoming connection, run on its schedule.
     */
    @ParameterizedTest
    @MethodSource("templates")
    void everySystemOfTheTopologyIsCapturedOrInstalledByAManageSyncTriggersOfThatSystem(String file) throws Exception {
        RegisteredFlowSnapshot snapshot = parse(file);
        VersionedProcessGroup group = snapshot.getFlowContents();
        String topology = snapshot.getParameterContexts().get(group.getParameterContextName()).getParameters().stream()
                .filter(p -> p.getName().equals("Sync Topology Definition")).findFirst().orElseThrow().getValue();
        Set<String> systems = new TreeSet<>();
        new ObjectMapper().readTree(topology).get("systems").forEach(system -> systems.add(system.get("id").asText()));
        assertFalse(systems.isEmpty());

        Set<String> captured = new TreeSet<>();
        Set<String> installed = new TreeSet<>();
        for (VersionedProcessor processor : group.getProcessors()) {
            String system = processor.getProperties().get("System ID");
            if (processor.getType().equals(Templates.CAPTURE)) {
                captured.add(system);
            }
            if (processor.getType().equals(Templates.MANAGE)) {
                assertEquals("Install", processor.getProperties().get("Action"), processor.getName());
                assertTrue(group.getConnections().stream().noneMatch(c -> c.getDestination().getId().equals(processor.getIdentifier())),
                        processor.getName() + " has no incoming connection, so it runs on its schedule");
                assertEquals("TIMER_DRIVEN", processor.getSchedulingStrategy(), processor.getName());
                assertEquals("1 day", processor.getSchedulingPeriod(), processor.getName() + " runs at start, then rarely");
                assertEquals("PRIMARY", processor.getExecutionNode(), processor.getName() + " runs its DDL on one node");
                assertEquals(Set.of("success"), processor.getAutoTerminatedRelationships(), processor.getName());
                installed.add(system);
            }
        }
        for (String system : systems) {
            assertTrue(captured.contains(system) || installed.contains(system),
                    "system '" + system + "' is neither captured " + captured + " nor installed " + installed);
            assertFalse(captured.contains(system) && installed.contains(system), "system '" + system + "' is installed twice");
        }
        assertEquals(systems, new TreeSet<>(union(captured, installed)), "every capture and install names a system of the topology");
        for (VersionedProcessor processor : group.getProcessors()) {
            String target = processor.getProperties().get("Target System ID");
            if (target != null) {
                assertTrue(systems.contains(target), processor.getName() + " targets unknown system " + target);
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** Whether the class exists; when not, it is noted, and the test ends as skipped after checking the rest. */
    private static boolean available(String type, Set<String> missing) {
        try {
            Class.forName(type);
            return true;
        } catch (ClassNotFoundException e) {
            missing.add(type);
            return false;
        }
    }

    private static Map<String, PropertyDescriptor> supportedProperties(String type) throws Exception {
        Class<? extends Processor> processorClass = Class.forName(type).asSubclass(Processor.class);
        TestRunner runner = TestRunners.newTestRunner(processorClass);
        return runner.getProcessor().getPropertyDescriptors().stream()
                .collect(Collectors.toMap(PropertyDescriptor::getName, d -> d));
    }

    private static Map<String, PropertyDescriptor> supportedServiceProperties(String type) throws Exception {
        ControllerService service = Class.forName(type).asSubclass(ControllerService.class).getDeclaredConstructor().newInstance();
        return service.getPropertyDescriptors().stream().collect(Collectors.toMap(PropertyDescriptor::getName, d -> d));
    }

    private static Set<String> relationships(String type) throws Exception {
        Class<? extends Processor> processorClass = Class.forName(type).asSubclass(Processor.class);
        TestRunner runner = TestRunners.newTestRunner(processorClass);
        return runner.getProcessor().getRelationships().stream().map(Relationship::getName).collect(Collectors.toSet());
    }
}
