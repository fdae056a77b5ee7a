/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.purge.AckCompaction;
import org.bisync.nifi.purge.AckLedger;
import org.bisync.nifi.purge.SyncPeers;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.SyncTopology;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * What capture of one system does besides reading its history: the installation of the triggers (installed and rebuilt,
 * or only verified), and the periodic maintenance run (the installation check again, the clock check and correction, the
 * purge of released history every target acknowledged, the merge of acknowledgement rows (AckCompaction), and the
 * measures of what is kept and what waits). Each step
 * returns what it found; the caller reports it (and refuses to go on when Verify Only finds a problem).
 */
public final class CaptureMaintenance {

    /**
     * @param installTriggers             whether triggers are installed and rebuilt (else only verified)
     * @param correctClock                whether the triggers' clock correction follows NiFi's clock
     * @param maxClockStepMicros          the most the correction moves per run
     * @param retentionMicros             how long released history is kept once every target acknowledged it
     * @param unacknowledgedWarningMicros how long beyond the retention a released row may wait before its laggards are named
     */
    public record Settings(boolean installTriggers, boolean correctClock, long maxClockStepMicros, long retentionMicros,
                           long unacknowledgedWarningMicros) {
    }

    /**
     * What the installation of the triggers found.
     *
     * @param broken   tables whose triggers were found dropped or disabled and were rebuilt
     * @param changed  tables installed or rebuilt because they were missing or their columns or sync settings changed
     * @param problems in Verify Only: each table that is not installed as the configuration needs, described
     */
    public record TriggerReport(List<TriggerInstaller.TableCheck> broken, List<String> changed, List<String> problems) {
        public boolean current() {
            return problems.isEmpty();
        }
    }

    /**
     * The oldest released history row still kept.
     *
     * @param keptMicros how long it has been kept since its release (0 when none is kept)
     * @param historyId  its id (null when none is kept)
     * @param lagging    the targets that hold it back beyond the retention and the warning period (empty otherwise)
     */
    public record KeptHistory(long keptMicros, Long historyId, List<String> lagging) {
    }

    /** What a maintenance run found besides the triggers ({@link #installTriggers} runs first). */
    public record Report(ClockMonitor.Reading clock, long correctionMicros, KeptHistory kept, long backlogCount, double backlogAgeSeconds) {
    }

    private final Dialect dialect;
    private final SyncTopology topology;
    private final String systemId;
    private final Settings settings;
    private final LongSupplier nowMicros;
    private final LongSupplier nifiClockMicros;

    /**
     * @param nowMicros       the clock of release and install times
     * @param nifiClockMicros NiFi's clock, which the database clock is measured against
     */
    public CaptureMaintenance(Dialect dialect, SyncTopology topology, String systemId, Settings settings, LongSupplier nowMicros,
                              LongSupplier nifiClockMicros) {
        this.dialect = dialect;
        this.topology = topology;
        this.systemId = systemId;
        this.settings = settings;
        this.nowMicros = nowMicros;
        this.nifiClockMicros = nifiClockMicros;
    }

    /** Creates the shared bisync tables only (where the capture lease lives), when triggers are installed here. */
    public void installSharedTables(Connection connection) throws SQLException {
        if (settings.installTriggers()) {
            new TriggerInstaller(dialect).install(connection, List.of(), nowMicros.getAsLong());
        }
    }

    /** The tables of the system's database that no table of the topology names here: left alone, as the log says. */
    public List<String> unconfiguredTables(Connection connection) throws SQLException {
        Set<String> configured = new TreeSet<>();
        topology.tables().forEach(t -> configured.add(t.localName(systemId)));
        return dialect.catalog().listTables(connection).stream().filter(t -> !configured.contains(t)).toList();
    }

    /**
     * Installs what the tables need and rebuilds what changed or broke; in Verify Only, changes nothing and lists what is
     * not as the configuration needs.
     */
    public TriggerReport installTriggers(Connection connection, List<SyncedTable> tables) throws SQLException {
        TriggerInstaller installer = new TriggerInstaller(dialect);
        if (!settings.installTriggers()) {
            List<String> problems = installer.check(connection, tables).stream()
                    .filter(check -> check.status() != TriggerInstaller.Status.CURRENT).map(TriggerInstaller.TableCheck::describe).toList();
            return new TriggerReport(List.of(), List.of(), problems);
        }
        List<TriggerInstaller.TableCheck> installed = installer.install(connection, tables, nowMicros.getAsLong());
        List<TriggerInstaller.TableCheck> broken = installed.stream().filter(c -> c.status() == TriggerInstaller.Status.BROKEN).toList();
        List<String> changed = installed.stream().filter(c -> c.status() != TriggerInstaller.Status.BROKEN)
                .map(c -> c.table().localName()).toList();
        return new TriggerReport(broken, changed, List.of());
    }

    /**
     * The rest of a maintenance run, once {@link #installTriggers} found the installation current: the clock check and
     * correction, the purge of released history every target acknowledged, and what is kept and what waits.
     */
    public Report run(Connection connection, HistoryReader history) throws SQLException {
        ClockMonitor clock = new ClockMonitor(dialect.capture(), nifiClockMicros);
        ClockMonitor.Reading reading = clock.measure(connection);
        long correction = reading.correctionMicros();
        if (settings.correctClock()) {
            correction = clock.adjust(connection, reading, settings.maxClockStepMicros());
        }
        Set<String> targets = SyncPeers.targets(topology, systemId);
        long releasedBefore = nowMicros.getAsLong() - settings.retentionMicros() + 1;
        if (targets.isEmpty()) {
            history.purgeReleased(connection, releasedBefore);
        } else {
            new AckLedger(dialect.capture()).purgeAcknowledged(connection, targets, releasedBefore);
            AckCompaction compaction = new AckCompaction(dialect.capture());
            for (String target : targets) {
                compaction.compact(connection, target);
            }
        }
        KeptHistory kept = keptHistory(connection, history, targets);
        HistoryReader.Backlog backlog = history.backlog(connection);
        double ageSeconds = backlog.oldestCapturedAt() == null ? 0 : (nowMicros.getAsLong() - backlog.oldestCapturedAt()) / 1_000_000.0;
        return new Report(reading, correction, kept, backlog.count(), ageSeconds);
    }

    private KeptHistory keptHistory(Connection connection, HistoryReader history, Set<String> targets) throws SQLException {
        Optional<HistoryReader.KeptRelease> kept = history.oldestKeptRelease(connection);
        long keptMicros = kept.map(k -> nowMicros.getAsLong() - k.releasedAt()).orElse(0L);
        if (kept.isEmpty() || targets.isEmpty() || keptMicros <= settings.retentionMicros() + settings.unacknowledgedWarningMicros()) {
            return new KeptHistory(keptMicros, kept.map(HistoryReader.KeptRelease::id).orElse(null), List.of());
        }
        List<String> lagging = new AckLedger(dialect.capture()).notAcknowledging(connection, targets, kept.get().id());
        return new KeptHistory(keptMicros, kept.get().id(), lagging);
    }
}
