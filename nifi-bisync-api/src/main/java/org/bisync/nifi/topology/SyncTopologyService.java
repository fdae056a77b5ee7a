/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.dbcp.DBCPService;

/**
 * The one home of a sync's configuration: the systems taking part (each with its connection pool and priority)
 * and, per table, direction, sync key, strategy, fields and mapping. Every bisync processor references it, so
 * capture installs the triggers that resolve and apply expect.
 */
public interface SyncTopologyService extends ControllerService {

    /** The parsed, validated topology. */
    SyncTopology getTopology();

    /** The connection pool of a system named in the topology. */
    DBCPService getConnectionPool(String systemId);
}
