/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import java.util.Objects;

/**
 * A rule a field's value must meet before it is applied anywhere.
 *
 * @param field   canonical field name
 * @param kind    what is checked
 * @param pattern the regular expression for {@link Kind#PATTERN}, else null
 * @param action  what happens to a value that breaks the rule
 */
public record ValidationRule(String field, Kind kind, String pattern, Action action) {

    public enum Kind { REQUIRED, PATTERN, EMAIL }

    /** REJECT sends the record to failure; STANDARDIZE trims (and lower-cases e-mail) and re-checks. */
    public enum Action { REJECT, STANDARDIZE }

    public ValidationRule {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(kind, "kind");
        action = action == null ? Action.REJECT : action;
        if (kind == Kind.PATTERN && (pattern == null || pattern.isEmpty())) {
            throw new IllegalArgumentException("Validation rule on '" + field + "' of kind PATTERN needs a pattern");
        }
    }
}
