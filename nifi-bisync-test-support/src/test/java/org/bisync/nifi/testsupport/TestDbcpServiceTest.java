/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.AbstractProcessor;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TestDbcpServiceTest {

    /** Runs the query of the property "SQL" on a DBCPService and puts the first column into attribute "result". */
    public static class QueryProcessor extends AbstractProcessor {
        static final PropertyDescriptor DBCP = new PropertyDescriptor.Builder()
                .name("Database Connection Pooling Service")
                .identifiesControllerService(DBCPService.class)
                .required(true)
                .build();
        static final PropertyDescriptor SQL = new PropertyDescriptor.Builder()
                .name("SQL")
                .addValidator(org.apache.nifi.processor.util.StandardValidators.NON_EMPTY_VALIDATOR)
                .required(true)
                .build();
        static final Relationship SUCCESS = new Relationship.Builder().name("success").build();

        @Override
        protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
            return List.of(DBCP, SQL);
        }

        @Override
        public Set<Relationship> getRelationships() {
            return Set.of(SUCCESS);
        }

        @Override
        public void onTrigger(final ProcessContext context, final ProcessSession session) throws ProcessException {
            final DBCPService dbcp = context.getProperty(DBCP).asControllerService(DBCPService.class);
            try (Connection connection = dbcp.getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(context.getProperty(SQL).getValue())) {
                rs.next();
                FlowFile flowFile = session.create();
                flowFile = session.putAttribute(flowFile, "result", rs.getString(1));
                session.transfer(flowFile, SUCCESS);
            } catch (SQLException e) {
                throw new ProcessException(e);
            }
        }
    }

    @Test
    void servesConnectionsInsideATestRunner() throws Exception {
        final DataSource ds = EmbeddedDatabases.sqlite("dbcp_service");
        EmbeddedDatabasesTest.execute(ds, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('from sqlite')");

        final TestRunner runner = TestRunners.newTestRunner(QueryProcessor.class);
        final TestDbcpService service = new TestDbcpService(ds);
        runner.addControllerService("db", service);
        runner.enableControllerService(service);
        runner.assertValid(service);
        runner.setProperty(QueryProcessor.DBCP, "db");
        runner.setProperty(QueryProcessor.SQL, "SELECT v FROM t");

        runner.run();

        runner.assertAllFlowFilesTransferred(QueryProcessor.SUCCESS, 1);
        final MockFlowFile flowFile = runner.getFlowFilesForRelationship(QueryProcessor.SUCCESS).getFirst();
        flowFile.assertAttributeEquals("result", "from sqlite");
        assertSame(ds, service.getDataSource());

        runner.disableControllerService(service);
        runner.removeControllerService(service);
    }

    @Test
    void eachConnectionIsFreshAndFailuresAreProcessExceptions() throws SQLException {
        final TestDbcpService service = new TestDbcpService(EmbeddedDatabases.sqlite("dbcp_fresh"));
        try (Connection first = service.getConnection(); Connection second = service.getConnection()) {
            assertEquals(false, first == second);
        }
        final org.sqlite.SQLiteDataSource broken = new org.sqlite.SQLiteDataSource();
        broken.setUrl("jdbc:sqlite:/nonexistent-dir/x/y.db");
        assertThrows(ProcessException.class, () -> new TestDbcpService(broken).getConnection().close());
    }
}
