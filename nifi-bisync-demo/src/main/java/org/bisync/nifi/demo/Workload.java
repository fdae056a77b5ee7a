/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer thread's work on one system: random inserts, updates and deletes of the customer table over a shared key
 * range (so both sides edit the same rows), seeded so a run can be repeated. Writes that lose a race (an insert of a
 * key that exists) are counted as skipped, as an application would see them fail.
 */
public final class Workload implements Runnable {

    private final String label;
    private final DataSource dataSource;
    private final long seed;
    private final int operations;
    private final int keys;
    private final long pauseMillis;
    private final AtomicInteger inserts = new AtomicInteger();
    private final AtomicInteger updates = new AtomicInteger();
    private final AtomicInteger deletes = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private volatile Throwable failure;

    public Workload(String label, DataSource dataSource, long seed, int operations, int keys, long pauseMillis) {
        this.label = label;
        this.dataSource = dataSource;
        this.seed = seed;
        this.operations = operations;
        this.keys = keys;
        this.pauseMillis = pauseMillis;
    }

    @Override
    public void run() {
        Random random = new Random(seed);
        try (Connection connection = dataSource.getConnection()) {
            for (int i = 0; i < operations; i++) {
                long id = 1 + random.nextInt(keys);
                int kind = random.nextInt(10);
                try {
                    if (kind < 4) {
                        insert(connection, id, random);
                    } else if (kind < 8) {
                        update(connection, id, random);
                    } else {
                        delete(connection, id);
                    }
                } catch (SQLException e) {
                    skipped.incrementAndGet();
                }
                if (pauseMillis > 0) {
                    Thread.sleep(random.nextLong(pauseMillis + 1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void insert(Connection connection, long id, Random random) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO customer (id, name, email, balance, updated_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setString(2, label + " customer " + id);
            insert.setString(3, "c" + id + "@" + label.toLowerCase() + ".example");
            insert.setBigDecimal(4, BigDecimal.valueOf(random.nextInt(1_000_000), 2));
            insert.setTimestamp(5, now());
            insert.executeUpdate();
            inserts.incrementAndGet();
        }
    }

    private void update(Connection connection, long id, Random random) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE customer SET name = ?, balance = ?, updated_at = ? WHERE id = ?")) {
            update.setString(1, label + " edit " + random.nextInt(1000));
            update.setBigDecimal(2, BigDecimal.valueOf(random.nextInt(1_000_000), 2));
            update.setTimestamp(3, now());
            update.setLong(4, id);
            if (update.executeUpdate() > 0) {
                updates.incrementAndGet();
            }
        }
    }

    private void delete(Connection connection, long id) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM customer WHERE id = ?")) {
            delete.setLong(1, id);
            if (delete.executeUpdate() > 0) {
                deletes.incrementAndGet();
            }
        }
    }

    /** Microsecond precision, as every engine stores it. */
    private static Timestamp now() {
        return Timestamp.valueOf(LocalDateTime.now().truncatedTo(ChronoUnit.MICROS));
    }

    public int inserts() {
        return inserts.get();
    }

    public int updates() {
        return updates.get();
    }

    public int deletes() {
        return deletes.get();
    }

    public int skipped() {
        return skipped.get();
    }

    /** What stopped the writer early, or null. */
    public Throwable failure() {
        return failure;
    }

    public String label() {
        return label;
    }
}
