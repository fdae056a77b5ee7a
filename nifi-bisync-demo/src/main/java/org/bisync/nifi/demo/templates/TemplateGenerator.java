/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.demo.templates;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.nifi.registry.flow.RegisteredFlowSnapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the flow definitions of {@link Templates} as the JSON NiFi 2 reads with "Upload flow definition": pretty,
 * object keys in alphabetical order, components in the order they were built, nulls left out.
 *
 * <p>Run it after changing a template: {@code ./mvnw -q -pl nifi-bisync-demo -Ptemplates process-classes}, or
 * {@code java ... TemplateGenerator <templates dir>}. TemplateTest fails while a committed file differs from this output.
 */
public final class TemplateGenerator {

    private static final ObjectMapper WRITER = JsonMapper.builder()
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, false)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** Reads a flow definition strictly: a key NiFi's model does not know is an error. */
    public static final ObjectMapper STRICT_READER = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .build();

    /** Lenient reader for the harness (files written by NiFi itself carry keys newer than our nifi-api). */
    public static final ObjectMapper READER = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .build();

    private TemplateGenerator() {
    }

    public static String toJson(RegisteredFlowSnapshot snapshot) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return WRITER.writer(printer).writeValueAsString(snapshot) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise flow " + snapshot.getFlowContents().getName(), e);
        }
    }

    /** Every template file name with the JSON it must hold. */
    public static Map<String, String> render() {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        Templates.all().forEach((name, snapshot) -> files.put(name, toJson(snapshot)));
        return files;
    }

    public static void write(Path directory) {
        try {
            Files.createDirectories(directory);
            for (Map.Entry<String, String> file : render().entrySet()) {
                Files.writeString(directory.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
                System.out.println("Wrote " + directory.resolve(file.getKey()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        write(Path.of(args.length > 0 ? args[0] : "templates").toAbsolutePath().normalize());
    }
}
