/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A sync key as a value that compares equal whatever loose Java type carried it (an Integer from a record reader and
 * a Long read from the database, {@code 1.50} and {@code 1.5}, {@code byte[]} and {@code Object[]} of Byte).
 */
public record KeyValues(List<String> parts) {

    public KeyValues {
        parts = List.copyOf(parts);
    }

    /** The key of a row map (canonical names), in the order of {@code keyFields}. */
    public static KeyValues of(Map<String, Object> row, List<String> keyFields) {
        List<String> parts = new ArrayList<>(keyFields.size());
        for (String field : keyFields) {
            parts.add(normalize(row.get(field)));
        }
        return new KeyValues(parts);
    }

    static String normalize(Object value) {
        if (value == null) {
            return "\u0000null";
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
        }
        if (value instanceof Number number) {
            return normalize(new BigDecimal(number.toString()));
        }
        if (value instanceof byte[] bytes) {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof Object[] array) {
            byte[] bytes = new byte[array.length];
            for (int i = 0; i < array.length; i++) {
                if (!(array[i] instanceof Number n)) {
                    return java.util.Arrays.toString(array);
                }
                bytes[i] = n.byteValue();
            }
            return normalize(bytes);
        }
        return value.toString();
    }

    @Override
    public String toString() {
        return parts.size() == 1 ? parts.get(0) : parts.toString();
    }
}
