/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

/** One line on System.out per embedded server start, so test logs show what a start cost. */
final class StartupLog {

    private StartupLog() {
    }

    static void started(final String what, final long startNanos, final String details) {
        final long millis = (System.nanoTime() - startNanos) / 1_000_000L;
        System.out.println("[nifi-bisync-test-support] " + what + " started in " + millis + " ms (" + details + ")");
    }
}
