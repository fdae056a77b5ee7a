/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.apply;

import org.bisync.nifi.topology.ValidationRule;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a row against a table's {@link ValidationRule}s before apply. REJECT reports the first broken rule;
 * STANDARDIZE trims the value (and lower-cases an e-mail address), writes it back into the row and checks again.
 */
final class FieldValidator {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    /** A broken rule. */
    record Violation(String field, String message) {
    }

    /** The outcome for one row: a violation, or null and whether a value was standardized. */
    record Checked(Violation violation, boolean standardized) {
    }

    private final List<ValidationRule> rules;
    private final Map<String, Pattern> patterns;

    FieldValidator(List<ValidationRule> rules) {
        this.rules = rules;
        this.patterns = new java.util.HashMap<>();
        for (ValidationRule rule : rules) {
            if (rule.kind() == ValidationRule.Kind.PATTERN) {
                patterns.put(rule.field(), Pattern.compile(rule.pattern()));
            }
        }
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Checks (and where allowed rewrites) the values of {@code row}, a mutable map of canonical field to value. */
    Checked check(Map<String, Object> row) {
        boolean standardized = false;
        for (ValidationRule rule : rules) {
            Object value = row.get(rule.field());
            if (rule.action() == ValidationRule.Action.STANDARDIZE && value instanceof String text) {
                String clean = text.trim();
                if (rule.kind() == ValidationRule.Kind.EMAIL) {
                    clean = clean.toLowerCase(Locale.ROOT);
                }
                if (!clean.equals(text)) {
                    row.put(rule.field(), clean);
                    value = clean;
                    standardized = true;
                }
            }
            String broken = broken(rule, value);
            if (broken != null) {
                return new Checked(new Violation(rule.field(), "Field '" + rule.field() + "' " + broken), false);
            }
        }
        return new Checked(null, standardized);
    }

    private String broken(ValidationRule rule, Object value) {
        return switch (rule.kind()) {
            case REQUIRED -> value == null || (value instanceof String s && s.isBlank()) ? "is required but is empty" : null;
            case PATTERN -> value != null && !patterns.get(rule.field()).matcher(value.toString()).matches()
                    ? "does not match the pattern " + rule.pattern() + ": '" + value + "'" : null;
            case EMAIL -> value != null && !EMAIL.matcher(value.toString()).matches()
                    ? "is not an e-mail address: '" + value + "'" : null;
        };
    }
}
