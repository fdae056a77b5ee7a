/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.FieldSettings;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.bisync.nifi.topology.ValidationRule;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON topology definition. Unknown keys are errors, so a typo never silently changes a sync.
 * The format is documented in the service's additional details.
 */
public final class TopologyParser {

    private static final Set<String> TOP_KEYS = Set.of("systems", "tables", "hub");
    private static final Set<String> SYSTEM_KEYS = Set.of("id", "priority");
    private static final Set<String> TABLE_KEYS = Set.of("name", "names", "direction", "source", "syncKey", "strategy",
            "timestampField", "include", "exclude", "fields", "view", "validations");
    private static final Set<String> FIELD_KEYS = Set.of("owner", "oneWay", "names");
    private static final Set<String> VIEW_KEYS = Set.of("changeColumn");
    private static final Set<String> RULE_KEYS = Set.of("field", "kind", "pattern", "action");

    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    public SyncTopology parse(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Topology definition is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Topology definition must be a JSON object with 'systems' and 'tables'");
        }
        checkKeys(root, TOP_KEYS, "topology");
        List<SyncSystem> systems = new ArrayList<>();
        for (JsonNode node : array(root, "systems", "topology")) {
            checkKeys(node, SYSTEM_KEYS, "system");
            systems.add(new SyncSystem(requiredText(node, "id", "system"), node.path("priority").asInt(0)));
        }
        if (systems.isEmpty()) {
            throw new IllegalArgumentException("Topology definition names no systems");
        }
        List<TableSettings> tables = new ArrayList<>();
        for (JsonNode node : array(root, "tables", "topology")) {
            tables.add(table(node));
        }
        return new SyncTopology(systems, tables, text(root, "hub"));
    }

    private TableSettings table(JsonNode node) {
        checkKeys(node, TABLE_KEYS, "table");
        String name = requiredText(node, "name", "table");
        String where = "table '" + name + "'";
        Map<String, FieldSettings> fields = new LinkedHashMap<>();
        JsonNode fieldsNode = node.path("fields");
        for (Iterator<Map.Entry<String, JsonNode>> it = fieldsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            checkKeys(entry.getValue(), FIELD_KEYS, where + " field '" + entry.getKey() + "'");
            fields.put(entry.getKey(), new FieldSettings(text(entry.getValue(), "owner"),
                    entry.getValue().path("oneWay").asBoolean(false), stringMap(entry.getValue().path("names"))));
        }
        String viewChangeColumn = null;
        if (node.has("view")) {
            checkKeys(node.get("view"), VIEW_KEYS, where + " view");
            viewChangeColumn = requiredText(node.get("view"), "changeColumn", where + " view");
        }
        List<ValidationRule> rules = new ArrayList<>();
        for (JsonNode rule : array(node, "validations", where)) {
            checkKeys(rule, RULE_KEYS, where + " validation");
            rules.add(new ValidationRule(requiredText(rule, "field", where + " validation"),
                    enumValue(ValidationRule.Kind.class, requiredText(rule, "kind", where + " validation"), where),
                    text(rule, "pattern"),
                    rule.has("action") ? enumValue(ValidationRule.Action.class, text(rule, "action"), where) : null));
        }
        return new TableSettings(name, stringMap(node.path("names")),
                node.has("direction") ? enumValue(Direction.class, text(node, "direction"), where) : Direction.TWO_WAY,
                text(node, "source"), strings(node, "syncKey", where),
                node.has("strategy") ? enumValue(Strategy.class, text(node, "strategy"), where) : Strategy.LAST_WRITE_WINS,
                text(node, "timestampField"), strings(node, "include", where), strings(node, "exclude", where), fields,
                viewChangeColumn, rules);
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("Expected a JSON object for " + where);
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("Unknown key '" + key + "' in " + where + "; allowed: " + allowed);
            }
        });
    }

    private static Iterable<JsonNode> array(JsonNode node, String key, String where) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("'" + key + "' of " + where + " must be an array");
        }
        return value;
    }

    private static List<String> strings(JsonNode node, String key, String where) {
        List<String> result = new ArrayList<>();
        for (JsonNode item : array(node, key, where)) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("'" + key + "' of " + where + " must hold strings");
            }
            result.add(item.asText());
        }
        return result;
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> result = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
        return result;
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String requiredText(JsonNode node, String key, String where) {
        String value = text(node, key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is required in " + where);
        }
        return value;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String where) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' in " + where + " is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }
}
