/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The order in which apply locks keys: column by column, numbers by value, text and other values by their natural
 * order (or their text). Every apply transaction takes its locks in this order, so two of them never wait on each other
 * in a cycle; within one statement the database's ORDER BY on the key decides.
 */
final class KeyOrder implements Comparator<Map<String, Object>> {

    private final List<String> fields;

    KeyOrder(List<String> fields) {
        this.fields = List.copyOf(fields);
    }

    @Override
    public int compare(Map<String, Object> a, Map<String, Object> b) {
        for (String field : fields) {
            int c = compareValues(a.get(field), b.get(field));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            try {
                return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString()));
            } catch (NumberFormatException e) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable comparable) {
            return comparable.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }
}
