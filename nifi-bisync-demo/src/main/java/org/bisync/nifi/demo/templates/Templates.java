/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.templates;

import org.apache.nifi.flow.Bundle;
import org.apache.nifi.flow.Position;
import org.apache.nifi.flow.VersionedControllerService;
import org.apache.nifi.flow.VersionedFunnel;
import org.apache.nifi.flow.VersionedProcessor;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;
import org.bisync.nifi.demo.templates.FlowBuilder.Property;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The flow definitions shipped in {@code templates/}: per direction
 * {@code CaptureTriggerHistory(A) -> PreventLoops(to B) -> ResolveConflicts(into B) -> ApplyBidirectionalChanges(B)},
 * with {@code loop}, {@code re-resolve} and {@code retry} wired back, conflicts and failures held in visible, labelled
 * queues, NiFi's DBCPConnectionPool and JSON record services, and every connection setting a parameter. A system
 * that is only written to (the target of a one-way sync) has no capture to install its bisync tables, version tables
 * and triggers, so it gets a {@code ManageSyncTriggers} with Action Install that runs when the group starts.
 */
public final class Templates {

    public static final String CAPTURE = "org.bisync.nifi.processors.CaptureTriggerHistory";
    public static final String PREVENT_LOOPS = "org.bisync.nifi.processors.PreventLoops";
    public static final String RESOLVE = "org.bisync.nifi.processors.ResolveConflicts";
    public static final String APPLY = "org.bisync.nifi.processors.ApplyBidirectionalChanges";
    public static final String MANAGE = "org.bisync.nifi.processors.ManageSyncTriggers";
    public static final String PURGE = "org.bisync.nifi.processors.PurgeTombstones";
    public static final String AUDIT = "org.bisync.nifi.processors.AuditSyncConsistency";
    public static final String TOPOLOGY_SERVICE = "org.bisync.nifi.services.StandardSyncTopologyService";
    public static final String DBCP_POOL = "org.apache.nifi.dbcp.DBCPConnectionPool";
    public static final String JSON_READER = "org.apache.nifi.json.JsonTreeReader";
    public static final String JSON_WRITER = "org.apache.nifi.json.JsonRecordSetWriter";

    /** Timestamps keep their microseconds through the JSON services (the engines store microseconds). */
    public static final String TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss.SSSSSS";

    /** The file names under templates/, each with the template that produces it. */
    public static Map<String, RegisteredFlowSnapshot> all() {
        Map<String, RegisteredFlowSnapshot> all = new LinkedHashMap<>();
        all.put("two-way-postgresql-mariadb.json", twoWayPostgresqlMariadb());
        all.put("one-way-postgresql-to-mariadb.json", oneWayPostgresqlToMariadb());
        all.put("hub-and-spoke-three-systems.json", hubAndSpokeThreeSystems());
        return all;
    }

    /** An engine a system runs on: how NiFi's DBCPConnectionPool reaches it. */
    public enum Engine {
        POSTGRESQL("PostgreSQL", "org.postgresql.Driver", "jdbc:postgresql://localhost:5432/shop",
                "/opt/nifi/drivers/postgresql-42.7.8.jar", true),
        MARIADB("MariaDB", "org.mariadb.jdbc.Driver", "jdbc:mariadb://localhost:3306/shop",
                "/opt/nifi/drivers/mariadb-java-client-3.5.6.jar", true),
        SQLITE("SQLite", "org.sqlite.JDBC", "jdbc:sqlite:/var/lib/shop/shop.db",
                "/opt/nifi/drivers/sqlite-jdbc-3.50.3.0.jar", false);

        final String label;
        final String driverClass;
        final String exampleUrl;
        final String exampleDriverLocation;
        final boolean hasUser;

        Engine(String label, String driverClass, String exampleUrl, String exampleDriverLocation, boolean hasUser) {
            this.label = label;
            this.driverClass = driverClass;
            this.exampleUrl = exampleUrl;
            this.exampleDriverLocation = exampleDriverLocation;
            this.hasUser = hasUser;
        }
    }

