/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.topologies;

import org.bisync.nifi.demo.harness.FlowHarness;
import org.bisync.nifi.testsupport.Jdbc;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading tables for comparison across engines, and common flow assertions. */
final class Rows {

    private Rows() {
    }

    /** The columns of every row of a table as text, ordered by the first column; decimals without trailing zeros. */
    static List<String> of(DataSource dataSource, String table, String... columns) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table + " ORDER BY " + columns[0])) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns.length; i++) {
                    Object value = rs.getObject(i);
                    if (value instanceof BigDecimal || value instanceof Double || value instanceof Float) {
                        value = new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
                    } else if (value instanceof Number number) {
                        value = number.longValue();
                    }
                    row.append(i == 1 ? "" : "|").append(value);
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** Runs one statement with bound parameters, as a user's program would. */
    static void execute(DataSource dataSource, String sql, Object... parameters) throws SQLException {
        Jdbc.update(dataSource, sql, parameters);
    }

    /** The processors' last warnings, for failure messages. */
    static String warnings(FlowHarness harness) {
        StringBuilder out = new StringBuilder();
        for (String name : harness.processorNames()) {
            if (harness.queued(name) > 0) {
                out.append("\n  ").append(name).append(": ").append(harness.queued(name)).append(" queued");
            }
            var errors = harness.runner(name).getLogger().getErrorMessages();
            if (!errors.isEmpty()) {
                out.append("\n  ").append(name).append(" error: ").append(errors.get(errors.size() - 1).getMsg());
            }
            var warnings = harness.runner(name).getLogger().getWarnMessages();
            if (!warnings.isEmpty()) {
                out.append("\n  ").append(name).append(": ").append(warnings.get(warnings.size() - 1).getMsg());
            }
        }
        return out.toString();
    }

    /** Rounds a flow of these tests gets to become quiet: far more than any needs, so only a flow that never settles fails. */
    static final int SETTLE_ROUNDS = 2_000;

    /** Runs the flow until quiet (within {@link #SETTLE_ROUNDS}) and checks nothing failed or was held anywhere. */
    static void settle(FlowHarness harness) {
        FlowHarness.RoundReport[] last = new FlowHarness.RoundReport[1];
        boolean quiet = harness.runUntilQuiet(SETTLE_ROUNDS, r -> last[0] = r);
        assertTrue(quiet, "the flow became quiet; last round " + last[0] + ", last failure: " + harness.lastFailure()
                + ", warnings: " + warnings(harness));
        assertEquals(List.of(), harness.held(""), "no FlowFile failed or was held for review");
    }
}
