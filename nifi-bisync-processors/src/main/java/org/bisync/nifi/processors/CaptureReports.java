/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.processors;

import org.apache.nifi.logging.ComponentLog;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.metrics.CommitTiming;
import org.bisync.nifi.capture.CaptureLease;
import org.bisync.nifi.capture.CaptureMaintenance;
import org.bisync.nifi.capture.ClockMonitor;
import org.bisync.nifi.capture.TriggerInstaller;

import java.util.List;

/**
 * Says what CaptureTriggerHistory's lease, installation and maintenance found: in its log (warnings become bulletins)
 * and in gauges; and refuses to go on when Verify Only finds the installation not as the configuration needs.
 */
final class CaptureReports {

    private final ComponentLog log;

    CaptureReports(ComponentLog log) {
        this.log = log;
    }

    /** A lease taken over; while another reader holds it, a warning naming it when {@code refusalDue}. */
    void lease(String systemId, CaptureLease.Status lease, boolean refusalDue) {
        if (lease.tookOverFrom() != null) {
            log.warn("Took over the capture lease of system {} from {}: its heartbeat stood still for the Lease Timeout",
                    systemId, lease.tookOverFrom());
        }
        if (!lease.held() && refusalDue) {
            log.warn("Capture from system {} does not run: its history is read by another CaptureTriggerHistory, {} (a "
                    + "copied process group or a second NiFi?). Only one reader per system may run: stop one of them. This one "
                    + "takes over when the other stops or its heartbeat stands still for the Lease Timeout.", systemId, lease.holder());
        }
    }

    void unconfigured(String systemId, List<String> tables) {
        if (!tables.isEmpty()) {
            log.info("Tables of system {} that are not configured for sync and are left alone: {}", systemId, tables);
        }
    }

    /**
     * Verify Only: refuses to go on unless every table is installed as this configuration needs and its triggers fire.
     * Install and Maintain: a warning per table whose triggers were found dropped or disabled and rebuilt (what it wrote
     * meanwhile is lost to the sync), and a note of the tables installed or rebuilt.
     */
    void triggers(CaptureMaintenance.TriggerReport triggers, String systemId, boolean maintenance) {
        if (!triggers.current()) {
            throw new ProcessException("Triggers of system " + systemId + " are not as this configuration needs: "
                    + triggers.problems() + ". Run the script of ManageSyncTriggers (Generate SQL) or switch Trigger Management to "
                    + CaptureTriggerHistory.INSTALL.getValue());
        }
        for (TriggerInstaller.TableCheck check : triggers.broken()) {
            log.warn("Rebuilt the triggers of table {} in system {}: {} (dropped or disabled outside nifi-bisync). Writes to "
                    + "the table while capture was off wrote no history and have not travelled: compare the table with the "
                    + "other systems", check.table().localName(), systemId, String.join(", ", check.problems()));
        }
        if (triggers.changed().isEmpty()) {
            return;
        }
        if (maintenance) {
            log.warn("Rebuilt the triggers of {} in system {}: their columns or sync settings changed", triggers.changed(), systemId);
        } else {
            log.info("Installed or rebuilt triggers of {} in system {}", triggers.changed(), systemId);
        }
    }

    /** The clock offset (a warning beyond {@code clockWarningMicros}), the history kept and waiting, as gauges. */
    void maintenance(ProcessSession session, String systemId, CaptureMaintenance.Report report, long clockWarningMicros) {
        ClockMonitor.Reading clock = report.clock();
        if (Math.abs(clock.offsetMicros()) > clockWarningMicros) {
            log.warn("The clock of system {} is {} ms {} NiFi's (correction in force: {} ms)", systemId,
                    Math.abs(clock.offsetMicros()) / 1000, clock.offsetMicros() > 0 ? "ahead of" : "behind", report.correctionMicros() / 1000);
        }
        session.recordGauge("Clock offset millis", clock.offsetMicros() / 1000.0, CommitTiming.NOW);
        CaptureMaintenance.KeptHistory kept = report.kept();
        session.recordGauge("Released history kept seconds", kept.keptMicros() / 1_000_000.0, CommitTiming.NOW);
        if (!kept.lagging().isEmpty()) {
            log.warn("Released history of system {} has waited {} min for the acknowledgement of {} (history id {}): it is "
                    + "kept until they decide it; check their flows, or remove a system that no longer syncs from the topology",
                    systemId, kept.keptMicros() / 60_000_000L, kept.lagging(), kept.historyId());
        }
        session.recordGauge("Backlog age seconds", report.backlogAgeSeconds(), CommitTiming.NOW);
        session.recordGauge("Backlog changes", report.backlogCount(), CommitTiming.NOW);
    }
}
