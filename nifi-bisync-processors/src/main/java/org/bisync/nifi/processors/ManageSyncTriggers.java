/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.TriggerSerially;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;
import org.bisync.nifi.capture.TriggerInstaller;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

@Tags({"bisync", "sync", "trigger", "install", "uninstall", "ddl", "dba"})
@CapabilityDescription("Installs, removes, or writes for a DBA's review the objects nifi-bisync needs in one system's "
        + "database: the shared bisync tables, and per synced table a version table and triggers. Generate SQL writes "
        + "the DDL and grants as a FlowFile instead of running them. Uninstall is the one explicit way to remove "
        + "everything nifi-bisync created (and nothing else); capture never removes anything when it stops. Runs once "
        + "per incoming FlowFile, or on its schedule when it has no incoming connection.")
@InputRequirement(InputRequirement.Requirement.INPUT_ALLOWED)
@TriggerSerially
@WritesAttributes({
        @WritesAttribute(attribute = "bisync.action", description = "The action performed"),
        @WritesAttribute(attribute = BisyncAttributes.SOURCE_SYSTEM, description = "The system whose database was addressed"),
        @WritesAttribute(attribute = BisyncAttributes.MIME_TYPE, description = "text/plain (an SQL script)"),
        @WritesAttribute(attribute = BisyncAttributes.REASON, description = "On failure: what went wrong")
})
@SeeAlso({CaptureTriggerHistory.class, PurgeTombstones.class})
public class ManageSyncTriggers extends AbstractProcessor {

    static final AllowableValue GENERATE_INSTALL = new AllowableValue("Generate Install SQL", "Generate Install SQL",
            "Writes the installation DDL and the grants the NiFi user needs, without touching the database's objects.");
    static final AllowableValue GENERATE_UNINSTALL = new AllowableValue("Generate Uninstall SQL", "Generate Uninstall SQL",
            "Writes the statements that would remove everything nifi-bisync created.");
    static final AllowableValue INSTALL = new AllowableValue("Install", "Install",
            "Creates what is missing and rebuilds what is outdated or has a trigger dropped or disabled; leaves current "
                    + "installations alone.");
    static final AllowableValue UNINSTALL = new AllowableValue("Uninstall", "Uninstall",
            "Removes the triggers and version tables of every configured table and the shared bisync tables, including "
                    + "unread history: stop capture and let it drain first.");

    public static final PropertyDescriptor SYNC_TOPOLOGY = BisyncProperties.SYNC_TOPOLOGY;
    public static final PropertyDescriptor SYSTEM_ID = BisyncProperties.SOURCE_SYSTEM;
    public static final PropertyDescriptor ACTION = new PropertyDescriptor.Builder()
            .name("Action")
            .description("What to do with the system's database.")
            .required(true).allowableValues(GENERATE_INSTALL, GENERATE_UNINSTALL, INSTALL, UNINSTALL)
            .defaultValue(GENERATE_INSTALL.getValue())
            .build();
    public static final PropertyDescriptor DATABASE_USER = new PropertyDescriptor.Builder()
            .name("NiFi Database User")
            .description("The database user NiFi connects as, named in the generated GRANT statements.")
            .required(true).defaultValue("nifi")
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    public static final Relationship SUCCESS = new Relationship.Builder().name("success")
            .description("The SQL script that was generated or run.").build();
    public static final Relationship FAILURE = new Relationship.Builder().name("failure")
            .description("The incoming FlowFile (or a new one) when the action failed, with the reason in bisync.reason.").build();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return List.of(SYNC_TOPOLOGY, SYSTEM_ID, ACTION, DATABASE_USER);
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(SUCCESS, FAILURE);
    }

    @Override
    protected Collection<ValidationResult> customValidate(ValidationContext context) {
        List<ValidationResult> results = new ArrayList<>();
        TopologyValidation.checkSystem(context, SYSTEM_ID, results);
        return results;
    }

    @Override
    public void onTrigger(ProcessContext context, ProcessSession session) throws ProcessException {
        FlowFile input = null;
        if (context.hasIncomingConnection()) {
            input = session.get();
            if (input == null) {
                return;
            }
        }
        SyncTopologyService service = context.getProperty(SYNC_TOPOLOGY).asControllerService(SyncTopologyService.class);
        String systemId = context.getProperty(SYSTEM_ID).getValue();
        String action = context.getProperty(ACTION).getValue();
        FlowFile output = input == null ? session.create() : input;
        output = session.putAttribute(output, "bisync.action", action);
        output = session.putAttribute(output, BisyncAttributes.SOURCE_SYSTEM, systemId);
        try (Connection connection = service.getConnectionPool(systemId).getConnection()) {
            String script = perform(connection, service.getTopology(), systemId, action, context.getProperty(DATABASE_USER).getValue());
            output = session.write(output, out -> out.write(script.getBytes(StandardCharsets.UTF_8)));
            output = session.putAttribute(output, BisyncAttributes.MIME_TYPE, "text/plain");
            session.getProvenanceReporter().modifyContent(output, action + " for system " + systemId);
            session.transfer(output, SUCCESS);
        } catch (SQLException | RuntimeException e) {
            getLogger().error("{} for system {} failed", action, systemId, e);
            output = session.putAttribute(output, BisyncAttributes.REASON, String.valueOf(e.getMessage()));
            session.transfer(session.penalize(output), FAILURE);
        }
        if (input == null) {
            context.yield();
        }
    }

    private String perform(Connection connection, SyncTopology topology, String systemId, String action, String user) throws SQLException {
        topology.system(systemId);
        Dialect dialect = Dialects.forConnection(connection);
        TriggerInstaller installer = new TriggerInstaller(dialect);
        List<String> localNames = topology.tables().stream().filter(t -> !isViewSource(t, systemId)).map(t -> t.localName(systemId)).toList();
        if (GENERATE_UNINSTALL.getValue().equals(action)) {
            return installer.generateUninstallScript(localNames);
        }
        if (UNINSTALL.getValue().equals(action)) {
            installer.uninstall(connection, localNames, true);
            return installer.generateUninstallScript(localNames);
        }
        List<SyncedTable> tables = resolve(connection, topology, systemId, dialect);
        if (INSTALL.getValue().equals(action)) {
            installer.install(connection, tables, CaptureTriggerHistory.nowMicros());
        }
        return installer.generateInstallScript(tables, user);
    }

    private static List<SyncedTable> resolve(Connection connection, SyncTopology topology, String systemId, Dialect dialect) throws SQLException {
        SyncedTableResolver resolver = new SyncedTableResolver(dialect, topology);
        List<SyncedTable> tables = new ArrayList<>();
        for (TableSettings settings : topology.tables()) {
            if (!isViewSource(settings, systemId)) {
                tables.add(resolver.resolve(connection, settings, systemId));
            }
        }
        return tables;
    }

    /**
     * Whether the table is, in this system, a view polled as a one-way source (no triggers, no version table). In the
     * systems it flows to, a view's rows land in an ordinary table, which needs its version table like any other.
     */
    static boolean isViewSource(TableSettings settings, String systemId) {
        return settings.isView() && settings.flowsFrom(systemId);
    }
}