    /** A system of a template: its topology id, the name its parameters and components carry, its engine. */
    public record SystemSpec(String id, String title, Engine engine, int priority) {
    }

    private static final SystemSpec POSTGRESQL = new SystemSpec("postgresql", "PostgreSQL", Engine.POSTGRESQL, 1);
    private static final SystemSpec MARIADB = new SystemSpec("mariadb", "MariaDB", Engine.MARIADB, 2);
    private static final SystemSpec SQLITE = new SystemSpec("sqlite", "SQLite", Engine.SQLITE, 3);

    /** The sample table every template syncs (the demo creates it). */
    public static final String SAMPLE_TABLE_NOTE = "customer (id BIGINT PRIMARY KEY, name, email, balance DECIMAL(12,2), "
            + "updated_at TIMESTAMP(6), touch_count INT); touch_count is bumped by a local trigger and never synced";

    static RegisteredFlowSnapshot twoWayPostgresqlMariadb() {
        String topology = topology(List.of(POSTGRESQL, MARIADB), null, """
                {"name": "customer", "direction": "TWO_WAY", "strategy": "LAST_WRITE_WINS", "exclude": ["touch_count"]}""");
        Flow flow = new Flow("two-way-postgresql-mariadb", "Two-way sync: PostgreSQL <-> MariaDB",
                "Keeps the customer table identical in PostgreSQL and MariaDB while both are written to. Each direction is "
                        + "CaptureTriggerHistory -> PreventLoops -> ResolveConflicts -> ApplyBidirectionalChanges. Fill in the "
                        + "parameters (passwords and JDBC driver locations), enable the services, start the group.",
                "bisync two-way PostgreSQL-MariaDB", List.of(POSTGRESQL, MARIADB), topology);
        VersionedProcessor capturePg = flow.capture(POSTGRESQL, 0);
        VersionedProcessor captureMaria = flow.capture(MARIADB, 1);
        flow.direction(capturePg, POSTGRESQL, MARIADB, 0);
        flow.direction(captureMaria, MARIADB, POSTGRESQL, 1);
        flow.purge(POSTGRESQL);
        flow.purge(MARIADB);
        flow.audit();
        return flow.build();
    }

    static RegisteredFlowSnapshot oneWayPostgresqlToMariadb() {
        String topology = topology(List.of(POSTGRESQL, MARIADB), null, """
                {"name": "customer", "direction": "ONE_WAY", "source": "postgresql", "strategy": "LAST_WRITE_WINS", "exclude": ["touch_count"]}""");
        Flow flow = new Flow("one-way-postgresql-to-mariadb", "One-way sync: PostgreSQL -> MariaDB",
                "Copies every change of the customer table from PostgreSQL into MariaDB. MariaDB edits of synced rows are "
                        + "not sent back; a later PostgreSQL edit wins over them. MariaDB has no capture, so 'Install nifi-bisync "
                        + "in MariaDB' (ManageSyncTriggers) installs its bisync tables, version table and triggers when the "
                        + "group starts. Fill in the parameters, enable the services, start the group.",
                "bisync one-way PostgreSQL-MariaDB", List.of(POSTGRESQL, MARIADB), topology);
        VersionedProcessor capturePg = flow.capture(POSTGRESQL, 0);
        flow.direction(capturePg, POSTGRESQL, MARIADB, 0);
        // MariaDB is only written to: nothing captures it, so nothing else would install what resolve and apply need there
        flow.install(MARIADB);
        flow.purge(POSTGRESQL);
        flow.purge(MARIADB);
        flow.audit();
        return flow.build();
    }

