/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.resolve;

import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.ChangeRecordBuilder;
import org.bisync.nifi.change.Decision;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.version.Version;
import org.bisync.nifi.version.VersionOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A model check of the pure decision logic: three systems edit the same keys with clocks an hour apart, every change
 * is delivered to both other systems reordered and duplicated, each delivery is decided by {@link Resolver} and
 * applied as ApplyBidirectionalChanges would (APPLY only above the held version, MERGE compare-and-set on the
 * expected version). Every automatic strategy must end with the same rows and versions on every system.
 */
class ConvergenceModelTest {

    private static final List<String> SYSTEMS = List.of("A", "B", "C");
    private static final Map<String, Integer> RANK = Map.of("A", 0, "B", 1, "C", 2);
    private static final List<String> FIELDS = List.of("name", "email", "city");
    /** FIELD_OWNER: name is A's, email is B's, city has no owner. */
    private static final Map<String, String> OWNERS = Map.of("name", "A", "email", "B");
    private static final int KEYS = 3;
    private static final int RUNS = 400;
    private static final int EDITS = 40;
    private static final VersionOrder ORDER = new VersionOrder(id -> RANK.getOrDefault(id, -1));

    /**
     * What one system holds for one key: the row, or for a tombstone of a field-level table the values it kept; the
     * tombstone a deleted row is measured against.
     */
    private record Held(Map<String, Object> row, Version version, boolean deleted, Map<String, Version> fieldVersions,
                        Version tombstone) {
    }

    private record Delivery(String target, ChangeRecord change) {
    }

    /**
     * MESH: every change goes from where it was made to both other systems. HUB: A is the hub; a spoke's change goes to
     * the hub only, and the hub forwards what it wrote to the other spoke, as its applier's history row does (with the
     * hub's previous version; a joined tombstone travels with its own tombstone version, without which a spoke would
     * measure it against the greater row version and keep a row deleted that the hub brought back).
     */
    enum Shape { MESH, HUB }

    private static final String HUB = "A";

