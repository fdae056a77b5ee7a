/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.change;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A key (the record values of its columns, in key order) as text and back, with each value's Java type kept: the
 * initial load's position in processor state and the key range of a load page in FlowFile attributes. Engine-neutral:
 * it carries the canonical record values of {@link org.bisync.nifi.dialect.TypeMapping}, which every dialect binds.
 */
public final class KeyCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyCodec() {
    }

    public static String encode(List<Object> key) {
        ArrayNode array = JSON.createArrayNode();
        for (Object value : key) {
            array.add(tagged(value));
        }
        return array.toString();
    }

    public static List<Object> decode(String text) {
        JsonNode array;
        try {
            array = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not an encoded key: " + e.getOriginalMessage());
        }
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("Not an encoded key: expected a JSON array");
        }
        List<Object> key = new ArrayList<>();
        for (JsonNode item : array) {
            key.add(value(item.asText()));
        }
        return key;
    }

    private static String tagged(Object value) {
        if (value == null) {
            return "n";
        }
        if (value instanceof Long l) {
            return "L" + l;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return "I" + value;
        }
        if (value instanceof BigDecimal d) {
            return "D" + d.toPlainString();
        }
        if (value instanceof String s) {
            return "S" + s;
        }
        if (value instanceof Boolean b) {
            return "B" + b;
        }
        if (value instanceof Timestamp t) {
            return "T" + t.toLocalDateTime();
        }
        if (value instanceof Date d) {
            return "d" + d.toLocalDate();
        }
        if (value instanceof byte[] bytes) {
            return "X" + Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Double || value instanceof Float) {
            return "F" + value;
        }
        throw new IllegalArgumentException("A key value of type " + value.getClass().getSimpleName() + " cannot be encoded");
    }

    private static Object value(String tagged) {
        if (tagged.isEmpty()) {
            throw new IllegalArgumentException("Not an encoded key value: empty");
        }
        String text = tagged.substring(1);
        return switch (tagged.charAt(0)) {
            case 'n' -> null;
            case 'L' -> Long.valueOf(text);
            case 'I' -> Integer.valueOf(text);
            case 'D' -> new BigDecimal(text);
            case 'S' -> text;
            case 'B' -> Boolean.valueOf(text);
            case 'T' -> Timestamp.valueOf(LocalDateTime.parse(text));
            case 'd' -> Date.valueOf(LocalDate.parse(text));
            case 'X' -> Base64.getDecoder().decode(text);
            case 'F' -> Double.valueOf(text);
            default -> throw new IllegalArgumentException("Not an encoded key value: unknown type tag " + tagged.charAt(0));
        };
    }
}