    static RegisteredFlowSnapshot hubAndSpokeThreeSystems() {
        String topology = topology(List.of(POSTGRESQL, MARIADB, SQLITE), POSTGRESQL.id(), """
                {"name": "customer", "direction": "TWO_WAY", "strategy": "LAST_WRITE_WINS", "exclude": ["touch_count"]}""");
        Flow flow = new Flow("hub-and-spoke-three-systems", "Hub and spoke: PostgreSQL hub, MariaDB and SQLite spokes",
                "Each spoke syncs with the PostgreSQL hub in both directions; the hub's applier forwards a spoke's change "
                        + "to the other spoke (CaptureTriggerHistory of the hub emits it). Each spoke has its own queues, sized "
                        + "so that one spoke down for a day does not stop the other. Fill in the parameters, enable the "
                        + "services, start the group.",
                "bisync hub-and-spoke PostgreSQL-MariaDB-SQLite", List.of(POSTGRESQL, MARIADB, SQLITE), topology);
        // the hub's two outgoing rows first, both fed by its capture, then the spokes' rows into the hub
        VersionedProcessor captureHub = flow.capture(POSTGRESQL, 0);
        VersionedProcessor captureMaria = flow.capture(MARIADB, 2);
        VersionedProcessor captureSqlite = flow.capture(SQLITE, 3);
        flow.direction(captureHub, POSTGRESQL, MARIADB, 0);
        flow.direction(captureHub, POSTGRESQL, SQLITE, 1);
        flow.direction(captureMaria, MARIADB, POSTGRESQL, 2);
        flow.direction(captureSqlite, SQLITE, POSTGRESQL, 3);
        flow.purge(POSTGRESQL);
        flow.purge(MARIADB);
        flow.purge(SQLITE);
        flow.audit();
        return flow.build();
    }

    private static String topology(List<SystemSpec> systems, String hub, String table) {
        StringBuilder json = new StringBuilder("{\n  \"systems\": [");
        for (int i = 0; i < systems.size(); i++) {
            json.append(i == 0 ? "\n" : ",\n").append("    {\"id\": \"").append(systems.get(i).id())
                    .append("\", \"priority\": ").append(systems.get(i).priority()).append('}');
        }
        json.append("\n  ],\n");
        if (hub != null) {
            json.append("  \"hub\": \"").append(hub).append("\",\n");
        }
        json.append("  \"tables\": [\n    ").append(table).append("\n  ]\n}");
        return json.toString();
    }

    /**
     * Builds one template: services, parameters, then one row per direction read left to right (capture, loop
     * prevention, conflict resolution, apply), each processor's failure and review queues in funnels right under it,
     * and a last row with each system's maintenance (PurgeTombstones, ManageSyncTriggers). Each connection pool is sized
     * for every task that may hold one of its connections at once.
     */
    private static final class Flow {
        private static final double LEFT = 0;
        /** Top of the first row: room for the first row's loop-backs above it. */
        private static final double TOP = 200;
        private static final double COLUMN = 640;
        private static final double ROW = 580;
        /**
         * What NiFi's UI shows of a group when it is opened: the whole flow fitted into the canvas (a 1600x1000 window
         * leaves about 1550x815) with its top left corner at the canvas' top left, where the navigation and operation
         * panels cover about 300x470 screen pixels.
         */
        private static final double VIEW_WIDTH = 1550;
        private static final double VIEW_HEIGHT = 815;
        private static final double PANEL_WIDTH = 300;
        private static final double PANEL_HEIGHT = 470;
        private static final double LEGEND_WIDTH = 420;
        private static final double LEGEND_HEIGHT = 130;
        /** A processor's box on NiFi 2's canvas. */
        private static final double WIDTH = 352;
        private static final double HEIGHT = 128;
        /** How far below its processor a failure or review funnel sits. */
        private static final double DROP = 330;
        /** Connections NiFi may open besides the processors' (validation, verification). */
        private static final int POOL_HEADROOM = 2;

        private final FlowBuilder builder;
        private final String topologyServiceId;
        private final String readerId;
        private final String writerId;
        private final List<SystemSpec> systems;
        private final Map<String, VersionedControllerService> pools = new LinkedHashMap<>();
        /** Per system: how many tasks may hold a connection of its pool at the same time. */
        private final Map<String, Integer> poolDemand = new LinkedHashMap<>();
        private int rows;
        private int maintenanceColumn;

