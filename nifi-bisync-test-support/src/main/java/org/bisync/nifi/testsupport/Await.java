/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a state another thread or session brings about (a session waiting on a lock, a row written, a round run),
 * instead of sleeping for a guessed time. The bound is generous on purpose: it is reached only when something hangs,
 * never because a machine is slow, and then the test fails naming what it waited for.
 */
public final class Await {

    /** How long a wait may take before it counts as a hang. */
    public static final long GENEROUS_SECONDS = 120;

    /** How often a condition is checked unless the caller says otherwise. */
    public static final long POLL_MILLIS = 5;

    /** A state to wait for; may read a database. */
    @FunctionalInterface
    public interface Condition {
        boolean met() throws Exception;
    }

    private Await() {
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #GENEROUS_SECONDS}. */
    public static void until(Condition condition, String what) {
        until(condition, what, () -> "");
    }

    /**
     * Waits until {@code condition} holds; after {@link #GENEROUS_SECONDS} fails naming {@code what}, with what
     * {@code diagnostics} says about the state then (for example the database's sessions).
     */
    public static void until(Condition condition, String what, Callable<String> diagnostics) {
        until(condition, what, diagnostics, POLL_MILLIS);
    }

    /**
     * As {@link #until(Condition, String, Callable)}, checking every {@code pollMillis}: for a state a server shows
     * through a cache that a faster poll keeps from being refreshed (MariaDB's INNODB_TRX).
     */
    public static void until(Condition condition, String what, Callable<String> diagnostics, long pollMillis) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS);
        try {
            while (!condition.met()) {
                if (System.nanoTime() > deadline) {
                    String details = diagnostics.call();
                    throw new AssertionError("Gave up after " + GENEROUS_SECONDS + " s waiting until " + what
                            + (details == null || details.isEmpty() ? "" : "; " + details));
                }
                Thread.sleep(pollMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted waiting until " + what, e);
        } catch (AssertionError | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("Could not check whether " + what + ": " + e, e);
        }
    }
}
