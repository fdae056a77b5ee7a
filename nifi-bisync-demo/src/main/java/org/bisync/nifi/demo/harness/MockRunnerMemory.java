/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.harness;

import org.apache.nifi.util.MockSessionFactory;
import org.apache.nifi.util.TestRunner;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * nifi-mock's session factory keeps every session a runner ever created, with the content of the FlowFiles that went
 * through it, its provenance events and its logger every message with its arguments: memory that grows with everything
 * the flow ever moved (a 1,000,000-row initial load does not fit in 256 MB that way), where NiFi keeps neither. Once a
 * run's outputs have been taken, its sessions are dropped (FlowFiles a session rolled back are in the runner's queue, not
 * in the session).
 */
final class MockRunnerMemory {

    private final Consumer<String> log;
    private boolean warned;

    MockRunnerMemory(Consumer<String> log) {
        this.log = log;
    }

    void releaseFinishedSessions(TestRunner runner) {
        runner.clearProvenanceEvents();
        // nifi-mock's logger keeps every message with its arguments (FlowFiles and their content); warnings and errors
        // are kept for the tests that read them
        try {
            Field logger = runner.getLogger().getClass().getDeclaredField("logger");
            logger.setAccessible(true);
            Object capturing = logger.get(runner.getLogger());
            for (String level : List.of("traceMessages", "debugMessages", "infoMessages")) {
                Field messages = capturing.getClass().getDeclaredField(level);
                messages.setAccessible(true);
                ((Collection<?>) messages.get(capturing)).clear();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce("cannot release nifi-mock's log messages (" + e + "): the harness's memory grows with what it moves");
        }
        try {
            Field sessions = MockSessionFactory.class.getDeclaredField("createdSessions");
            sessions.setAccessible(true);
            ((Collection<?>) sessions.get(runner.getProcessSessionFactory())).clear();
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce("cannot release nifi-mock's finished sessions (" + e + "): the harness's memory grows with what it moves");
        }
    }

    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            log.accept(message);
        }
    }
}
