/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect.mariadb;

import org.bisync.nifi.dialect.DatabaseErrors;

import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MariaDB's messages of these error codes name objects only (columns, tables, constraints, users); a duplicate key
 * ("Duplicate entry '42' for key 'PRIMARY'") and an incorrect value ("Incorrect integer value: 'abc' for column ...")
 * are rewritten without the value; any other message loses every single-quoted literal.
 */
final class MariaDbErrors extends DatabaseErrors {

    private static final Set<Integer> NAMING_CODES = Set.of(1036, 1044, 1045, 1048, 1054, 1142, 1143, 1146, 1205, 1213, 1216, 1217,
            1264, 1265, 1290, 1364, 1406, 1451, 1452, 1792, 1927, 4025);
    private static final Set<Integer> DUPLICATE_CODES = Set.of(1062, 1586);
    private static final Set<Integer> INCORRECT_VALUE_CODES = Set.of(1292, 1366, 1367, 1411);
    private static final Set<Integer> SIGNAL_CODES = Set.of(1644);
    private static final Pattern CONNECTION_PREFIX = Pattern.compile("^\\(conn=\\d+\\)\\s*");
    private static final Pattern DUPLICATE_KEY = Pattern.compile(".* for key '([^']*)'\\s*$", Pattern.DOTALL);
    private static final Pattern INCORRECT_VALUE = Pattern.compile("^(Incorrect|Truncated incorrect) (\\S+) value\\b.*?"
            + "(?: for column (`(?:[^`]|``)*`(?:\\.`(?:[^`]|``)*`)*|'[^']*') at row (\\d+))?\\s*$", Pattern.DOTALL);

    /** ER_BAD_FIELD_ERROR, ER_NO_SUCH_TABLE. */
    @Override
    protected boolean namesMissingObject(SQLException e) {
        return e.getErrorCode() == 1054 || e.getErrorCode() == 1146;
    }

    /** MariaDB names a column in backticks ({@code for column `db`.`t`.`name`}) or single quotes ({@code Column 'name' cannot be null}). */
    @Override
    protected boolean namesColumn(String message, String column) {
        return message.contains("`" + column + "`") || message.contains("'" + column + "'");
    }

    @Override
    protected String describeDatabaseError(SQLException e) {
        SQLException server = chain(e).stream().filter(x -> x.getErrorCode() > 0).findFirst().orElse(e);
        int code = server.getErrorCode();
        String state = server.getSQLState();
        String message = CONNECTION_PREFIX.matcher(String.valueOf(server.getMessage())).replaceFirst("").strip();
        String suffix = " (error " + code + ", SQLState " + state + ")";
        if (NAMING_CODES.contains(code) || (state != null && state.startsWith("08"))) {
            return message + suffix;
        }
        if (DUPLICATE_CODES.contains(code)) {
            Matcher key = DUPLICATE_KEY.matcher(message);
            return "Duplicate entry for key " + (key.matches() ? "'" + key.group(1) + "'" : "(not shown)") + suffix;
        }
        if (INCORRECT_VALUE_CODES.contains(code)) {
            Matcher incorrect = INCORRECT_VALUE.matcher(message);
            if (incorrect.matches()) {
                return incorrect.group(1) + " " + incorrect.group(2) + " value" + (incorrect.group(3) == null ? ""
                        : " for column " + incorrect.group(3) + " at row " + incorrect.group(4)) + suffix;
            }
            return "Incorrect value" + suffix;
        }
        if (SIGNAL_CODES.contains(code) || "45000".equals(state)) {
            return "An error signalled by a trigger or procedure (its text is not shown: it may carry row values)" + suffix;
        }
        return withoutQuotedText(message) + suffix;
    }
}
