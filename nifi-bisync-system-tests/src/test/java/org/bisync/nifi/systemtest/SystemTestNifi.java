/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Gives tests the one NiFi of the test run ({@link NifiServer}), started at the first test that asks for it from
 * {@code -Dnifi.home} / {@code NIFI_HOME} under target/, with the NARs the reactor built, and stopped when every test
 * ran. Without a NiFi given, every test fails with how to give one.
 */
public final class SystemTestNifi implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SystemTestNifi.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == NifiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(Started.class, type -> Started.attempt(), Started.class).server();
    }

    /** The one attempt to start NiFi: a failure is kept, so every later test fails with it instead of trying again. */
    private record Started(NifiServer nifi, RuntimeException failure) implements AutoCloseable {
        static Started attempt() {
            try {
                return new Started(start(), null);
            } catch (RuntimeException e) {
                return new Started(null, e);
            }
        }

        NifiServer server() {
            if (failure != null) {
                throw new IllegalStateException("NiFi did not start: " + failure.getMessage(), failure);
            }
            return nifi;
        }

        @Override
        public void close() {
            if (nifi != null) {
                nifi.close();
            }
        }
    }

    private static NifiServer start() {
        Path home = NifiServer.configuredHome();
        Path work = Path.of(required("bisync.nifi.work"));
        return NifiServer.start(home, work, List.of(Path.of(required("bisync.api.nar")), Path.of(required("bisync.nar"))),
                Duration.ofMinutes(4));
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("System property " + property + " is not set: run the system tests through Maven, "
                    + "./mvnw verify -Psystem-tests -Dnifi.home=... (see README, 'System tests')");
        }
        return value;
    }
}
