package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.CaptureDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Reads and releases a system's change history. Reading takes every unreleased row, whatever its id: a transaction
 * that took a low id and committed after higher ones is still found (a position of "id greater than the last one
 * seen" would skip it). Rows are released only after the NiFi session that emitted them committed.
 */
public final class HistoryReader {

    private static final int RELEASE_BATCH = 1000;
    private static final int IDS_PER_STATEMENT = 1000;

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
            statement.setString(2, localTableName);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new StoredRow(row(rs), nullableLong(rs, 18) != null));
                }
            }
        }
        return rows;
    }

    private static HistoryRow row(ResultSet rs) throws SQLException {
        return new HistoryRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getString(8), nullableLong(rs, 9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getLong(15), nullableLong(rs, 16), rs.getString(17));
    }

    /**
     * Releases emitted rows: moves them into bisync_released when {@code keepReleased} (kept there until every target
     * acknowledged them and the retention passed), else deletes them. Commits.
     */
    public void release(Connection connection, Collection<Long> ids, long releasedAtMicros, boolean keepReleased) throws SQLException {
        release(connection, IdRanges.parseRanges(IdRanges.format(ids)), releasedAtMicros, keepReleased);
    }

    /**
     * Releases the rows of id ranges (exactly the ids read: a range never spans an id that was not read), with
     * statements per range where the dialect has range statements, else per list of ids. Re-releasing is harmless: a
     * row is copied only while it is still in bisync_history, and deleted from there in the same transaction. Commits.
     */
    public void release(Connection connection, List<IdRanges.Range> ranges, long releasedAtMicros, boolean keepReleased) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        Transactions.inTransaction(connection, () -> {
            if (sql.deleteHistoryRange() != null) {
                // a range statement takes every id in between: runs at a step above 1 go by their ids
                List<IdRanges.Range> adjacent = ranges.stream().filter(r -> r.step() == 1).toList();
                List<Long> stepped = IdRanges.ids(ranges.stream().filter(r -> r.step() != 1).toList());
                if (keepReleased) {
                    releaseRanges(connection, sql.copyHistoryRangeToReleased(), adjacent, releasedAtMicros);
                    releaseIds(connection, sql::copyHistoryRowsToReleased, stepped, releasedAtMicros);
                }
                releaseRanges(connection, sql.deleteHistoryRange(), adjacent, null);
                releaseIds(connection, sql::deleteHistoryRows, stepped, null);
            } else {
                List<Long> ids = IdRanges.ids(ranges);
                if (keepReleased) {
                    releaseIds(connection, sql::copyHistoryRowsToReleased, ids, releasedAtMicros);
                }
                releaseIds(connection, sql::deleteHistoryRows, ids, null);
            }
            return null;
        });
    }

    /** A batched statement per range: released_at first when given, then the first and last id. */
    private static void releaseRanges(Connection connection, String rangeSql, List<IdRanges.Range> ranges, Long releasedAt)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(rangeSql)) {
            int pending = 0;
            for (IdRanges.Range range : ranges) {
                int index = 1;
                if (releasedAt != null) {
                    statement.setLong(index++, releasedAt);
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

    /** One statement per {@link #IDS_PER_STATEMENT} ids: released_at first when given, then the ids. */
    private static void releaseIds(Connection connection, IntFunction<String> idListSql, List<Long> ids, Long releasedAt)
            throws SQLException {
        for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
            try (PreparedStatement statement = connection.prepareStatement(idListSql.apply(chunk.size()))) {
                int index = 1;
                if (releasedAt != null) {
                    statement.setLong(index++, releasedAt);
                }
                for (long id : chunk) {
                    statement.setLong(index++, id);
                }
                statement.executeUpdate();
            }
        }
    }

    /** Deletes rows released before the given time; returns how many. Unreleased rows are not in that table. */
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

    /**
     * The released row with the lowest id, which stays while some target has not acknowledged it; empty when nothing
     * released is kept.
     */
    public Optional<KeptRelease> oldestKeptRelease(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.selectOldestReleased());
             ResultSet rs = statement.executeQuery()) {
            return rs.next() ? Optional.of(new KeptRelease(rs.getLong(1), rs.getLong(2))) : Optional.empty();
        }
    }

    /** A released history row still kept: its id and release time (epoch micros). */
    public record KeptRelease(long id, long releasedAt) {
    }

    /** Unreleased history: the oldest row's capture time (epoch micros, null when empty) and the count. */
    public record Backlog(Long oldestCapturedAt, long count) {
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }
}
