/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration errors a processor reports before it can start (customValidate), naming the property and the value,
 * and the {@code @SeeAlso} links between the processors of a sync. The database is never connected to: the topology
 * service only names a pool per system.
 */
class ProcessorConfigurationTest {

    private static final String TOPOLOGY = """
            {"systems": [{"id": "A"}, {"id": "B"}],
             "tables": [{"name": "customer"}]}""";

    static Stream<Arguments> systemProperties() {
        return Stream.of(
                Arguments.of(CaptureTriggerHistory.class, CaptureTriggerHistory.SYSTEM_ID),
                Arguments.of(PreventLoops.class, PreventLoops.TARGET_SYSTEM),
                Arguments.of(ResolveConflicts.class, ResolveConflicts.TARGET_SYSTEM),
                Arguments.of(ApplyBidirectionalChanges.class, BisyncProperties.TARGET_SYSTEM),
                Arguments.of(ManageSyncTriggers.class, ManageSyncTriggers.SYSTEM_ID),
                Arguments.of(PurgeTombstones.class, BisyncProperties.SOURCE_SYSTEM),
                Arguments.of(AuditSyncConsistency.class, AuditSyncConsistency.REFERENCE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systemProperties")
    void anUnknownSystemIsInvalidBeforeStartNamingThePropertyAndTheValue(Class<? extends Processor> processor,
                                                                           PropertyDescriptor property) throws Exception {
        TestRunner runner = runner(processor);
        runner.setProperty(property, "Z");

        List<ValidationResult> about = resultsAbout(runner, property);
        assertEquals(1, about.size(), about.toString());
        ValidationResult result = about.get(0);
        assertFalse(result.isValid());
        assertEquals("Z", result.getInput());
        assertTrue(result.getExplanation().contains(property.getDisplayName() + " 'Z' is not a system of the sync topology"),
                result.getExplanation());
        assertTrue(result.getExplanation().contains("[A, B]"), "it lists the systems there are: " + result.getExplanation());
        runner.assertNotValid();

        runner.setProperty(property, "B");
        assertEquals(List.of(), resultsAbout(runner, property), "a system of the topology is accepted");
    }

    @Test
    void anAuditOfATableOutsideTheTopologyIsInvalidNamingTheTable() throws Exception {
        TestRunner runner = runner(AuditSyncConsistency.class);
        runner.setProperty(AuditSyncConsistency.TABLES, "customer, invoice");

        List<ValidationResult> about = resultsAbout(runner, AuditSyncConsistency.TABLES);
        assertEquals(1, about.size(), about.toString());
        assertEquals("customer, invoice", about.get(0).getInput());
        assertTrue(about.get(0).getExplanation().contains("Tables names [invoice], not tables of the sync topology; its tables: [customer]"),
                about.get(0).getExplanation());

        runner.setProperty(AuditSyncConsistency.TABLES, "customer");
        assertEquals(List.of(), resultsAbout(runner, AuditSyncConsistency.TABLES));
    }

    @Test
    void eachProcessorLinksTheProcessorsBesideItInTheFlow() {
        assertEquals(List.of(PreventLoops.class, ResolveConflicts.class, ApplyBidirectionalChanges.class, ManageSyncTriggers.class,
                PurgeTombstones.class), seeAlso(CaptureTriggerHistory.class));
        assertEquals(List.of(CaptureTriggerHistory.class, ResolveConflicts.class, ApplyBidirectionalChanges.class), seeAlso(PreventLoops.class));
        assertEquals(List.of(PreventLoops.class, ApplyBidirectionalChanges.class, AuditSyncConsistency.class), seeAlso(ResolveConflicts.class));
        assertEquals(List.of(ResolveConflicts.class, CaptureTriggerHistory.class, PurgeTombstones.class, AuditSyncConsistency.class),
                seeAlso(ApplyBidirectionalChanges.class));
        assertEquals(List.of(CaptureTriggerHistory.class, PurgeTombstones.class), seeAlso(ManageSyncTriggers.class));
        assertEquals(List.of(CaptureTriggerHistory.class, ApplyBidirectionalChanges.class, ManageSyncTriggers.class),
                seeAlso(PurgeTombstones.class));
        assertEquals(List.of(ResolveConflicts.class, ApplyBidirectionalChanges.class, CaptureTriggerHistory.class),
                seeAlso(AuditSyncConsistency.class));
    }

    private static List<Class<?>> seeAlso(Class<?> processor) {
        SeeAlso links = processor.getAnnotation(SeeAlso.class);
        return links == null ? List.of() : Arrays.asList(links.value());
    }

    /** A runner whose other properties are valid: customValidate runs only once every property is. */
    private static TestRunner runner(Class<? extends Processor> processor) throws Exception {
        DataSource database = TestEngine.SQLITE.freshDatabase("config_validation");
        TestRunner runner = BisyncRunners.withTopology(TestRunners.newTestRunner(processor), TOPOLOGY, Map.of("A", database, "B", database));
        List<PropertyDescriptor> supported = runner.getProcessor().getPropertyDescriptors();
        if (supported.contains(BisyncProperties.RECORD_READER)) {
            JsonRecordReaderService reader = new JsonRecordReaderService();
            runner.addControllerService("reader", reader);
            runner.enableControllerService(reader);
            runner.setProperty(BisyncProperties.RECORD_READER, "reader");
        }
        if (supported.contains(BisyncProperties.RECORD_WRITER)) {
            JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
            runner.addControllerService("writer", writer);
            runner.enableControllerService(writer);
            runner.setProperty(BisyncProperties.RECORD_WRITER, "writer");
        }
        for (PropertyDescriptor system : List.of(BisyncProperties.TARGET_SYSTEM, BisyncProperties.SOURCE_SYSTEM)) {
            if (supported.contains(system)) {
                runner.setProperty(system, "A");
            }
        }
        return runner;
    }

    private static List<ValidationResult> resultsAbout(TestRunner runner, PropertyDescriptor property) {
        Collection<ValidationResult> results = ((MockProcessContext) runner.getProcessContext()).validate();
        return results.stream().filter(r -> property.getDisplayName().equals(r.getSubject())).toList();
    }
}
