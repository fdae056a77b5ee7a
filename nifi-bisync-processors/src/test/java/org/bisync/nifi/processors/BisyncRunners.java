/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.bisync.nifi.services.StandardSyncTopologyService;
import org.bisync.nifi.testsupport.JsonRecordReaderService;
import org.bisync.nifi.testsupport.JsonRecordSetWriterService;
import org.bisync.nifi.testsupport.TestDbcpService;

import javax.sql.DataSource;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Wires a nifi-mock runner of a bisync processor the way the templates do: a pool per database, the topology service
 * naming each system's pool, and the JSON record reader and writer of test-support.
 */
final class BisyncRunners {

    private BisyncRunners() {
    }

    /**
     * Adds a pool per distinct database (systems on the same DataSource share one) and the topology service, and sets
     * the processor's Sync Topology Service.
     */
    static TestRunner withTopology(TestRunner runner, String topologyJson, Map<String, DataSource> systems) throws InitializationException {
        Map<DataSource, String> pools = new IdentityHashMap<>();
        StandardSyncTopologyService topology = new StandardSyncTopologyService();
        runner.addControllerService("topology", topology);
        runner.setProperty(topology, StandardSyncTopologyService.TOPOLOGY_DEFINITION, topologyJson);
        for (Map.Entry<String, DataSource> system : systems.entrySet()) {
            String poolId = pools.get(system.getValue());
            if (poolId == null) {
                poolId = "pool-" + (pools.size() + 1);
                TestDbcpService pool = new TestDbcpService(system.getValue());
                runner.addControllerService(poolId, pool);
                runner.enableControllerService(pool);
                pools.put(system.getValue(), poolId);
            }
            runner.setProperty(topology, system.getKey(), poolId);
        }
        runner.enableControllerService(topology);
        runner.setProperty(BisyncProperties.SYNC_TOPOLOGY, "topology");
        return runner;
    }

    /** A CaptureTriggerHistory of {@code systemId}: {@link #withTopology}, the JSON record writer and the System ID. */
    static TestRunner capture(String topologyJson, Map<String, DataSource> systems, String systemId) throws InitializationException {
        TestRunner runner = withTopology(TestRunners.newTestRunner(CaptureTriggerHistory.class), topologyJson, systems);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(CaptureTriggerHistory.SYSTEM_ID, systemId);
        runner.setProperty(CaptureTriggerHistory.RECORD_WRITER, "writer");
        return runner;
    }

    /** {@link #withTopology}, the JSON record reader and writer, and the Target System ID. */
    static TestRunner forTarget(TestRunner runner, String topologyJson, Map<String, DataSource> systems, String targetSystem)
            throws InitializationException {
        withTopology(runner, topologyJson, systems);
        JsonRecordReaderService reader = new JsonRecordReaderService();
        runner.addControllerService("reader", reader);
        runner.enableControllerService(reader);
        JsonRecordSetWriterService writer = new JsonRecordSetWriterService();
        runner.addControllerService("writer", writer);
        runner.enableControllerService(writer);
        runner.setProperty(BisyncProperties.RECORD_READER, "reader");
        runner.setProperty(BisyncProperties.RECORD_WRITER, "writer");
        runner.setProperty(BisyncProperties.TARGET_SYSTEM, targetSystem);
        return runner;
    }
}
