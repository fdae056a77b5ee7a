/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.PrimaryNodeOnly;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.configuration.DefaultSchedule;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.bisync.nifi.purge.TombstonePurger;
import org.bisync.nifi.topology.SyncTopologyService;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

@Tags({"bisync", "sync", "tombstone", "delete", "purge", "cleanup"})
@CapabilityDescription("Removes the tombstones (version rows of deleted rows) of one system once they are causally stable: "
        + "every peer has decided the delete, and no change of the same key that a peer made before it saw the delete is "
        + "still on its way (the peers' history and the acknowledgements their targets write show what is). Never by "
        + "age: a peer that is down, a backlog, or a change parked in a retry, failure or conflict queue holds the "
        + "tombstone. Without this processor tombstones are kept, which is always safe.")
@InputRequirement(InputRequirement.Requirement.INPUT_FORBIDDEN)
@PrimaryNodeOnly
@TriggerSerially
@DefaultSchedule(period = "1 min")
@SeeAlso({CaptureTriggerHistory.class, ApplyBidirectionalChanges.class, ManageSyncTriggers.class})
public class PurgeTombstones extends AbstractProcessor {

    public static final PropertyDescriptor MAX_TOMBSTONES = new PropertyDescriptor.Builder()
            .name("Max Tombstones Per Table")
            .description("How many tombstones of one table are looked at per run.")
            .required(true).defaultValue("10000")
            .addValidator(StandardValidators.POSITIVE_INTEGER_VALIDATOR)
            .build();

    static final String COUNTER_PURGED = "Tombstones purged";
    static final String COUNTER_UNDECIDED = "Tombstones held: delete not decided at a peer";
    static final String COUNTER_IN_FLIGHT = "Tombstones held: older change on its way";

    private static final List<PropertyDescriptor> PROPERTIES = List.of(BisyncProperties.SYNC_TOPOLOGY, BisyncProperties.SOURCE_SYSTEM,
            MAX_TOMBSTONES);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of();
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> results = new ArrayList<>();
        TopologyValidation.checkSystem(context, BisyncProperties.SOURCE_SYSTEM, results);
        return results;
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        SyncTopologyService service = context.getProperty(BisyncProperties.SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        String systemId = context.getProperty(BisyncProperties.SOURCE_SYSTEM).getValue().trim();
        TombstonePurger purger = new TombstonePurger(service.getTopology(), systemId,
                id -> service.getConnectionPool(id).getConnection(), context.getProperty(MAX_TOMBSTONES).asInteger());
        TombstonePurger.Result result;
        try {
            result = purger.purgeAll();
        } catch (SQLException | IllegalStateException e) {
            throw new ProcessException("Cannot purge the tombstones of system '" + systemId + "': " + e.getMessage(), e);
        }
        session.adjustCounter(COUNTER_PURGED, result.purged(), false);
        session.adjustCounter(COUNTER_UNDECIDED, result.undecided(), false);
        session.adjustCounter(COUNTER_IN_FLIGHT, result.inFlight(), false);
        if (!result.notInstalled().isEmpty()) {
            getLogger().debug("System '{}': tables left alone until installed: {}", systemId, result.notInstalled());
        }
        if (result.tombstones() > 0) {
            getLogger().info("System '{}': purged {} of {} tombstones; held {} (delete not decided at a peer) and {} (an older "
                    + "change of the key is still on its way)", systemId, result.purged(), result.tombstones(), result.undecided(), result.inFlight());
        }
        if (result.purged() == 0) {
            context.yield();
        }
    }
}
