/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.bisync.nifi.capture.CaptureLease;
import org.bisync.nifi.capture.CaptureMaintenance;
import org.bisync.nifi.capture.CapturePoll;
import org.bisync.nifi.capture.ChangeDecoder;
import org.bisync.nifi.capture.HistoryReader;
import org.bisync.nifi.capture.SystemInstallation;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableCache;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.SyncTopologyService;
import org.bisync.nifi.topology.TableSettings;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** What one scheduled run of the processor keeps: the system, its dialect, its tables and readers. */
final class CaptureSession {
    private final SyncTopologyService service;
    private final SyncTopology topology;
    private final String systemId;
    private Dialect dialect;
    private String jdbcUrl;
    private SyncedTableCache tables;
    private HistoryReader reader;
    private CapturePoll poll;
    private volatile long clockOffsetMicros;
    private CaptureLease lease;
    private CaptureMaintenance maintenance;
    private volatile boolean prepared;
    private String refusedHolder;
    private long refusalWarnedAt;
    private long nextMaintenance;

    CaptureSession(SyncTopologyService service, SyncTopology topology, String systemId) {
        this.service = service;
        this.topology = topology;
        this.systemId = systemId;
    }

    void open(Dialect dialect, String jdbcUrl) {
        this.dialect = dialect;
        this.jdbcUrl = jdbcUrl == null ? "jdbc:unknown" : jdbcUrl.replaceAll("[?;].*$", "");
        this.tables = new SyncedTableCache(topology, systemId, dialect);
        this.reader = new HistoryReader(dialect.capture());
        this.poll = new CapturePoll(reader, new ChangeDecoder(dialect.types(), systemId), systemId);
    }

    Connection connection() {
        return service.getConnectionPool(systemId).getConnection();
    }

    List<SyncedTable> resolveAll(Connection connection) throws SQLException {
        List<SyncedTable> resolved = new ArrayList<>();
        for (TableSettings settings : topology.tables()) {
            if (!SystemInstallation.isViewSource(settings, systemId)) {
                resolved.add(tables.table(connection, settings.name()));
            }
        }
        return resolved;
    }

    Optional<SyncedTable> byLocalName(Connection connection, String localName) throws SQLException {
        Optional<TableSettings> settings = topology.tableByLocalName(localName, systemId);
        return settings.isEmpty() ? Optional.empty() : Optional.of(tables.table(connection, settings.get().name()));
    }

    private long lastViewPoll;

    boolean viewPollDue(long intervalMillis) {
        long now = System.currentTimeMillis();
        if (now - lastViewPoll < intervalMillis) {
            return false;
        }
        lastViewPoll = now;
        return true;
    }

    boolean maintenanceDue(long intervalMillis) {
        return maintenanceDue(System.currentTimeMillis(), intervalMillis);
    }

    /**
     * Whether maintenance runs now: at the first run, then after the interval with up to a quarter of it off or on at
     * random. Captures started together (both sides of a pair) thereby drift apart: their maintenance, a burst of queries
     * that holds back the poll behind it, does not stall every direction at the same moment each interval.
     */
    boolean maintenanceDue(long nowMillis, long intervalMillis) {
        if (nowMillis < nextMaintenance) {
            return false;
        }
        nextMaintenance = nowMillis + Math.round(intervalMillis * (0.75 + 0.5 * ThreadLocalRandom.current().nextDouble()));
        return true;
    }

    /** Makes maintenance due at the next run. */
    void maintenanceFailed() {
        nextMaintenance = 0;
    }

    String transitUri(String table) {
        return jdbcUrl + "#" + table;
    }

    /** Whether a refusal by {@code holder} should be reported now: when the holder changed, else once per period. */
    synchronized boolean refusalDue(String holder, long nowMicros) {
        if (holder.equals(refusedHolder) && nowMicros - refusalWarnedAt < REFUSAL_REPEAT_MICROS) {
            return false;
        }
        refusedHolder = holder;
        refusalWarnedAt = nowMicros;
        return true;
    }

    private static final long REFUSAL_REPEAT_MICROS = 60_000_000L;

    void lease(CaptureLease lease) { this.lease = lease; }
    void maintenance(CaptureMaintenance maintenance) { this.maintenance = maintenance; }
    CaptureMaintenance maintenance() { return maintenance; }
    CaptureLease lease() { return lease; }
    void prepared() { prepared = true; }
    boolean isPrepared() { return prepared; }
    Dialect dialect() { return dialect; }
    SyncTopology topology() { return topology; }
    String systemId() { return systemId; }
    SyncedTableCache tables() { return tables; }
    HistoryReader reader() { return reader; }
    CapturePoll poll() { return poll; }
    long clockOffsetMicros() { return clockOffsetMicros; }
    void clockOffsetMicros(long offset) { clockOffsetMicros = offset; }
}
