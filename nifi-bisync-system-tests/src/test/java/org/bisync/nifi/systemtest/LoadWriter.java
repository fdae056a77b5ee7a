/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An application writing to one side while the initial load runs: per round it renames one of its keys (setting
 * updated_at to now, as an application does that keeps it), inserts a new key and deletes one of {@code deletable},
 * in order, one statement per transaction, until it has done {@code rounds} or is stopped. It remembers what each key
 * must end as, so a test can tell a lost or doubled write from a right one. Its keys are its own: no other writer
 * touches them.
 */
final class LoadWriter implements Runnable {

    private final String label;
    private final DataSource dataSource;
    private final List<Long> renamed;
    private final long insertFrom;
    private final List<Long> deletable;
    private final int rounds;
    private final long pauseMillis;
    private final Map<Long, String> finalNames = new LinkedHashMap<>();
    private final List<Long> deleted = new ArrayList<>();
    private volatile boolean stopped;
    private volatile int writes;
    private volatile int rolledBack;
    private volatile Throwable failure;
    private Thread thread;

    LoadWriter(String label, DataSource dataSource, List<Long> renamed, long insertFrom, List<Long> deletable, int rounds, long pauseMillis) {
        this.label = label;
        this.dataSource = dataSource;
        this.renamed = List.copyOf(renamed);
        this.insertFrom = insertFrom;
        this.deletable = List.copyOf(deletable);
        this.rounds = rounds;
        this.pauseMillis = pauseMillis;
    }

    LoadWriter start() {
        thread = Thread.ofPlatform().name("writer-" + label).start(this);
        return this;
    }

    /** Stops after the current round and waits; fails when a write failed. */
    void stopAndJoin() throws InterruptedException {
        stopped = true;
        join();
    }

    /** Waits until every round is done; fails when a write failed. */
    void join() throws InterruptedException {
        thread.join();
        if (failure != null) {
            throw new AssertionError("Writer " + label + " failed", failure);
        }
    }

    @Override
    public void run() {
        try {
            for (int round = 1; round <= rounds && !stopped; round++) {
                long key = renamed.get(round % renamed.size());
                String name = label + " write " + round;
                write("UPDATE customer SET name = ?, updated_at = ? WHERE id = ?", name, now(), key);
                finalNames.put(key, name);
                long inserted = insertFrom + round;
                String insertedName = label + " new " + round;
                write("INSERT INTO customer (id, name, balance, updated_at) VALUES (?, ?, 1, ?)", inserted, insertedName, now());
                finalNames.put(inserted, insertedName);
                if (round <= deletable.size()) {
                    long gone = deletable.get(round - 1);
                    write("DELETE FROM customer WHERE id = ?", gone);
                    finalNames.remove(gone);
                    deleted.add(gone);
                }
                Thread.sleep(pauseMillis);
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** Applies this writer's writes to the names each key must end with. */
    void applyTo(Map<Long, String> names) {
        deleted.forEach(names::remove);
        names.putAll(finalNames);
    }

    /** Fails, with the writer's error, when a write failed. */
    void assertWriting() {
        if (failure != null) {
            throw new AssertionError("Writer " + label + " failed", failure);
        }
    }

    @Override
    public String toString() {
        return "writer " + label + " (" + writes + " writes, " + rolledBack + " rolled back, " + (thread != null && thread.isAlive() ? "writing" : "stopped")
                + (failure == null ? "" : ", failed: " + failure) + ")";
    }

    /** Writes the database rolled back as a deadlock victim or for a serialization failure (each retried). */
    int rolledBack() {
        return rolledBack;
    }

    /** Statements that changed a row: each is one change captured from this side. */
    int writes() {
        return writes;
    }

    private static Timestamp now() {
        return Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
    }

    /** One statement in its own transaction, retried as applications do when the database reports a deadlock or lock wait. */
    private void write(String sql, Object... parameters) throws SQLException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    statement.setObject(i + 1, parameters[i]);
                }
                int changed = statement.executeUpdate();
                if (changed != 1) {
                    throw new AssertionError(label + ": '" + sql + "' changed " + changed + " rows, expected 1");
                }
                writes++;
                return;
            } catch (SQLException e) {
                // a deadlock or serialization failure (SQLSTATE class 40): retried as applications do, and counted
                if (e.getSQLState() == null || !e.getSQLState().startsWith("40") || attempt == 5) {
                    throw e;
                }
                rolledBack++;
                Thread.sleep(20L * attempt);
            }
        }
    }
}
