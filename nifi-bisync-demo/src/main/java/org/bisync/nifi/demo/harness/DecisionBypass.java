package org.bisync.nifi.demo.harness;

import org.apache.nifi.flow.ConnectableComponent;
import org.apache.nifi.flow.VersionedConnection;
import org.apache.nifi.flow.VersionedProcessGroup;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.templates.TemplateGenerator;
import org.bisync.nifi.demo.templates.Templates;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A template's flow without PreventLoops and ResolveConflicts, for as long as those processors are not on the
 * classpath: capture feeds ApplyBidirectionalChanges directly. Apply then applies undecided changes by "greater
 * version wins" in SQL, which is enough for last-write-wins tables to converge; no conflicts are held for review and no
 * runaway keys are parked.
 */
public final class DecisionBypass {

    private DecisionBypass() {
    }

    /** True when every processor type of the flow can be loaded. */
    public static boolean allProcessorsAvailable(RegisteredFlowSnapshot snapshot) {
        for (VersionedProcessor processor : snapshot.getFlowContents().getProcessors()) {
            try {
                Class.forName(processor.getType());
            } catch (ClassNotFoundException e) {
                return false;
            }
        }
        return true;
    }

    /** The template as is when all its processors exist, else a copy with the decision stages bypassed. */
    public static RegisteredFlowSnapshot runnable(RegisteredFlowSnapshot template) {
        return allProcessorsAvailable(template) ? template : bypass(template);
    }

    /** A copy of the flow in which connections into PreventLoops go to the Apply of the same target. */
    public static RegisteredFlowSnapshot bypass(RegisteredFlowSnapshot template) {
        RegisteredFlowSnapshot copy;
        try {
            copy = TemplateGenerator.READER.readValue(TemplateGenerator.toJson(template), RegisteredFlowSnapshot.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        VersionedProcessGroup group = copy.getFlowContents();
        Set<String> removed = new HashSet<>();
        Map<String, String> targetOf = new HashMap<>();
        Map<String, VersionedProcessor> applyByTarget = new HashMap<>();
        for (VersionedProcessor processor : group.getProcessors()) {
            String target = processor.getProperties().get("Target System ID");
            targetOf.put(processor.getIdentifier(), target);
            if (processor.getType().equals(Templates.PREVENT_LOOPS) || processor.getType().equals(Templates.RESOLVE)) {
                removed.add(processor.getIdentifier());
            } else if (processor.getType().equals(Templates.APPLY)) {
                applyByTarget.put(target, processor);
            }
        }
        group.getProcessors().removeIf(p -> removed.contains(p.getIdentifier()));
        for (Iterator<VersionedConnection> it = group.getConnections().iterator(); it.hasNext(); ) {
            VersionedConnection connection = it.next();
            boolean fromRemoved = removed.contains(connection.getSource().getId());
            boolean toRemoved = removed.contains(connection.getDestination().getId());
            if (fromRemoved) {
                it.remove();
            } else if (toRemoved) {
                VersionedProcessor apply = applyByTarget.get(targetOf.get(connection.getDestination().getId()));
                ConnectableComponent destination = new ConnectableComponent();
                destination.setId(apply.getIdentifier());
                destination.setGroupId(group.getIdentifier());
                destination.setName(apply.getName());
                destination.setType(connection.getDestination().getType());
                connection.setDestination(destination);
            }
        }
        group.setName(group.getName() + " (decision stages bypassed)");
        return copy;
    }
}
