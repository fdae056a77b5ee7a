/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.audit;

import org.bisync.nifi.resolve.KeyValues;
import org.bisync.nifi.resolve.TargetState;
import org.bisync.nifi.resolve.TargetStateReader;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares one table across systems without reading it whole into NiFi. Rows are grouped into buckets by a prefix of
 * the MD5 of their key; each database summarises its buckets (row count and a sum of row hashes, see
 * {@link org.bisync.nifi.dialect.AuditQueries}), and only buckets whose summaries differ are looked into: split into
 * 256 sub-buckets while they hold more than {@link #leafRows} rows, then compared row by row (key and row hash). Only
 * the keys whose rows differ are read in full, with their versions. What is held at any time is bounded by the bucket
 * counts and the rows of a batch of small buckets, never by the table's size.
 *
 * <p>Buckets of hashed keys rather than ranges of key values: engines order text keys by different collations, so a
 * key range would not hold the same rows everywhere, while the hash of a key's canonical text is the same on every
 * engine.
 */
public final class ConsistencyAudit {

    /** Digits of the first level's buckets at most (4096 buckets), whatever the table's size. */
    static final int MAX_FIRST_DIGITS = 3;
    /** Digits added per level of narrowing down (256 sub-buckets). */
    static final int STEP_DIGITS = 2;
    /** Bucket prefixes per query. */
    static final int PREFIXES_PER_QUERY = 64;
    static final int MD5_DIGITS = 32;

    private final int leafRows;
    private final int maxDifferingKeys;
    private final int maxFirstDigits;

    /** Statistics of the last {@link #compare} run. */
    public record Statistics(long rowsCompared, int bucketsCompared, int bucketsDiffering, int keysDiffering, boolean truncated) {
    }

    /**
     * @param leafRows         a differing bucket with at most this many rows (in every system) is compared row by row
     * @param maxDifferingKeys stop after this many differing keys (the report and repairs stay bounded); the next run
     *                         finds the rest
     */
    public ConsistencyAudit(int leafRows, int maxDifferingKeys) {
        this(leafRows, maxDifferingKeys, MAX_FIRST_DIGITS);
    }

    /** With fewer first-level buckets than the table's size would give (tests narrow down through several levels). */
    ConsistencyAudit(int leafRows, int maxDifferingKeys, int maxFirstDigits) {
        if (leafRows < 1 || maxDifferingKeys < 1 || maxFirstDigits < 1) {
            throw new IllegalArgumentException("Leaf rows, max differing keys and first digits must be positive");
        }
        this.leafRows = leafRows;
        this.maxDifferingKeys = maxDifferingKeys;
        this.maxFirstDigits = maxFirstDigits;
    }

    /** Receives each key whose rows differ. */
    @FunctionalInterface
    public interface Sink {
        void accept(KeyComparison comparison) throws SQLException;
    }

    private long rowsCompared;
    private int bucketsCompared;
    private int bucketsDiffering;
    private int keysDiffering;
    private boolean truncated;

    /**
     * Compares the table across {@code sides} (one per system, the same canonical table) and hands every differing key
     * to {@code sink}.
     */
    public Statistics compare(List<AuditedSide> sides, Sink sink) throws SQLException {
        rowsCompared = 0;
        bucketsCompared = 0;
        bucketsDiffering = 0;
        keysDiffering = 0;
        truncated = false;
        long largest = 0;
        for (AuditedSide side : sides) {
            long count = side.count();
            rowsCompared += count;
            largest = Math.max(largest, count);
        }
        if (largest > 0) {
            level(sides, List.of(), 0, firstDigits(largest), sink);
        }
        return new Statistics(rowsCompared, bucketsCompared, bucketsDiffering, keysDiffering, truncated);
    }

    /** Enough digits that a bucket holds about {@code leafRows} rows, at most {@link #MAX_FIRST_DIGITS} by default. */
    int firstDigits(long rows) {
        int digits = 1;
        long buckets = 16;
        while (digits < maxFirstDigits && rows / buckets > leafRows) {
            digits++;
            buckets *= 16;
        }
        return digits;
    }

    private void level(List<AuditedSide> sides, List<String> parents, int parentDigits, int digits, Sink sink) throws SQLException {
        List<List<String>> batches = parents.isEmpty() ? List.of(List.of()) : partition(parents);
        for (List<String> batch : batches) {
            if (truncated) {
                return;
            }
            List<Map<String, BucketSum>> sums = new ArrayList<>();
            Set<String> labels = new TreeSet<>();
            for (AuditedSide side : sides) {
                Map<String, BucketSum> s = side.bucketSums(digits, batch, parentDigits);
                sums.add(s);
                labels.addAll(s.keySet());
            }
            List<String> leaves = new ArrayList<>();
            List<String> deeper = new ArrayList<>();
            for (String label : labels) {
                bucketsCompared++;
                BucketSum first = sums.get(0).getOrDefault(label, BucketSum.EMPTY);
                boolean differs = false;
                long most = 0;
                for (Map<String, BucketSum> s : sums) {
                    BucketSum sum = s.getOrDefault(label, BucketSum.EMPTY);
                    differs |= !sum.equals(first);
                    most = Math.max(most, sum.count());
                }
                if (!differs) {
                    continue;
                }
                bucketsDiffering++;
                if (most > leafRows && digits + STEP_DIGITS <= MD5_DIGITS) {
                    deeper.add(label);
                } else {
                    leaves.add(label);
                }
            }
            sums.clear();
            for (List<String> leafBatch : partition(leaves)) {
                rows(sides, leafBatch, digits, sink);
            }
            if (!deeper.isEmpty()) {
                level(sides, deeper, digits, digits + STEP_DIGITS, sink);
            }
        }
    }

    private void rows(List<AuditedSide> sides, List<String> prefixes, int digits, Sink sink) throws SQLException {
        if (truncated || prefixes.isEmpty()) {
            return;
        }
        List<Map<KeyValues, AuditedSide.KeyedHash>> hashes = new ArrayList<>();
        Set<KeyValues> keys = new HashSet<>();
        for (AuditedSide side : sides) {
            Map<KeyValues, AuditedSide.KeyedHash> h = side.rowHashes(prefixes, digits);
            hashes.add(h);
            keys.addAll(h.keySet());
        }
        Map<KeyValues, Map<String, Object>> differing = new LinkedHashMap<>();
        for (KeyValues key : keys) {
            String first = hash(hashes.get(0), key);
            Map<String, Object> keyMap = null;
            boolean differs = false;
            for (Map<KeyValues, AuditedSide.KeyedHash> h : hashes) {
                differs |= !Objects.equals(first, hash(h, key));
                if (keyMap == null && h.containsKey(key)) {
                    keyMap = h.get(key).key();
                }
            }
            if (differs) {
                if (keysDiffering >= maxDifferingKeys) {
                    truncated = true;
                    break;
                }
                keysDiffering++;
                differing.put(key, keyMap);
            }
        }
        if (differing.isEmpty()) {
            return;
        }
        List<Map<KeyValues, TargetState>> states = new ArrayList<>();
        for (AuditedSide side : sides) {
            states.add(new TargetStateReader(side.dialect()).read(side.connection(), side.table(), differing.values(), true));
        }
        for (Map.Entry<KeyValues, Map<String, Object>> entry : differing.entrySet()) {
            Map<String, SideState> bySystem = new LinkedHashMap<>();
            for (int i = 0; i < sides.size(); i++) {
                String rowHash = hash(hashes.get(i), entry.getKey());
                TargetState state = states.get(i).getOrDefault(entry.getKey(), TargetState.none());
                bySystem.put(sides.get(i).systemId(), new SideState(rowHash == null ? null : state.row(), rowHash, state.version(),
                        state.deleted(), state.fieldVersions()));
            }
            sink.accept(new KeyComparison(sides.get(0).table().canonicalName(), entry.getValue(), bySystem));
        }
    }

    private static String hash(Map<KeyValues, AuditedSide.KeyedHash> hashes, KeyValues key) {
        AuditedSide.KeyedHash h = hashes.get(key);
        return h == null ? null : h.hash();
    }

    private static List<List<String>> partition(List<String> all) {
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += PREFIXES_PER_QUERY) {
            out.add(all.subList(from, Math.min(all.size(), from + PREFIXES_PER_QUERY)));
        }
        return out;
    }
}
