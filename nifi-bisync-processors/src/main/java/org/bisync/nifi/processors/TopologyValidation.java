/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.PropertyValue;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before a processor starts, that what its properties name is part of its sync topology. The topology is known
 * only while its service is enabled; until then nothing is checked here (the processor checks again when scheduled).
 */
final class TopologyValidation {

    private TopologyValidation() {
    }

    /** The topology of the processor's Sync Topology Service, when the service is enabled. */
    static Optional<SyncTopology> enabledTopology(ValidationContext context) {
        PropertyValue service = context.getProperty(BisyncProperties.SYNC_TOPOLOGY);
        if (!service.isSet() || !context.getControllerServiceLookup().isControllerServiceEnabled(service.getValue())) {
            return Optional.empty();
        }
        try {
            return Optional.of(service.asControllerService(SyncTopologyService.class).getTopology());
        } catch (IllegalStateException | IllegalArgumentException e) {
            return Optional.empty(); // disabled meanwhile, or not a topology service: the property's own validation says so
        }
    }

    /** Adds a result when {@code property} (trimmed) names no system of the topology. */
    static void checkSystem(ValidationContext context, PropertyDescriptor property, Collection<ValidationResult> results) {
        String value = context.getProperty(property).getValue();
        Optional<SyncTopology> topology = enabledTopology(context);
        if (value == null || value.isBlank() || topology.isEmpty()) {
            return;
        }
        List<String> systems = topology.get().systems().stream().map(SyncSystem::id).toList();
        if (!systems.contains(value.trim())) {
            results.add(new ValidationResult.Builder().subject(property.getDisplayName()).input(value).valid(false)
                    .explanation(property.getDisplayName() + " '" + value + "' is not a system of the sync topology; its systems: " + systems)
                    .build());
        }
    }

    /** Adds a result when {@code property}, a comma-separated list of canonical table names, names a table not in the topology. */
    static void checkTables(ValidationContext context, PropertyDescriptor property, Collection<ValidationResult> results) {
        String value = context.getProperty(property).getValue();
        Optional<SyncTopology> topology = enabledTopology(context);
        if (value == null || value.isBlank() || topology.isEmpty()) {
            return;
        }
        List<String> unknown = Arrays.stream(value.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                .filter(name -> topology.get().table(name).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            results.add(new ValidationResult.Builder().subject(property.getDisplayName()).input(value).valid(false)
                    .explanation(property.getDisplayName() + " names " + unknown + ", not tables of the sync topology; its tables: "
                            + topology.get().tables().stream().map(TableSettings::name).toList())
                    .build());
        }
    }
}
