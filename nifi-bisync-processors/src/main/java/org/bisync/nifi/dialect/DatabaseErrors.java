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

    /**
     * The exception, its next exceptions (the entries of a failed batch) and the SQLExceptions among its causes, also
     * those behind a cause of another type (a pool or driver wrapper), outermost first; each of those is walked the
     * same way. Every dialect classifies errors over this list, so a wrapped or batched error is seen alike everywhere.
     */
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
            SQLException cause = nextSqlCause(current);
            if (cause != null) {
                queue.add(cause);
            }
        }
        return all;
    }

    /** The first SQLException among the causes of {@code e}, skipping causes of other types; null when there is none. */
    private static SQLException nextSqlCause(Throwable e) {
        Throwable t = e.getCause();
        for (int depth = 0; t != null && depth < 20; depth++) {
            if (t instanceof SQLException s) {
                return s;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    /** The text with every single-quoted literal replaced by {@code '…'}. */
    protected static String withoutQuotedText(String text) {
        return QUOTED.matcher(text).replaceAll("'…'");
    }
}