        Flow(String key, String name, String comments, String parameterContext, List<SystemSpec> systems, String topology) {
            this.systems = systems;
            builder = new FlowBuilder(key, name, comments, parameterContext);
            builder.describeParameters("Connection settings of " + name + ". Passwords are sensitive and shipped empty; "
                    + "NiFi ships no PostgreSQL or MariaDB driver, so point the driver locations at the JDBC jars.");
            Bundle bisyncNar = FlowBuilder.bundle("org.bisync", "nifi-bisync-nar", projectVersion());
            Bundle bisyncApiNar = FlowBuilder.bundle("org.bisync", "nifi-bisync-api-nar", projectVersion());
            Bundle servicesApiNar = FlowBuilder.bundle("org.apache.nifi", "nifi-standard-services-api-nar", nifiVersion());
            Bundle dbcpNar = FlowBuilder.bundle("org.apache.nifi", "nifi-dbcp-service-nar", nifiVersion());
            Bundle recordNar = FlowBuilder.bundle("org.apache.nifi", "nifi-record-serialization-services-nar", nifiVersion());

            List<Property> topologyProperties = new ArrayList<>();
            topologyProperties.add(Property.of("Topology Definition", builder.parameter("Sync Topology Definition",
                    "The systems and tables of this sync, see StandardSyncTopologyService's documentation. Sample: "
                            + SAMPLE_TABLE_NOTE + ".", topology, false)));
            for (SystemSpec system : systems) {
                String poolId = builder.id("pool/" + system.id());
                topologyProperties.add(Property.dynamicService(system.id(), poolId));
                pools.put(system.id(), builder.service("pool/" + system.id(), system.title() + " connection pool", DBCP_POOL, dbcpNar,
                        List.of(FlowBuilder.api("org.apache.nifi.dbcp.DBCPService", servicesApiNar)),
                        poolProperties(system), "The database of system '" + system.id() + "'. Sized for every task of "
                                + "the flow that may hold one of its connections at once (concurrent tasks included)."));
                poolDemand.put(system.id(), 0);
            }
            topologyServiceId = builder.id("topology");
            builder.service("topology", "Sync topology", TOPOLOGY_SERVICE, bisyncNar,
                    List.of(FlowBuilder.api("org.bisync.nifi.topology.SyncTopologyService", bisyncApiNar)),
                    topologyProperties, "Systems, their connection pools, and the synced tables. Every bisync processor uses it.");
            readerId = builder.id("reader");
            builder.service("reader", "Change record reader", JSON_READER, recordNar,
                    List.of(FlowBuilder.api("org.apache.nifi.serialization.RecordReaderFactory", servicesApiNar)),
                    List.of(Property.of("Schema Access Strategy", "schema-text-property"),
                            Property.of("Schema Text", "${avro.schema}"),
                            Property.of("Timestamp Format", TIMESTAMP_FORMAT)),
                    "Reads change records with the schema the writer put in the avro.schema attribute (never inferred: "
                            + "inference turns decimals into doubles and timestamps into strings).");
            writerId = builder.id("writer");
            builder.service("writer", "Change record writer", JSON_WRITER, recordNar,
                    List.of(FlowBuilder.api("org.apache.nifi.serialization.RecordSetWriterFactory", servicesApiNar)),
                    List.of(Property.of("Schema Write Strategy", "full-schema-attribute"),
                            Property.of("Schema Access Strategy", "inherit-record-schema"),
                            Property.of("Timestamp Format", TIMESTAMP_FORMAT),
                            Property.of("Pretty Print JSON", "false"),
                            // a change record leaves out the dozen fields that are null for most changes (they read
                            // as null), while a column set to NULL in a row must be written: absent, it would be left as
                            // it is at the target
                            Property.of("Suppress Null Values", "suppress-missing"),
                            Property.of("Output Grouping", "output-array")),
                    "Writes change records and puts their schema in the avro.schema attribute for the next reader.");
        }

