/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Per-JVM directories are named with the JVM's pid, so those of JVMs that were killed can be found and removed. */
final class StaleDirectories {

    private static final Pattern PID = Pattern.compile("-pid(\\d+)-");

    private StaleDirectories() {
    }

    static String pidPrefix() {
        return "pid" + ProcessHandle.current().pid() + "-";
    }

    static void deleteDirectoriesOfDeadProcesses(final Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(StaleDirectories::ownerIsDead).forEach(EmbeddedMariaDbServer::deleteQuietly);
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }

    private static boolean ownerIsDead(final Path directory) {
        final Matcher matcher = PID.matcher(directory.getFileName().toString());
        if (!matcher.find()) {
            return false;
        }
        final long pid = Long.parseLong(matcher.group(1));
        return ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
    }
}
