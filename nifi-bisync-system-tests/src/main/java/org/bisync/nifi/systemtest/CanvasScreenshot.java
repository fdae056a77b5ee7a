/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PNG of a page of NiFi's web UI (a process group on the canvas), taken with a headless Chromium (Debian's
 * {@code chromium}, or the executable named by {@code -Dbisync.chromium}). NiFi's UI is an Angular app that loads
 * after the page: Chromium's virtual time budget lets it finish before the picture is taken.
 */
public final class CanvasScreenshot {

    private CanvasScreenshot() {
    }

    public static void take(String url, Path png, int width, int height) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            Path profile = Files.createTempDirectory("bisync-chromium");
            List<String> command = List.of(System.getProperty("bisync.chromium", "chromium"), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
                    "--window-size=" + width + "," + height, "--virtual-time-budget=20000",
                    "--screenshot=" + png.toAbsolutePath(), url);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("chromium did not finish the screenshot of " + url + " within 2 min");
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(png)) {
                throw new IllegalStateException("chromium failed (exit " + process.exitValue() + ") on " + url);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run chromium for a screenshot of " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
