/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.processor.exception.ProcessException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * A real {@link DBCPService} over a {@link DataSource}: every {@link #getConnection()} is a fresh connection from the
 * DataSource (no pool), which the caller closes. Register it with
 * {@code runner.addControllerService("pg", new TestDbcpService(ds)); runner.enableControllerService(service);}.
 */
public class TestDbcpService extends AbstractControllerService implements DBCPService {

    private final DataSource dataSource;

    public TestDbcpService(final DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    public DataSource getDataSource() {
        return dataSource;
    }

    @Override
    public Connection getConnection() throws ProcessException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new ProcessException("Could not get a connection from " + dataSource, e);
        }
    }
}
