/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.purge;

import org.bisync.nifi.capture.IdRanges.Range;
import org.bisync.nifi.dialect.CaptureDialect;
import org.bisync.nifi.dialect.ExplicitTransaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a source's bisync_ack small: every acknowledging batch of a target writes rows of its own, and they stay as long
 * as the history they cover (while one change stays unacknowledged, every row after it stays). At capture's maintenance
 * the rows of a target that overlap or follow each other are rewritten as the fewest ranges holding exactly their ids,
 * so the table keeps about one row per gap in what a target acknowledged.
 *
 * <p>Safe while the targets' processors write acknowledgements: one transaction per target reads the rows, deletes with
 * one statement per merged range every row whose ids that range holds (a row written meanwhile included, which loses
 * nothing: the range holds its ids), then inserts the merged ranges. A reader sees the rows before or after, the same
 * ids either way. Which transaction and locks that needs is the engine's ({@link CaptureDialect#beginAckCompaction()}).
 */
public final class AckCompaction {

    /** The largest step ids are joined by (as IdRanges.formatCompact: auto_increment_increment is the number of servers). */
    private static final long NEAR = 1000;

    private final CaptureDialect sql;

    public AckCompaction(CaptureDialect sql) {
        this.sql = sql;
    }

    /** Merges a target's acknowledgement rows. Commits. Returns how many rows fewer the target has. */
    public int compact(Connection source, String targetSystem) throws SQLException {
        return ExplicitTransaction.run(source, sql, sql.beginAckCompaction(), statement -> rewrite(source, targetSystem));
    }

    private int rewrite(Connection source, String targetSystem) throws SQLException {
        List<Range> merged = new ArrayList<>();
        int removed = 0;
        for (List<Range> cluster : clusters(read(source, targetSystem))) {
            if (cluster.size() < 2) {
                continue;
            }
            List<Range> ranges = AckRanges.compact(AckRanges.merge(cluster));
            // a row no merged range holds whole (a stepped row across a gap) is left as it is, beside the ranges
            long held = cluster.stream().filter(row -> ranges.stream().anyMatch(range -> holds(range, row))).count();
            if (held > ranges.size()) {
                merged.addAll(ranges);
                removed += (int) (held - ranges.size());
            }
        }
        if (merged.isEmpty()) {
            return 0;
        }
        try (PreparedStatement delete = source.prepareStatement(sql.deleteAcksWithin())) {
            for (Range range : merged) {
                delete.setString(1, targetSystem);
                delete.setLong(2, range.first());
                delete.setLong(3, range.last());
                delete.setLong(4, range.last());
                delete.setLong(5, range.first());
                delete.setLong(6, range.step());
                delete.setLong(7, range.step());
                delete.addBatch();
            }
            delete.executeBatch();
        }
        try (PreparedStatement insert = source.prepareStatement(sql.insertAck())) {
            for (Range range : merged) {
                insert.setString(1, targetSystem);
                insert.setLong(2, range.first());
                insert.setLong(3, range.last());
                insert.setLong(4, range.step());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return removed;
    }

    private List<Range> read(Connection source, String targetSystem) throws SQLException {
        List<Range> rows = new AckLedger(sql).rows(source, targetSystem);
        rows.sort(Comparator.comparingLong(Range::first).thenComparingLong(Range::last));
        return rows;
    }

    /**
     * Runs of rows (sorted by first id) less than {@link #NEAR} ids apart: single ids of a server whose ids grow by more
     * than 1 merge into a stepped range only with their neighbours at that step. Whether a run merges into fewer rows is
     * for {@link AckRanges} to say; rows further apart never do, and are not read again.
     */
    private static List<List<Range>> clusters(List<Range> rows) {
        List<List<Range>> clusters = new ArrayList<>();
        List<Range> current = new ArrayList<>();
        long last = 0;
        for (Range row : rows) {
            if (!current.isEmpty() && row.first() <= last + NEAR) {
                current.add(row);
                last = Math.max(last, row.last());
            } else {
                current = new ArrayList<>();
                current.add(row);
                clusters.add(current);
                last = row.last();
            }
        }
        return clusters;
    }

    /** Whether every id of a row is one of the range's: the condition {@link CaptureDialect#deleteAcksWithin()} deletes by. */
    static boolean holds(Range range, Range row) {
        return range.first() <= row.first() && row.last() <= range.last() && (row.first() - range.first()) % range.step() == 0
                && (row.first() == row.last() || row.step() % range.step() == 0);
    }
}