    /**
     * Each strategy and shape with the conflicts and merges its {@value #RUNS} runs meet. The seeds make the runs
     * deterministic, so these counts are exact: they prove the model produces real conflicts (and merges, field-level),
     * and a change in how Resolver relates versions, or in the model, shows here first.
     */
    static Stream<Arguments> strategiesAndShapes() {
        return Stream.of(
                Arguments.of(Strategy.LAST_WRITE_WINS, Shape.MESH, 25_455, 0),
                Arguments.of(Strategy.LAST_WRITE_WINS, Shape.HUB, 17_472, 0),
                Arguments.of(Strategy.SYSTEM_PRIORITY, Shape.MESH, 25_605, 0),
                Arguments.of(Strategy.SYSTEM_PRIORITY, Shape.HUB, 20_011, 0),
                Arguments.of(Strategy.FIELD_NEWEST, Shape.MESH, 25_456, 3_410),
                Arguments.of(Strategy.FIELD_NEWEST, Shape.HUB, 17_667, 2_760),
                Arguments.of(Strategy.FIELD_OWNER, Shape.MESH, 24_857, 8_061),
                Arguments.of(Strategy.FIELD_OWNER, Shape.HUB, 18_119, 6_387));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("strategiesAndShapes")
    void everyAutomaticStrategyConvergesUnderReorderedAndDuplicatedDeliveries(Strategy strategy, Shape shape, int conflicts, int merges) {
        int conflictsSeen = 0;
        int mergesSeen = 0;
        for (long seed = 1; seed <= RUNS; seed++) {
            int[] counts = runOnce(strategy, shape, seed);
            conflictsSeen += counts[0];
            mergesSeen += counts[1];
        }
        assertEquals(conflicts, conflictsSeen, "conflicts the runs meet");
        assertEquals(merges, mergesSeen, strategy.isFieldLevel() ? "merges the runs meet" : "a row-level strategy never merges");
    }

    /** @return {conflicts, merges} seen in the run */
    private int[] runOnce(Strategy strategy, Shape shape, long seed) {
        Random random = new Random(seed);
        Resolver resolver = new Resolver(strategy, ORDER, Resolver.DEFAULT_NEAR_TIE_MICROS);
        Map<String, Long> skew = new LinkedHashMap<>();
        Map<String, Map<Integer, Held>> state = new LinkedHashMap<>();
        for (String system : SYSTEMS) {
            skew.put(system, (long) (random.nextDouble() * 7_200_000_000L) - 3_600_000_000L);
            state.put(system, new LinkedHashMap<>());
        }
        List<Delivery> pending = new ArrayList<>();
        long time = 1_700_000_000_000_000L;
        int[] counts = new int[2];
        int edits = 0;
        int step = 0;
        while (edits < EDITS || !pending.isEmpty()) {
            time += random.nextInt(1_500_000);
            step++;
            boolean edit = edits < EDITS && (pending.isEmpty() || random.nextInt(3) > 0);
            if (edit) {
                String system = SYSTEMS.get(random.nextInt(SYSTEMS.size()));
                ChangeRecord change = localEdit(strategy, system, random.nextInt(KEYS), state.get(system),
                        time + skew.get(system), random, step);
                edits++;
                for (String target : SYSTEMS) {
                    if (!target.equals(system) && (shape == Shape.MESH || system.equals(HUB) || target.equals(HUB))) {
                        pending.add(new Delivery(target, change.copy()));
                    }
                }
            } else {
                Delivery delivery = pending.remove(random.nextInt(pending.size()));
                if (edits < EDITS && random.nextInt(5) == 0) {
                    pending.add(new Delivery(delivery.target(), delivery.change().copy()));
                }
                Held before = state.get(delivery.target()).get((Integer) delivery.change().key.get("id"));
                ChangeRecord written = deliver(resolver, delivery, state.get(delivery.target()), counts, strategy + " seed " + seed);
                if (shape == Shape.HUB && delivery.target().equals(HUB) && written != null) {
                    for (String spoke : SYSTEMS) {
                        if (!spoke.equals(HUB) && !spoke.equals(written.origin)) {
                            pending.add(new Delivery(spoke, forwarded(written, before)));
                        }
                    }
                }
            }
        }
        for (int key = 0; key < KEYS; key++) {
            Held first = state.get("A").get(key);
            for (String system : SYSTEMS) {
                Held held = state.get(system).get(key);
                String where = strategy + " " + shape + " seed " + seed + " key " + key + " at " + system;
                assertEquals(first == null, held == null, where);
                if (held != null) {
                    assertEquals(first.version(), held.version(), where);
                    assertEquals(first.deleted(), held.deleted(), where);
                    assertEquals(first.row(), held.row(), where);
                    assertEquals(first.tombstone(), held.tombstone(), where);
                    if (strategy.isFieldLevel()) {
                        assertEquals(first.fieldVersions(), held.fieldVersions(), where);
                    }
                }
            }
        }
        return counts;
    }

    /**
     * A user's write at {@code system}, stamped as the triggers do, and the change record capture emits for it. A
     * field-level delete ranks above every field version and keeps the row's values; an insert over a tombstone gives
     * every field a version above it.
     */
    private static ChangeRecord localEdit(Strategy strategy, String system, int key, Map<Integer, Held> rows, long clock,
                                          Random random, int step) {
        Held held = rows.get(key);
        long bias = strategy == Strategy.SYSTEM_PRIORITY ? RANK.get(system) * SyncSystem.PRIORITY_STEP_MICROS : 0L;
        Version previous = held == null ? null : held.version();
        long above = previous == null ? Long.MIN_VALUE : previous.number() + 1;
        Map<String, Version> fieldVersions = new LinkedHashMap<>(held == null ? Map.of() : held.fieldVersions());
        boolean live = held != null && !held.deleted();
        boolean delete = live && random.nextInt(5) == 0;
        if (delete && strategy.isFieldLevel()) {
            for (Version field : fieldVersions.values()) {
                above = Math.max(above, field.number() + 1);
            }
        }
        Version version = new Version(Math.max(clock + bias, above), system);
        long fieldFloor = held != null && held.deleted() ? held.tombstone().number() + 1 : Long.MIN_VALUE;
        List<String> changed = new ArrayList<>();
        ChangeRecordBuilder c;
        if (delete) {
            c = ChangeRecordBuilder.delete("customer").before(held.row());
            rows.put(key, new Held(strategy.isFieldLevel() ? held.row() : null, version, true, fieldVersions, version));
        } else {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("id", key);
            for (String field : FIELDS) {
                boolean changes = !live || random.nextInt(3) == 0;
                after.put(field, changes ? system + step + field : held.row().get(field));
                if (changes) {
                    bumpField(strategy, system, field, fieldVersions, clock + bias, fieldFloor);
                    changed.add(field);
                }
            }
            if (changed.isEmpty()) {
                String field = FIELDS.get(random.nextInt(FIELDS.size()));
                after.put(field, system + step + field + "!");
                bumpField(strategy, system, field, fieldVersions, clock + bias, fieldFloor);
                changed.add(field);
            }
            c = (live ? ChangeRecordBuilder.update("customer").before(held.row()) : ChangeRecordBuilder.insert("customer")).afterRow(after);
            rows.put(key, new Held(after, version, false, fieldVersions, null));
        }
        c.keyOnly("id", key).version(version).prev(previous).from(system).changed(changed.toArray(String[]::new));
        if (strategy.isFieldLevel()) {
            fieldVersions.forEach(c::fieldVersion);
        }
        return c.build();
    }

    private static void bumpField(Strategy strategy, String system, String field, Map<String, Version> fieldVersions,
                                  long clock, long floor) {
        long ownerBias = strategy == Strategy.FIELD_OWNER && system.equals(OWNERS.get(field)) ? SyncSystem.PRIORITY_STEP_MICROS : 0L;
        Version previous = fieldVersions.get(field);
        long number = Math.max(clock + ownerBias, Math.max(floor, previous == null ? Long.MIN_VALUE : previous.number() + 1));
        fieldVersions.put(field, new Version(number, system));
    }

    /** What the hub's history row forwards of a change it wrote over {@code before}. */
    private static ChangeRecord forwarded(ChangeRecord written, Held before) {
        ChangeRecord c = written.copy();
        c.prevVersion = before == null ? null : before.version();
        c.decision = null;
        c.expectedVersion = null;
        c.sourceSystem = HUB;
        return c;
    }

    /** @return the change as written, or null when nothing was written */
    private static ChangeRecord deliver(Resolver resolver, Delivery delivery, Map<Integer, Held> rows, int[] counts, String run) {
        ChangeRecord c = delivery.change().copy();
        int key = (Integer) c.key.get("id");
        Held held = rows.get(key);
        TargetState target = held == null ? TargetState.none()
                : new TargetState(held.version(), held.deleted(), held.fieldVersions(), held.row(), held.tombstone());
        Verdict verdict = resolver.decide(c, target);
        if (verdict.relation() != null && verdict.relation().isConflict()) {
            counts[0]++;
        }
        Version current = held == null ? null : held.version();
        switch (c.decision) {
            case APPLY -> {
                // apply's SQL writes only above the held version
                if (!ORDER.isGreater(c.version, current)) {
                    fail(run + ": APPLY of " + c.version + " over greater or equal " + current);
                }
                rows.put(key, written(c, resolver.strategy()));
            }
            case MERGE -> {
                counts[1]++;
                if (!Objects.equals(c.expectedVersion, current)) {
                    fail(run + ": MERGE expected " + c.expectedVersion + " but the target holds " + current);
                }
                rows.put(key, written(c, resolver.strategy()));
            }
            case STALE -> {
                return null;
            }
            case CONFLICT -> fail(run + ": an automatic strategy held a conflict: " + verdict.reason());
        }
        if (c.decision == Decision.CONFLICT) {
            fail(run);
        }
        return c;
    }

    /** What apply leaves for a change: its row, or a tombstone that keeps the values of a field-level row. */
    private static Held written(ChangeRecord c, Strategy strategy) {
        boolean removes = c.operation.removesRow();
        Map<String, Object> row = removes ? (strategy.isFieldLevel() ? c.before : null) : c.after;
        return new Held(row, c.version, removes, c.fieldVersions, c.tombstone());
    }
}
