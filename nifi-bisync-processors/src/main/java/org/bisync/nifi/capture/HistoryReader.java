package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.CaptureDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads and releases a system's change history. Reading takes every unreleased row, whatever its id: a transaction
 * that took a low id and committed after higher ones is still found (a position of "id greater than the last one
 * seen" would skip it). Rows are released only after the NiFi session that emitted them committed.
 */
public final class HistoryReader {

    private static final int RELEASE_BATCH = 1000;

    private final CaptureDialect sql;

    public HistoryReader(CaptureDialect sql) {
        this.sql = sql;
    }

    /** Up to {@code limit} unreleased rows in id order. */
    public List<HistoryRow> readUnreleased(Connection connection, int limit) throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql.selectUnreleasedHistory())) {
            statement.setInt(1, limit);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        }
        return rows;
    }

    /** A history row and whether capture has released it. */
    public record StoredRow(HistoryRow row, boolean released) {
    }

    /** Every history row of one local table, released or not, in id order. */
    public List<StoredRow> readTable(Connection connection, String localTableName) throws SQLException {
        List<StoredRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql.selectHistoryOfTable())) {
            statement.setString(1, localTableName);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new StoredRow(row(rs), nullableLong(rs, 16) != null));
                }
            }
        }
        return rows;
    }

    private static HistoryRow row(ResultSet rs) throws SQLException {
        return new HistoryRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getString(8), nullableLong(rs, 9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getLong(15));
    }

    /**
     * Releases emitted rows: deletes them when {@code keepReleased} is false, else stamps {@code released_at} so
     * {@link #purgeReleased} removes them after the retention period. Commits.
     */
    public void release(Connection connection, Collection<Long> ids, long releasedAtMicros, boolean keepReleased) throws SQLException {
        release(connection, IdRanges.parseRanges(IdRanges.format(ids)), releasedAtMicros, keepReleased);
    }

    /**
     * Releases the rows of id ranges (exactly the ids read: a range never spans an id that was not read), one
     * statement per range where the dialect has range statements, else one per id. Commits.
     */
    public void release(Connection connection, List<IdRanges.Range> ranges, long releasedAtMicros, boolean keepReleased) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        String rangeSql = keepReleased ? sql.releaseHistoryRange() : sql.deleteHistoryRange();
        Transactions.inTransaction(connection, () -> {
            if (rangeSql != null) {
                releaseRanges(connection, rangeSql, ranges, releasedAtMicros, keepReleased);
            } else {
                releaseIds(connection, ranges, releasedAtMicros, keepReleased);
            }
            return null;
        });
    }

    private static void releaseRanges(Connection connection, String rangeSql, List<IdRanges.Range> ranges, long releasedAtMicros,
                                      boolean keepReleased) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(rangeSql)) {
            int pending = 0;
            for (IdRanges.Range range : ranges) {
                int index = 1;
                if (keepReleased) {
                    statement.setLong(index++, releasedAtMicros);
                }
                statement.setLong(index++, range.first());
                statement.setLong(index, range.last());
                statement.addBatch();
                if (++pending == RELEASE_BATCH) {
                    statement.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                statement.executeBatch();
            }
        }
    }

    private void releaseIds(Connection connection, List<IdRanges.Range> ranges, long releasedAtMicros, boolean keepReleased) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(keepReleased ? sql.releaseHistory() : sql.deleteHistory())) {
            int pending = 0;
            for (IdRanges.Range range : ranges) {
                for (long id = range.first(); id <= range.last(); id++) {
                    if (keepReleased) {
                        statement.setLong(1, releasedAtMicros);
                        statement.setLong(2, id);
                    } else {
                        statement.setLong(1, id);
                    }
                    statement.addBatch();
                    if (++pending == RELEASE_BATCH) {
                        statement.executeBatch();
                        pending = 0;
                    }
                }
            }
            if (pending > 0) {
                statement.executeBatch();
            }
        }
    }

    /** Deletes rows released before the given time; returns how many. Never touches unreleased rows. */
    public int purgeReleased(Connection connection, long releasedBeforeMicros) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.purgeReleasedHistory())) {
            statement.setLong(1, releasedBeforeMicros);
            return statement.executeUpdate();
        }
    }

    /** The backlog: how many rows are unreleased and the capture time of the oldest (null when none). */
    public Backlog backlog(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.selectBacklog());
             ResultSet rs = statement.executeQuery()) {
            rs.next();
            return new Backlog(nullableLong(rs, 1), rs.getLong(2));
        }
    }

    /** Unreleased history: the oldest row's capture time (epoch micros, null when empty) and the count. */
    public record Backlog(Long oldestCapturedAt, long count) {
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }
}
