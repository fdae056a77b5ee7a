/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.dialect;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Value-free text of database errors, for logs, bulletins and failure reasons. Drivers echo row values in their
 * messages (PostgreSQL's "Key (id)=(42) already exists" and a failed batch entry with its parameters, MariaDB's
 * "Duplicate entry '42' for key ..."): each engine keeps what names the table, column, key column or constraint and
 * leaves the values out. The records themselves still carry the values.
 */
public abstract class DatabaseErrors {

    private static final Pattern QUOTED = Pattern.compile("'(?:[^'\\\\]|\\\\.|'')*'");

    /** The error's text without row values; a value our own checks rejected keeps its (value-free) message. */
    public final String describe(SQLException e) {
        if (e == null) {
            return "unknown database error";
        }
        if (e instanceof DescribedException) {
            return e.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ValueRejectedException rejected) {
                return rejected.getMessage();
            }
        }
        return describeDatabaseError(e);
    }

    /** An error of ours whose message is value-free already (it was made with {@link #describe}). */
    public static class DescribedException extends SQLException {
        public DescribedException(String valueFreeMessage, SQLException cause) {
            super(valueFreeMessage, cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    /**
     * Whether the error says a table or column the statement names does not exist (it was dropped or renamed while
     * running): what a processor's table cache holds is out of date.
     */
    public final boolean isMissingObject(SQLException e) {
        return e != null && !(e instanceof DescribedException) && chain(e).stream().anyMatch(this::namesMissingObject);
    }

    protected abstract boolean namesMissingObject(SQLException e);

    /**
     * The first of {@code localColumns} that an error's value-free text names, quoted as this engine's messages quote a
     * column; empty when it names none of them.
     */
    public final Optional<String> columnNamed(String valueFreeMessage, List<String> localColumns) {
        if (valueFreeMessage == null) {
            return Optional.empty();
        }
        return localColumns.stream().filter(column -> namesColumn(valueFreeMessage, column)).findFirst();
    }

    /** Whether the engine's message names the column (quoted as the engine quotes it there). */
    protected abstract boolean namesColumn(String message, String column);

    /** The engine's value-free text of an error its driver raised. */
    protected abstract String describeDatabaseError(SQLException e);

    /** Without a dialect (the connection could not be opened): the SQLState and error code only. */
    public static String generic(SQLException e) {
        return e == null ? "unknown database error" : "database error (SQLState " + e.getSQLState() + ", code " + e.getErrorCode() + ")";
    }

    /** The exception, its next exceptions (failed batches) and SQLException causes, outermost first. */
    public static List<SQLException> chain(SQLException e) {
        List<SQLException> all = new ArrayList<>();
        Deque<SQLException> queue = new ArrayDeque<>(List.of(e));
        while (!queue.isEmpty() && all.size() < 20) {
            SQLException current = queue.poll();
            if (all.contains(current)) {
                continue;
            }
            all.add(current);
            if (current.getNextException() != null) {
                queue.add(current.getNextException());
            }
            if (current.getCause() instanceof SQLException cause) {
                queue.add(cause);
            }
        }
        return all;
    }

    /** The text with every single-quoted literal replaced by {@code '…'}. */
    protected static String withoutQuotedText(String text) {
        return QUOTED.matcher(text).replaceAll("'…'");
    }
}