        private List<Property> poolProperties(SystemSpec system) {
            List<Property> properties = new ArrayList<>();
            String title = system.title();
            properties.add(Property.of("Database Connection URL", builder.parameter(title + " JDBC URL",
                    "JDBC URL of the " + title + " database, for example " + system.engine().exampleUrl + ".",
                    system.engine().exampleUrl, false)));
            properties.add(Property.of("Database Driver Class Name", system.engine().driverClass));
            properties.add(Property.of("Database Driver Location(s)", builder.parameter(title + " JDBC Driver Location",
                    "Path of the " + system.engine().label + " JDBC driver jar on every NiFi node.",
                    system.engine().exampleDriverLocation, false)));
            if (system.engine().hasUser) {
                properties.add(Property.of("Database User", builder.parameter(title + " User",
                        "Database user of the sync in " + title + " (needs rights to create the bisync tables and triggers, "
                                + "or see ManageSyncTriggers' Generate SQL).", "bisync", false)));
                properties.add(Property.sensitive("Password", builder.parameter(title + " Password",
                        "Password of the " + title + " user.", null, true)));
            }
            // sized in build(), once every processor is known
            properties.add(Property.of("Max Total Connections", null));
            properties.add(Property.of("Maximum Idle Connections", null));
            properties.add(Property.of("Max Wait Time", "5 sec"));
            properties.add(Property.of("Validation Query", "SELECT 1"));
            return properties;
        }

        /** {@code tasks} more tasks of the flow may each hold one connection of the system's pool at the same time. */
        private void uses(SystemSpec system, int tasks) {
            poolDemand.merge(system.id(), tasks, Integer::sum);
        }

        private static Position at(double column, int row) {
            return new Position(LEFT + column * COLUMN, TOP + row * ROW);
        }

        /**
         * A funnel right under {@code source}, centred {@code centre} from its left edge, holding its {@code relationship}
         * queue; the queue's label sits between the two.
         */
        private VersionedFunnel queueUnder(VersionedProcessor source, String localName, double centre, String name, String relationship,
                                           long objects, String size) {
            Position p = source.getPosition();
            VersionedFunnel funnel = builder.funnel(localName, new Position(p.getX() + centre - 24, p.getY() + DROP));
            builder.connect(name, source, Set.of(relationship), funnel, objects, size, null,
                    List.of(new Position(p.getX() + centre, p.getY() + HEIGHT + 100)));
            return funnel;
        }

        VersionedProcessor capture(SystemSpec system, int row) {
            VersionedProcessor capture = builder.processor("capture/" + system.id(), "Capture " + system.title(), CAPTURE,
                    bisyncNar(), List.of(
                            Property.service("Sync Topology Service", topologyServiceId),
                            Property.of("System ID", system.id()),
                            Property.service("Record Writer", writerId),
                            Property.of("Trigger Management", "Install and Maintain"),
                            Property.of("Initial Load", "None"),
                            Property.of("Max Changes Per FlowFile", "1000"),
                            Property.of("History Retention", "0 sec")),
                    at(0, row), "Installs the triggers in " + system.title() + " and emits its changes.");
            // sub-second polling (an idle poll is one query), on the primary node only: capture keeps its position in
            // cluster state
            capture.setSchedulingPeriod("200 millis");
            // an idle poll yields: with NiFi's 1-s Yield Duration the next change after a quiet spell would wait a second
            capture.setYieldDuration("200 millis");
            capture.setExecutionNode("PRIMARY");
            // a poll may open a second connection while it holds the first
            uses(system, 2);
            queueUnder(capture, "capture-failed/" + system.id(), WIDTH / 2, "Capture failures: " + system.title(), "failure",
                    100_000L, "1 GB");
            rows = Math.max(rows, row + 1);
            return capture;
        }

