/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The module's README names only classes that exist in the repository's sources (it once named a removed one). */
class ReadmeNamesTest {

    private static final Pattern CLASS_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]+)`");

    @Test
    void everyClassTheReadmeNamesExists() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Set<String> named = CLASS_NAME.matcher(readme).results().map(m -> m.group(1)).collect(Collectors.toCollection(java.util.TreeSet::new));
        assertFalse(named.isEmpty(), "the README names classes in backticks");
        Set<String> sources;
        try (Stream<Path> files = Files.walk(Path.of("..").toAbsolutePath().normalize())) { // the repository, from the module
            sources = files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/"))
                    .map(f -> f.getFileName().toString().replace(".java", "")).collect(Collectors.toSet());
        }
        List<String> missing = named.stream().filter(name -> !sources.contains(name)).toList();
        assertEquals(List.of(), missing, "classes the README names that do not exist");
    }
}
