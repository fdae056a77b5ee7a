/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.BisyncTables;
import org.bisync.nifi.dialect.CaptureDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The exclusive right to read and release one system's history. Two readers of the same history (a copied process
 * group, a second NiFi during a migration) would each release rows the other never emitted, so the changes would be
 * split between two flows. The lease is a row of bisync_config (portable, and needs no connection held open): the
 * holder's id and node, and a heartbeat the holder renews while it runs.
 *
 * <p>A reader whose lease is held by another refuses to read. It takes the lease over when the holder gave it up (a
 * processor that stops gives it up) or when the holder's heartbeat has not changed for the timeout, measured on the
 * contender's own clock: the heartbeat is only compared for change, so the readers' clocks need not agree. The holder
 * renews at a third of the timeout, so a reader that runs is never taken over. Every change of the row is a
 * compare-and-set of what was read, so two contenders never both win.
 *
 * <p>The holder's id is the processor's: the same processor moved to another node (a new primary node) keeps its lease.
 */
public final class CaptureLease {

    /** Who reads: the processor's id and a description of where it runs (for the messages of refused readers). */
    public record Holder(String id, String node) {
        public Holder {
            if (id == null || id.isBlank() || id.contains(" ")) {
                throw new IllegalArgumentException("A lease holder id must be a word: '" + id + "'");
            }
        }

        String text() {
            return id + " on " + node;
        }

        static String idOf(String text) {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }
    }

    /**
     * @param held           whether the caller holds the lease now
     * @param holder         who holds it ("processor-id on node"), the caller when held
     * @param tookOverFrom   set when the caller just took the lease over from a holder whose heartbeat stopped
     */
    public record Status(boolean held, String holder, String tookOverFrom) {
    }

    private record Row(long heartbeat, String holder) {
    }

    private final CaptureDialect sql;
    private final Holder me;
    private final long timeoutMicros;
    private final LongSupplier clockMicros;

    private boolean held;
    private long renewedAt;
    private String seenHolder;
    private long seenHeartbeat;
    private long seenSince;

    /**
     * @param timeoutMicros how long a holder's heartbeat may stand still before another reader takes the lease over
     * @param clockMicros   this reader's clock (NiFi's; tests stand in their own)
     */
    public CaptureLease(CaptureDialect sql, Holder me, long timeoutMicros, LongSupplier clockMicros) {
        if (timeoutMicros <= 0) {
            throw new IllegalArgumentException("The lease timeout must be positive");
        }
        this.sql = sql;
        this.me = me;
        this.timeoutMicros = timeoutMicros;
        this.clockMicros = clockMicros;
    }

    /** Takes, renews or keeps the lease when it is free, ours or stale; else says who holds it. */
    public synchronized Status acquire(Connection connection) throws SQLException {
        long now = clockMicros.getAsLong();
        if (held && now - renewedAt < timeoutMicros / 3) {
            return new Status(true, me.text(), null);
        }
        Optional<Row> read = read(connection);
        if (read.isEmpty()) {
            if (insert(connection, now)) {
                return won(now, null);
            }
            read = read(connection);
            if (read.isEmpty()) {
                return refused("nobody (the lease row could not be written)");
            }
        }
        Row row = read.get();
        if (Holder.idOf(row.holder()).equals(me.id())) {
            return compareAndSet(connection, row, now) ? won(now, null) : refused(connection, row);
        }
        held = false;
        if (!row.holder().equals(seenHolder) || row.heartbeat() != seenHeartbeat) {
            seenHolder = row.holder();
            seenHeartbeat = row.heartbeat();
            seenSince = now;
            return refused(row.holder());
        }
        if (now - seenSince < timeoutMicros) {
            return refused(row.holder());
        }
        return compareAndSet(connection, row, now) ? won(now, row.holder()) : refused(connection, row);
    }

    /** Whether the caller held the lease at its last {@link #acquire}. */
    public synchronized boolean held() {
        return held;
    }

    /** Gives the lease up when the caller holds it, so another reader can take it at once. */
    public synchronized void release(Connection connection) throws SQLException {
        if (!held) {
            return;
        }
        held = false;
        try (PreparedStatement statement = connection.prepareStatement(sql.deleteLease())) {
            statement.setString(1, BisyncTables.CAPTURE_LEASE);
            statement.setString(2, me.text());
            statement.executeUpdate();
        }
        commitIfNeeded(connection);
    }

    private Status won(long now, String tookOverFrom) {
        held = true;
        renewedAt = now;
        seenHolder = null;
        return new Status(true, me.text(), tookOverFrom);
    }

    private Status refused(String holder) {
        held = false;
        return new Status(false, holder, null);
    }

    private Status refused(Connection connection, Row lost) throws SQLException {
        return refused(read(connection).map(Row::holder).orElse(lost.holder()));
    }

    private Optional<Row> read(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.selectLease())) {
            statement.setString(1, BisyncTables.CAPTURE_LEASE);
            try (ResultSet rs = statement.executeQuery()) {
                Optional<Row> row = Optional.empty();
                if (rs.next()) {
                    long heartbeat = rs.getLong(1);
                    String holder = rs.getString(2);
                    row = Optional.of(new Row(heartbeat, holder == null ? "" : holder));
                }
                commitIfNeeded(connection);
                return row;
            }
        }
    }

    private boolean insert(Connection connection, long now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.insertLease())) {
            statement.setString(1, BisyncTables.CAPTURE_LEASE);
            statement.setLong(2, now);
            statement.setString(3, me.text());
            statement.executeUpdate();
            commitIfNeeded(connection);
            return true;
        } catch (SQLException e) {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            return false; // another reader inserted it first: the caller reads it again
        }
    }

    /** Writes our heartbeat and id where the row still holds what was read; the heartbeat always moves. */
    private boolean compareAndSet(Connection connection, Row read, long now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.updateLease())) {
            statement.setLong(1, Math.max(now, read.heartbeat() + 1));
            statement.setString(2, me.text());
            statement.setString(3, BisyncTables.CAPTURE_LEASE);
            statement.setLong(4, read.heartbeat());
            statement.setString(5, read.holder());
            boolean won = statement.executeUpdate() == 1;
            commitIfNeeded(connection);
            return won;
        }
    }

    private static void commitIfNeeded(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }
}