        /**
         * PurgeTombstones of a system, in the maintenance row under the pipelines: removes its tombstones once no change
         * of their key is on its way in either direction. Runs every minute on the primary node.
         */
        void purge(SystemSpec system) {
            VersionedProcessor purge = builder.processor("purge/" + system.id(), "Purge tombstones in " + system.title(), PURGE,
                    bisyncNar(), List.of(
                            Property.service("Sync Topology Service", topologyServiceId),
                            Property.of("System ID", system.id()),
                            Property.of("Max Tombstones Per Table", "10000")),
                    at(maintenanceColumn++, rows), "Removes the tombstones of deleted rows in " + system.title()
                            + " once every peer decided the delete and no older change of the key is on its way.");
            purge.setSchedulingPeriod("1 min");
            purge.setExecutionNode("PRIMARY");
            // its own system, and one peer at a time while it holds its own
            uses(system, 1);
            systems.stream().filter(peer -> !peer.equals(system)).forEach(peer -> uses(peer, 1));
        }

        /**
         * AuditSyncConsistency, disabled: starting the group does not start it; enable it and use Run Once (or start it
         * for a daily audit). Its report (and, with Emit Repairs, its repair changes) wait in a labelled queue.
         */
        void audit() {
            VersionedProcessor audit = builder.processor("audit", "Audit sync consistency", AUDIT, bisyncNar(), List.of(
                            Property.service("Sync Topology Service", topologyServiceId),
                            Property.service("Record Writer", writerId),
                            Property.of("Emit Repairs", "false")),
                    at(maintenanceColumn++, rows), "Compares the synced tables across the systems (hashes computed in each "
                            + "database) and reports missing, extra and differing rows. Disabled: enable it, then Run Once.");
            audit.setSchedulingPeriod("1 day");
            audit.setExecutionNode("PRIMARY");
            audit.setScheduledState(org.apache.nifi.flow.ScheduledState.DISABLED);
            // one connection of every system at once
            systems.forEach(system -> uses(system, 1));
            VersionedFunnel reports = queueUnder(audit, "audit-report", WIDTH / 2, "Audit reports", "report", 1_000L, "1 GB");
            builder.connect("Audit repairs", audit, Set.of("repair"), reports, 1_000L, "1 GB", null);
            Position p = audit.getPosition();
            builder.label("audit-label", "Audit reports: a record per missing, extra or differing row (both rows, both versions). "
                            + "With Emit Repairs, repair changes come too: route each by bisync.target.system into that "
                            + "system's Resolve conflicts.", new Position(p.getX() - 14, p.getY() + DROP + 70), 380, 110, "#fff2cc");
        }

        /**
         * ManageSyncTriggers installing nifi-bisync in a system no capture installs it in: no incoming connection, so it
         * runs on its schedule, once when the group starts and then daily (an up-to-date installation is left alone, an
         * outdated one rebuilt). Placed in the maintenance row.
         */
        void install(SystemSpec system) {
            List<Property> properties = new ArrayList<>(List.of(
                    Property.service("Sync Topology Service", topologyServiceId),
                    Property.of("System ID", system.id()),
                    Property.of("Action", "Install")));
            if (system.engine().hasUser) {
                // named in the GRANT statements of the script it writes
                properties.add(Property.of("NiFi Database User", "#{" + system.title() + " User}"));
            }
            VersionedProcessor install = builder.processor("install/" + system.id(), "Install nifi-bisync in " + system.title(),
                    MANAGE, bisyncNar(), properties, at(maintenanceColumn++, rows),
                    "Installs the bisync tables, the version tables and the triggers " + system.title() + " needs as a sync "
                            + "target: no capture runs there to install them. Runs when the group starts, then daily.");
            install.setSchedulingPeriod("1 day");
            install.setExecutionNode("PRIMARY");
            uses(system, 1);
            // the script it ran is in the provenance event; nothing downstream needs it
            install.getAutoTerminatedRelationships().add("success");
            queueUnder(install, "install-failed/" + system.id(), WIDTH / 2, "Install failures: " + system.title(), "failure",
                    100L, "1 GB");
            Position p = install.getPosition();
            builder.label("install-failed-label/" + system.id(), "Install failures: " + system.title() + "\nThe bisync.reason "
                            + "attribute says why (connection, rights). Fix the cause, then run " + install.getName()
                            + " again (Run Once). Until then the changes into " + system.title() + " wait in their queues.",
                    new Position(p.getX() - 14, p.getY() + DROP + 70), 380, 110, "#ffd6d6");
        }

