/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.KeyCodec;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The initial load of a system's tables, page by page: at most a budget of rows per run, each page read in its own
 * transaction by {@link SnapshotReader}. The position, the last key emitted per table and the tables done, is kept in
 * a state map the caller stores together with the pages (CaptureTriggerHistory: its cluster state, with the FlowFiles'
 * session), so a restart, of NiFi or of the database, goes on after the last page that was stored: no row is lost, and a
 * page read again after a crash carries the same versions, which the targets find already applied.
 */
public final class InitialLoad {

    /** State key prefix of a table whose load is done (followed by the canonical table name). */
    public static final String STATE_DONE = "snapshot.done.";
    /** State key prefix of a table's position: the encoded last key emitted (followed by the canonical table name). */
    public static final String STATE_AFTER = "snapshot.after.";

    /**
     * A page read, possibly empty (a page can end before its first row, see {@link SnapshotReader#readPage}).
     *
     * @param after the encoded key the page starts after ({@link KeyCodec}), null on a table's first page
     * @param last  the encoded key of its last row, null on the page that reaches the table's end
     */
    public record Page(SyncedTable table, List<ChangeRecord> changes, String after, String last) {
    }

    /** Receives each page as it was read, before the next is. */
    @FunctionalInterface
    public interface PageSink {
        void accept(Page page);
    }

    private final SnapshotReader reader;
    private final String systemId;
    private final LongSupplier nowMicros;

    /** @param nowMicros the capture time the rows are given */
    public InitialLoad(Dialect dialect, String systemId, LongSupplier nowMicros) {
        this.reader = new SnapshotReader(dialect, systemId);
        this.systemId = systemId;
        this.nowMicros = nowMicros;
    }

    /**
     * Reads the next pages of the tables that flow from this system and whose load is not done, in their order, until
     * {@code budget} rows are read, and updates {@code state} to where the load stands.
     *
     * @param perPage the most rows a page holds
     * @return the number of rows read
     */
    public int next(Connection connection, List<SyncedTable> tables, Map<String, String> state, int budget, int perPage, PageSink sink)
            throws SQLException {
        int read = 0;
        for (SyncedTable table : tables) {
            if (state.containsKey(STATE_DONE + table.canonicalName()) || !table.settings().flowsFrom(systemId)) {
                continue;
            }
            read += loadTable(connection, table, state, budget - read, perPage, sink);
            if (read >= budget) {
                break;
            }
        }
        return read;
    }

    private int loadTable(Connection connection, SyncedTable table, Map<String, String> state, int budget, int perPage, PageSink sink)
            throws SQLException {
        String positionKey = STATE_AFTER + table.canonicalName();
        int read = 0;
        while (read < budget) {
            String position = state.get(positionKey);
            List<ChangeRecord> changes = new ArrayList<>();
            SnapshotReader.Page page;
            try {
                page = reader.readPage(connection, table, position == null ? null : KeyCodec.decode(position),
                        Math.min(perPage, budget - read), nowMicros.getAsLong(), changes::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the sink is a list: never thrown
            }
            sink.accept(new Page(table, changes, position, page.complete() ? null : KeyCodec.encode(page.lastKey())));
            read += (int) page.rows();
            if (page.complete()) {
                state.remove(positionKey);
                state.put(STATE_DONE + table.canonicalName(), "true");
                break;
            }
            state.put(positionKey, KeyCodec.encode(page.lastKey()));
            if (page.rows() == 0) {
                break; // the page ended before its first row: the next run goes on
            }
        }
        return read;
    }
}
