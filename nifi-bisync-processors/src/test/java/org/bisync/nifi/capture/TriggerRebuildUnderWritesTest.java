/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.Dialects;
import org.bisync.nifi.processors.TestEngine;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.SyncedTableResolver;
import org.bisync.nifi.testsupport.Jdbc;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Rebuilding a table's triggers (a column, topology or release change) while users write to it: every write made during
 * the rebuilds has its history row, so none of them is lost to the sync. The rebuilds alternate between two strategies,
 * so each one really replaces the triggers; each round lets the writers start a batch of writes as the rebuild's first
 * trigger statement runs.
 */
class TriggerRebuildUnderWritesTest {

    private static final int REBUILDS = 20;
    private static final int WRITERS = 2;
    private static final int WRITES_PER_ROUND = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataSource dataSource;
    private Dialect dialect;

    @ParameterizedTest
    @EnumSource(TestEngine.class)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyWriteMadeWhileTheTriggersAreRebuiltIsCaptured(TestEngine engine) throws Exception {
        dataSource = engine.freshDatabase("rebuild_writes");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE item (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100))");
            dialect = Dialects.forConnection(c);
        }
        List<SyncedTable> variants = List.of(resolve(TableSettings.twoWay("item")),
                resolve(TableSettings.twoWay("item").withStrategy(Strategy.SYSTEM_PRIORITY)));
        install(variants.getFirst(), () -> { });

        AtomicBoolean stop = new AtomicBoolean();
        Semaphore allowed = new Semaphore(0);
        Semaphore done = new Semaphore(0);
        ConcurrentLinkedQueue<Long> written = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            long first = (w + 1) * 1_000_000L;
            Thread writer = new Thread(() -> write(first, stop, allowed, done, written, failures), "writer-" + w);
            writers.add(writer);
            writer.start();
        }
        try {
            for (int i = 1; i <= REBUILDS; i++) {
                // a bounded number of writes per round (SQLite serves writers unfairly: unbounded ones starve the rebuild),
                // let go as the rebuild's first trigger statement runs, so that they meet the swap itself
                Runnable letWritersGo = () -> allowed.release(WRITERS * WRITES_PER_ROUND);
                assertEquals(List.of("item"), install(variants.get(i % 2), letWritersGo), "rebuild " + i + " replaced the triggers");
                assertTrue(done.tryAcquire(WRITERS * WRITES_PER_ROUND, 60, TimeUnit.SECONDS) || !failures.isEmpty(),
                        "the writers finished their round");
                if (!failures.isEmpty()) {
                    fail("a user's write failed during a rebuild", failures.peek());
                }
            }
        } finally {
            stop.set(true);
            allowed.release(WRITERS);
            for (Thread writer : writers) {
                writer.join();
            }
        }

        Map<Long, List<String>> history = historyByKey();
        List<Long> uncaptured = new ArrayList<>();
        for (long id : new TreeSet<>(written)) {
            List<String> operations = history.getOrDefault(id, List.of());
            if (!operations.equals(List.of("INSERT", "UPDATE"))) {
                uncaptured.add(id);
            }
        }
        assertTrue(uncaptured.isEmpty(), () -> uncaptured.size() + " of " + written.size() + " written rows lack their INSERT and "
                + "UPDATE history rows after " + REBUILDS + " rebuilds, for example " + uncaptured.subList(0, Math.min(5, uncaptured.size()))
                + ": " + history.get(uncaptured.getFirst()));
        assertEquals(written.size(), history.size(), "no history of a row nobody wrote");
        assertEquals(written.size(), Jdbc.count(dataSource, "SELECT COUNT(*) FROM bisync_v_item"), "every written row has its version");
    }

    /** Per allowed write: inserts a row and renames it, each in its own autocommit transaction, until told to stop. */
    private void write(long firstId, AtomicBoolean stop, Semaphore allowed, Semaphore done, ConcurrentLinkedQueue<Long> written,
                       ConcurrentLinkedQueue<Throwable> failures) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE item SET name = ? WHERE id = ?")) {
            for (long id = firstId; ; id++) {
                allowed.acquire();
                if (stop.get()) {
                    return;
                }
                insert.setLong(1, id);
                insert.setString(2, "inserted " + id);
                insert.executeUpdate();
                update.setString(1, "renamed " + id);
                update.setLong(2, id);
                update.executeUpdate();
                written.add(id);
                done.release();
            }
        } catch (SQLException | RuntimeException e) {
            failures.add(e);
            done.release(WRITERS * WRITES_PER_ROUND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private SyncedTable resolve(TableSettings settings) throws SQLException {
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)), List.of(settings), null);
        try (Connection c = dataSource.getConnection()) {
            return new SyncedTableResolver(dialect, topology).resolve(c, settings, "A");
        }
    }

    private List<String> install(SyncedTable table, Runnable atFirstTriggerStatement) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Connection observed = runningAtFirstTriggerStatement(c, atFirstTriggerStatement);
            return new TriggerInstaller(dialect).install(observed, List.of(table), 0L).stream().map(check -> check.table().localName()).toList();
        }
    }

    /** The connection, whose statements run {@code action} once, just before the first statement that names a TRIGGER. */
    private static Connection runningAtFirstTriggerStatement(Connection connection, Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, (proxy, method, args) -> {
            Object result = invoke(connection, method, args);
            if (!method.getName().equals("createStatement")) {
                return result;
            }
            Statement statement = (Statement) result;
            return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[]{Statement.class}, (p, m, a) -> {
                if (m.getName().startsWith("execute") && a != null && a.length > 0 && a[0] instanceof String sql
                        && sql.toUpperCase(Locale.ROOT).contains("TRIGGER") && !done.getAndSet(true)) {
                    action.run();
                }
                return invoke(statement, m, a);
            });
        });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The operations of each key's history rows, in capture order. */
    private Map<Long, List<String>> historyByKey() throws Exception {
        Map<Long, List<String>> history = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT key_data, operation FROM bisync_history ORDER BY id")) {
            while (rs.next()) {
                JsonNode key = JSON.readTree(rs.getString(1));
                history.computeIfAbsent(key.get("id").asLong(), id -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return history;
    }

}