        void direction(VersionedProcessor capture, SystemSpec from, SystemSpec to, int row) {
            String arrow = from.title() + " -> " + to.title();
            String key = from.id() + "-to-" + to.id();
            VersionedProcessor loops = builder.processor("loops/" + key, "Prevent loops " + arrow, PREVENT_LOOPS, bisyncNar(),
                    List.of(Property.service("Sync Topology Service", topologyServiceId),
                            Property.of("Target System ID", to.id()),
                            Property.service("Record Reader", readerId),
                            Property.service("Record Writer", writerId),
                            Property.of("Max Updates Per Key", "20"),
                            Property.of("Runaway Window", "1 min")),
                    at(1, row), "Drops changes that came from " + to.title() + " and parks runaway keys.");
            VersionedProcessor resolve = builder.processor("resolve/" + key, "Resolve conflicts " + arrow, RESOLVE, bisyncNar(),
                    List.of(Property.service("Sync Topology Service", topologyServiceId),
                            Property.of("Target System ID", to.id()),
                            Property.service("Record Reader", readerId),
                            Property.service("Record Writer", writerId),
                            Property.of("Near-Tie Tolerance", "1 sec")),
                    at(2, row), "Decides per change against " + to.title() + "'s versions.");
            VersionedProcessor apply = builder.processor("apply/" + key, "Apply into " + to.title() + " (" + arrow + ")", APPLY,
                    bisyncNar(), List.of(Property.service("Sync Topology Service", topologyServiceId),
                            Property.of("Target System ID", to.id()),
                            Property.service("Record Reader", readerId),
                            Property.service("Record Writer", writerId),
                            Property.of("Max Records Per Statement", "500")),
                    at(3, row), "Writes the decided changes into " + to.title() + ", greater version wins.");
            resolve.setConcurrentlySchedulableTaskCount(2);
            apply.setConcurrentlySchedulableTaskCount(2);
            apply.getAutoTerminatedRelationships().add("success");
            // loop prevention acknowledges to the source; resolve and apply read or write the target, then acknowledge
            // to the source, one connection at a time
            uses(from, 1);
            uses(to, resolve.getConcurrentlySchedulableTaskCount() + apply.getConcurrentlySchedulableTaskCount());
            uses(from, resolve.getConcurrentlySchedulableTaskCount() + apply.getConcurrentlySchedulableTaskCount());
            rows = Math.max(rows, row + 1);
            double y = TOP + row * ROW;
            double gapMiddle = (COLUMN + WIDTH) / 2;

            // back-pressure per target: a day of changes for one spoke must not stop the others
            builder.connect("Changes " + arrow, capture, Set.of("success"), loops, 10_000L, "1 GB", null);
            // loop-backs above their processor ('retry' to the right of Apply, the row's last), labels clear of the row
            builder.connect("Parked runaway keys " + arrow, loops, Set.of("loop"), loops, 10_000L, "1 GB", null,
                    List.of(new Position(loops.getPosition().getX() + 120, y - 120),
                            new Position(loops.getPosition().getX() + 240, y - 120)));
            builder.connect("To resolve " + arrow, loops, Set.of("success"), resolve, 10_000L, "1 GB", "bisync.table");
            builder.connect("To apply " + arrow, resolve, Set.of("success"), apply, 10_000L, "1 GB", "bisync.table");
            builder.connect("Re-resolve " + arrow, apply, Set.of("re-resolve"), resolve, 10_000L, "1 GB", "bisync.table",
                    List.of(new Position(resolve.getPosition().getX() + gapMiddle, y - 120)));
            // 'retry' loops back into Apply: the processor counts the attempts (bisync.retry.count), backs off
            // exponentially (bisync.retry.not-before) and settles foreign-key conflicts past its limit; nothing is lost
            double right = apply.getPosition().getX() + WIDTH + 130;
            builder.connect("Retry " + arrow, apply, Set.of("retry"), apply, 10_000L, "1 GB", null,
                    List.of(new Position(right, y + 20), new Position(right, y + HEIGHT - 20)));

            queueUnder(loops, "loops-failed/" + key, WIDTH / 2, "Failed changes " + arrow, "failure", 100_000L, "10 GB");
            // two queues under ResolveConflicts: far enough apart that their labels do not overlap
            queueUnder(resolve, "resolve-failed/" + key, 20, "Failed changes " + arrow, "failure", 100_000L, "10 GB");
            VersionedFunnel conflicts = queueUnder(resolve, "conflicts/" + key, WIDTH - 20, "Conflicts for review: " + arrow,
                    "conflict", 100_000L, "10 GB");
            // beside its funnel, short of the next column's failure queue
            builder.label("conflicts-label/" + key, "Conflicts for review: " + arrow + "\nSet the record's resolution "
                            + "(TAKE_INCOMING, KEEP_TARGET, USE_AFTER), e.g. with UpdateRecord, and route it back to "
                            + resolve.getName() + ".",
                    new Position(conflicts.getPosition().getX() + 70, conflicts.getPosition().getY() - 30), 300, 110, "#fff2cc");
            queueUnder(apply, "apply-failed/" + key, WIDTH / 2, "Failed changes " + arrow, "failure", 100_000L, "10 GB");
        }

