/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.dialect.KeyGenerator;

import java.sql.SQLException;

/**
 * Reads how a system generates the values of a table's key column, on a connection of that system (the processor reads
 * through the system's connection pool of the sync topology, with the system's own dialect).
 */
@FunctionalInterface
public interface KeyGeneratorReader {

    /**
     * @param systemId a system of the topology
     * @param table    the table's name in that system
     * @param column   the key column's name in that system
     */
    KeyGenerator read(String systemId, String table, String column) throws SQLException;
}
