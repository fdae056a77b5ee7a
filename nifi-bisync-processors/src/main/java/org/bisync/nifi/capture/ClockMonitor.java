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
import java.util.function.LongSupplier;

/**
 * Measures a database clock against NiFi's and keeps the correction the triggers add to it. The correction moves
 * toward the measured offset by at most {@code maxSlewMicros} per adjustment, so versions never jump; the per-row
 * "+1" rule keeps them monotonic whatever the correction does.
 */
public final class ClockMonitor {

    /** The result of one measurement. */
    public record Reading(long offsetMicros, long roundTripMicros, long correctionMicros) {
        /** How far the corrected database clock is from NiFi's. */
        public long residualMicros() {
            return offsetMicros + correctionMicros;
        }
    }

    private final CaptureDialect sql;
    private final LongSupplier nifiMicros;

    public ClockMonitor(CaptureDialect sql, LongSupplier nifiMicros) {
        this.sql = sql;
        this.nifiMicros = nifiMicros;
    }

    /** Measures the offset (database minus NiFi, uncorrected) and reads the current correction. */
    public Reading measure(Connection connection) throws SQLException {
        long before = nifiMicros.getAsLong();
        long database;
        try (PreparedStatement statement = connection.prepareStatement(sql.selectClockMicros()); ResultSet rs = statement.executeQuery()) {
            rs.next();
            database = rs.getLong(1);
        }
        long after = nifiMicros.getAsLong();
        long offset = database - (before + (after - before) / 2);
        return new Reading(offset, after - before, currentCorrection(connection));
    }

    public long currentCorrection(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.selectConfigNumber())) {
            statement.setString(1, BisyncTables.CLOCK_CORRECTION);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    /**
     * Moves the stored correction toward {@code -offset} by at most {@code maxSlewMicros}; ignores differences within
     * the measurement's own uncertainty (half the round trip). Returns the correction now in force.
     */
    public long adjust(Connection connection, Reading reading, long maxSlewMicros) throws SQLException {
        long target = -reading.offsetMicros();
        long difference = target - reading.correctionMicros();
        if (Math.abs(difference) <= Math.max(1_000L, reading.roundTripMicros() / 2)) {
            return reading.correctionMicros();
        }
        long step = Math.max(-maxSlewMicros, Math.min(maxSlewMicros, difference));
        long corrected = reading.correctionMicros() + step;
        try (PreparedStatement statement = connection.prepareStatement(sql.upsertConfigNumber())) {
            statement.setString(1, BisyncTables.CLOCK_CORRECTION);
            statement.setLong(2, corrected);
            statement.executeUpdate();
        }
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
        return corrected;
    }
}