        /**
         * The legend, placed left of the flow and low enough that, when NiFi fits the group to the screen, the flow
         * starts right of the navigation panel and the legend below it: nothing is hidden behind the panel.
         */
        private void legend() {
            double[] box = builder.extent();
            double width = box[2] - box[0];
            double height = box[3] - box[1];
            double margin = LEGEND_WIDTH + 80;
            double top = box[3] - LEGEND_HEIGHT;
            for (int i = 0; i < 20; i++) {
                double bottom = Math.max(box[3], top + LEGEND_HEIGHT);
                double scale = Math.min(VIEW_WIDTH / (width + margin), VIEW_HEIGHT / (bottom - box[1]));
                margin = Math.max(LEGEND_WIDTH + 80, (PANEL_WIDTH + 40) / scale);
                top = Math.max(box[3] - LEGEND_HEIGHT, box[1] + (PANEL_HEIGHT + 30) / scale);
            }
            builder.label("legend", "Failed changes wait in the funnel right under the processor that failed them: the record's "
                            + "error field and the bisync.reason attribute say why. Fix the cause, then route the queue back to "
                            + "that processor. Conflicts for review wait in the funnel under ResolveConflicts, labelled in yellow.",
                    new Position(Math.round(box[0] - margin), Math.round(top)), LEGEND_WIDTH, LEGEND_HEIGHT, "#ffd6d6");
        }

        RegisteredFlowSnapshot build() {
            legend();
            for (Map.Entry<String, VersionedControllerService> pool : pools.entrySet()) {
                String size = String.valueOf(poolDemand.get(pool.getKey()) + POOL_HEADROOM);
                pool.getValue().getProperties().put("Max Total Connections", size);
                // idle connections are kept, not closed and opened again under load
                pool.getValue().getProperties().put("Maximum Idle Connections", size);
            }
            return builder.build();
        }

        private static Bundle bisyncNar() {
            return FlowBuilder.bundle("org.bisync", "nifi-bisync-nar", projectVersion());
        }
    }

    private static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = Templates.class.getResourceAsStream("/org/bisync/nifi/demo/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    public static String projectVersion() {
        return buildProperties().getProperty("project.version");
    }

    public static String nifiVersion() {
        return buildProperties().getProperty("nifi.version");
    }

    private Templates() {
    }
}
