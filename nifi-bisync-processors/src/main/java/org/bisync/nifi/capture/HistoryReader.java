/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
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
    /** Rows of the first page of a poll, before their size is known. */
    private static final int FIRST_PAGE = 64;
    private static final int MAX_PAGE = 5000;

    private final CaptureDialect sql;

    public HistoryReader(CaptureDialect sql) {
        this.sql = sql;
    }

    /** Up to {@code limit} unreleased rows in id order, whatever their size. */
    public List<HistoryRow> readUnreleased(Connection connection, int limit) throws SQLException {
        return readUnreleased(connection, limit, Long.MAX_VALUE);
    }

    /**
     * Up to {@code limit} unreleased rows in id order, and no more than {@code maxBytes} of them as measured by
     * {@link HistoryRow#approximateBytes()} (but at least one row, however wide). Read in pages sized from the rows read
     * so far, so that a page of wide rows does not fill the memory before the bound is checked; the rows after the
     * bound stay unreleased for the next poll.
     */
    public List<HistoryRow> readUnreleased(Connection connection, int limit, long maxBytes) throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        long bytes = 0;
        long afterId = Long.MIN_VALUE;
        int page = Math.min(limit, FIRST_PAGE);
        try (PreparedStatement statement = connection.prepareStatement(sql.selectUnreleasedHistoryAfter())) {
            while (true) {
                statement.setLong(1, afterId);
                statement.setInt(2, page);
                int read = 0;
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        HistoryRow row = row(rs);
                        long size = row.approximateBytes();
                        if (!rows.isEmpty() && bytes + size > maxBytes) {
                            return rows;
                        }
                        rows.add(row);
                        bytes += size;
                        afterId = row.id();
                        if (rows.size() >= limit) {
                            return rows;
                        }
                    }
                }
                if (read < page) {
                    return rows;
                }
                long average = Math.max(1L, bytes / rows.size());
                page = (int) Math.max(1L, Math.min(Math.min(MAX_PAGE, limit - rows.size()), (maxBytes - bytes) / average + 1));
            }
        }
    }

    /** The key of a history row (its key image), and whether capture has released the row. */
    public record StoredKey(long id, String keyData, boolean released) {
    }

    /** Receives the keys of {@link #forEachKeyOfTable}; false stops the visit. */
    public interface KeyVisitor {
        boolean visit(StoredKey key) throws SQLException;
    }

    /**
     * Visits every history row of one local table, released or not, in id order, with its id, key image and release
     * state only, never its row images, a page of {@code pageSize} rows at a time: memory stays flat however much
     * history is kept (a target that is down holds every released row back).
     */
    public void forEachKeyOfTable(Connection connection, String localTableName, int pageSize, KeyVisitor visitor) throws SQLException {
        long afterId = Long.MIN_VALUE;
        try (PreparedStatement statement = connection.prepareStatement(sql.selectHistoryKeysOfTable())) {
            while (true) {
                statement.setString(1, localTableName);
                statement.setLong(2, afterId);
                statement.setString(3, localTableName);
                statement.setLong(4, afterId);
                statement.setInt(5, pageSize);
                int read = 0;
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        afterId = rs.getLong(1);
                        if (!visitor.visit(new StoredKey(afterId, rs.getString(2), rs.getInt(3) == 1))) {
                            return;
                        }
                    }
                }
                if (read < pageSize) {
                    return;
                }
            }
        }
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

    /** A batched statement per range: released_at first when given, then the range as the dialect binds it. */
    private void releaseRanges(Connection connection, String rangeSql, List<IdRanges.Range> ranges, Long releasedAt)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(rangeSql)) {
            int pending = 0;
            for (IdRanges.Range range : ranges) {
                int index = 1;
                if (releasedAt != null) {
                    statement.setLong(index++, releasedAt);
                }
                sql.bindHistoryRange(statement, index, range.first(), range.last());
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
