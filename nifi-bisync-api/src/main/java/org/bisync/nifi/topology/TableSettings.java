/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.topology;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How one table is synced. Field and table names here are canonical: change records use them, and each system
 * maps them to its own names through {@link #localName(String)} and {@link #localFieldName(String, String)}.
 *
 * @param name            canonical table name
 * @param localNames      the table's name per system, where it differs from {@code name}
 * @param direction       two-way, or one-way from {@code source}
 * @param source          the system a one-way table (or view) flows from; null for two-way
 * @param syncKey         canonical key fields; empty means the table's primary key
 * @param strategy        conflict strategy
 * @param timestampField  for last-write-wins by a user column (such as {@code last_modified}); null to use the clock
 * @param includedFields  fields to sync; empty means all columns
 * @param excludedFields  fields never synced (for example an {@code updated_at} bumped by a local trigger)
 * @param fields          per-field settings: owner, one-way, names
 * @param viewChangeColumn non-null when the source is a view, polled on this column instead of carrying triggers
 * @param validations     rules values must meet before apply
 */
public record TableSettings(
        String name,
        Map<String, String> localNames,
        Direction direction,
        String source,
        List<String> syncKey,
        Strategy strategy,
        String timestampField,
        List<String> includedFields,
        List<String> excludedFields,
        Map<String, FieldSettings> fields,
        String viewChangeColumn,
        List<ValidationRule> validations) {

    public TableSettings {
        Objects.requireNonNull(name, "name");
        localNames = localNames == null ? Map.of() : Map.copyOf(localNames);
        direction = direction == null ? Direction.TWO_WAY : direction;
        syncKey = syncKey == null ? List.of() : List.copyOf(syncKey);
        strategy = strategy == null ? Strategy.LAST_WRITE_WINS : strategy;
        includedFields = includedFields == null ? List.of() : List.copyOf(includedFields);
        excludedFields = excludedFields == null ? List.of() : List.copyOf(excludedFields);
        fields = fields == null ? Map.of() : Map.copyOf(fields);
        validations = validations == null ? List.of() : List.copyOf(validations);
        if (direction == Direction.ONE_WAY && source == null) {
            throw new IllegalArgumentException("Table '" + name + "' is one-way and needs a source system");
        }
        if (direction == Direction.TWO_WAY && source != null) {
            throw new IllegalArgumentException("Table '" + name + "' is two-way and must not name a source system");
        }
        if (viewChangeColumn != null && direction != Direction.ONE_WAY) {
            throw new IllegalArgumentException("Table '" + name + "' is a view: a view can only be a one-way source, set direction ONE_WAY");
        }
    }

    /** A two-way last-write-wins table synced on its primary key with every column. */
    public static TableSettings twoWay(String name) {
        return new TableSettings(name, null, Direction.TWO_WAY, null, null, Strategy.LAST_WRITE_WINS, null, null, null, null, null, null);
    }

    public TableSettings withStrategy(Strategy newStrategy) {
        return new TableSettings(name, localNames, direction, source, syncKey, newStrategy, timestampField, includedFields,
                excludedFields, fields, viewChangeColumn, validations);
    }

    public TableSettings withExcludedFields(List<String> newExcluded) {
        return new TableSettings(name, localNames, direction, source, syncKey, strategy, timestampField, includedFields,
                newExcluded, fields, viewChangeColumn, validations);
    }

    public TableSettings withFields(Map<String, FieldSettings> newFields) {
        return new TableSettings(name, localNames, direction, source, syncKey, strategy, timestampField, includedFields,
                excludedFields, newFields, viewChangeColumn, validations);
    }

    /** The table's name in a system. */
    public String localName(String systemId) {
        return localNames.getOrDefault(systemId, name);
    }

    /** A canonical field's column name in a system. */
    public String localFieldName(String canonicalField, String systemId) {
        FieldSettings settings = fields.get(canonicalField);
        return settings == null ? canonicalField : settings.names().getOrDefault(systemId, canonicalField);
    }

    /** The canonical name of a system's column, the inverse of {@link #localFieldName(String, String)}. */
    public String canonicalFieldName(String localColumn, String systemId) {
        for (Map.Entry<String, FieldSettings> entry : fields.entrySet()) {
            if (localColumn.equals(entry.getValue().names().get(systemId))) {
                return entry.getKey();
            }
        }
        return localColumn;
    }

    public FieldSettings field(String canonicalField) {
        return fields.getOrDefault(canonicalField, FieldSettings.none());
    }

    /** Whether a canonical field takes part in the sync at all (included and not excluded). */
    public boolean isSynced(String canonicalField) {
        if (excludedFields.contains(canonicalField)) {
            return false;
        }
        return includedFields.isEmpty() || includedFields.contains(canonicalField) || syncKey.contains(canonicalField);
    }

    /** Whether this system's changes of the table travel to other systems. */
    public boolean flowsFrom(String systemId) {
        return direction == Direction.TWO_WAY || systemId.equals(source);
    }

    /** Whether changes of the table are written into this system. */
    public boolean flowsTo(String systemId) {
        return direction == Direction.TWO_WAY || !systemId.equals(source);
    }

    /** Whether an edit of this field made at {@code systemId} travels (one-way fields travel only from their owner). */
    public boolean fieldFlowsFrom(String canonicalField, String systemId) {
        FieldSettings settings = field(canonicalField);
        return !settings.oneWay() || settings.owner().equals(systemId);
    }

    /** Fields with a field version of their own: all synced fields under field-level strategies, else one-way fields. */
    public Set<String> oneWayFields() {
        return fields.entrySet().stream().filter(e -> e.getValue().oneWay()).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public boolean isView() {
        return viewChangeColumn != null;
    }
}
