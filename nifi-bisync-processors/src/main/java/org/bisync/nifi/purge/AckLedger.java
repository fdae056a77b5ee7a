/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges;
import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.capture.Transactions;
import org.bisync.nifi.dialect.CaptureDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A source system's record of what each target decided (bisync_ack): which of its history ids reached a final
 * decision there, whatever the decision (applied, stale, lost, dropped as an echo). A change parked in a retry,
 * failure or conflict queue is not decided. Released history is deleted only once every target acknowledged it, so
 * the history of a source always shows what is still on its way; tombstone purge reads it.
 */
public final class AckLedger {

    private static final int BATCH = 500;

    private final CaptureDialect sql;

    public AckLedger(CaptureDialect sql) {
        this.sql = sql;
    }

    /** Records that a target decided these history ids of this (the source) system. Commits. */
    public void acknowledge(Connection source, String targetSystem, Collection<Long> historyIds) throws SQLException {
        acknowledge(source, targetSystem, IdRanges.parseRanges(IdRanges.format(historyIds)));
    }

    /** Records that a target decided the history ids of these ranges (every id of each) of this system. Commits. */
    public void acknowledge(Connection source, String targetSystem, List<Range> ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        List<Range> rows = AckRanges.compact(ranges);
        Transactions.inTransaction(source, () -> {
            try (PreparedStatement statement = source.prepareStatement(sql.insertAck())) {
                int pending = 0;
                for (Range range : rows) {
                    statement.setString(1, targetSystem);
                    statement.setLong(2, range.first());
                    statement.setLong(3, range.last());
                    statement.setLong(4, range.step());
                    statement.addBatch();
                    if (++pending == BATCH) {
                        statement.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    statement.executeBatch();
                }
            }
            return null;
        });
    }

    /** What a target acknowledged, merged into sorted, disjoint ranges. */
    public List<Range> acknowledged(Connection source, String targetSystem) throws SQLException {
        return AckRanges.merge(rows(source, targetSystem));
    }

    /** A target's acknowledgement rows as stored (unmerged, in no particular order). */
    List<Range> rows(Connection source, String targetSystem) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (PreparedStatement statement = source.prepareStatement(sql.selectAcks())) {
            statement.setString(1, targetSystem);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    ranges.add(new Range(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return ranges;
    }

    /** The targets that have not acknowledged a history id, in the given order. */
    public List<String> notAcknowledging(Connection source, Collection<String> targets, long historyId) throws SQLException {
        List<String> lagging = new ArrayList<>();
        for (String target : targets) {
            if (acknowledged(source, target).stream().noneMatch(r -> r.first() <= historyId && historyId <= r.last())) {
                lagging.add(target);
            }
        }
        return lagging;
    }

    /**
     * History retention: deletes the rows released before the given time that every target acknowledged (every
     * released row when there is no target), then the acknowledgements no row needs any more. Commits.
     *
     * @return how many history rows were deleted
     */
    public int purgeAcknowledged(Connection source, Collection<String> targets, long releasedBeforeMicros) throws SQLException {
        List<Range> deletable = List.of(new Range(Long.MIN_VALUE, Long.MAX_VALUE));
        for (String target : targets) {
            deletable = AckRanges.intersect(deletable, acknowledged(source, target));
        }
        List<Range> ranges = deletable;
        Long lowest = lowestHistoryId(source); // read before any write: a plain read takes no lock
        return Transactions.inTransaction(source, () -> {
            int deleted = 0;
            try (PreparedStatement statement = source.prepareStatement(sql.deleteReleasedHistoryRange())) {
                for (Range range : ranges) {
                    statement.setLong(1, range.first());
                    statement.setLong(2, range.last());
                    statement.setLong(3, releasedBeforeMicros);
                    deleted += statement.executeUpdate();
                }
            }
            try (PreparedStatement statement = source.prepareStatement(sql.deleteAcksBelow())) {
                statement.setLong(1, lowest == null ? Long.MAX_VALUE : lowest);
                statement.executeUpdate();
            }
            return deleted;
        });
    }

    private Long lowestHistoryId(Connection source) throws SQLException {
        try (PreparedStatement statement = source.prepareStatement(sql.selectMinHistoryId()); ResultSet rs = statement.executeQuery()) {
            rs.next();
            long id = rs.getLong(1);
            return rs.wasNull() ? null : id;
        }
    }
}
