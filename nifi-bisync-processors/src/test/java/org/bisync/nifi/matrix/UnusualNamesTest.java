/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.matrix;

import org.bisync.nifi.apply.ApplyResult;
import org.bisync.nifi.apply.ApplyStatus;
import org.bisync.nifi.apply.ChangeApplier;
import org.bisync.nifi.change.ChangeRecord;
import org.bisync.nifi.change.Operation;
import org.bisync.nifi.schema.SchemaMismatchException;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.topology.Direction;
import org.bisync.nifi.topology.Strategy;
import org.bisync.nifi.topology.SyncSystem;
import org.bisync.nifi.topology.SyncTopology;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No column or table name, however odd, may make a user's own write fail, and capture must carry the right values
 * under such names. On every engine as the source, two tables whose key and value columns are named like what the
 * generated triggers use themselves (PostgreSQL's function variables {@code clk vn pn po fv}, its trigger variables
 * {@code tg_op tg_table_name found new old}, its block label {@code bisync_capture}, the aliases
 * {@code r u v e excluded bisync_new_rows}; MariaDB's {@code v_now}; the version table's own columns, as value
 * columns), SQL keywords, and names with single and double quotes, backticks, backslashes, spaces, {@code $$} and
 * {@code $bisync$}; the second table's name is odd too, and so is the source system's id. A user inserts, updates (a
 * value, and a key), and deletes (several rows in one statement); capture must see each change with the values
 * written, the clock as its time, and the row's timestamp as its version; applied at every other engine, both sides
 * must hold the same rows. PostgreSQL plays twice: once with standard_conforming_strings = off for every session of
 * its database (backslashes in string literals are then escapes); so does MariaDB, once with NO_BACKSLASH_ESCAPES and
 * ANSI_QUOTES in every session (triggers keep the sql_mode they were created in).
 */
class UnusualNamesTest {

    private static final String SOURCE_SYSTEM = "A's \\ $$";
    private static final String TARGET_SYSTEM = "B";
    private static final String VARIABLES = "names_vars";
    private static final String ODD = "o'dd \"t\\ab $$ $bisync$";
    private static final String SPECIAL = "it's \"q\" \\ $bisync$";
    private static final long TEN_MINUTES = TimeUnit.MINUTES.toMicros(10);

    private static final SyncTopology TOPOLOGY = new SyncTopology(
            List.of(new SyncSystem(SOURCE_SYSTEM, 1), new SyncSystem(TARGET_SYSTEM, 2)),
            List.of(new TableSettings(VARIABLES, null, Direction.TWO_WAY, null, null, Strategy.LAST_WRITE_WINS, "v_now", null, null,
                            null, null, null),
                    TableSettings.twoWay(ODD).withStrategy(Strategy.FIELD_NEWEST)),
            null);

    /**
     * An engine as the test runs it: PostgreSQL also with standard_conforming_strings off, MariaDB also with every
     * session (installer, users, capture, applier) in sql_mode NO_BACKSLASH_ESCAPES and ANSI_QUOTES.
     */
    enum Variant {
        POSTGRES(MatrixEngine.POSTGRES, false),
        POSTGRES_WITH_BACKSLASH_ESCAPES(MatrixEngine.POSTGRES, true),
        MARIADB(MatrixEngine.MARIADB, false),
        MARIADB_WITHOUT_BACKSLASH_ESCAPES(MatrixEngine.MARIADB, true),
        SQLITE(MatrixEngine.SQLITE, false);

        final MatrixEngine engine;
        final boolean otherSqlMode;

        Variant(MatrixEngine engine, boolean otherSqlMode) {
            this.engine = engine;
            this.otherSqlMode = otherSqlMode;
        }

        DataSource freshDatabase(String name) throws SQLException {
            DataSource dataSource = engine.freshDatabase(name);
            if (otherSqlMode && engine == MatrixEngine.MARIADB) {
                DataSource modified = withEverySession(dataSource, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES,ANSI_QUOTES')");
                try (Connection c = modified.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@sql_mode")) {
                    assertTrue(rs.next());
                    assertTrue(rs.getString(1).contains("NO_BACKSLASH_ESCAPES") && rs.getString(1).contains("ANSI_QUOTES"), rs.getString(1));
                }
                return modified;
            }
            if (otherSqlMode) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE " + name + " SET standard_conforming_strings = off");
                }
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SHOW standard_conforming_strings")) {
                    assertTrue(rs.next());
                    assertEquals("off", rs.getString(1), "every session of the database parses backslashes in literals as escapes");
                }
            }
            return dataSource;
        }
    }

    /** The data source, running {@code setup} in each new connection. */
    private static DataSource withEverySession(DataSource dataSource, String setup) {
        return (DataSource) Proxy.newProxyInstance(UnusualNamesTest.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(dataSource, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (result instanceof Connection connection) {
                        try (Statement s = connection.createStatement()) {
                            s.execute(setup);
                        }
                    }
                    return result;
                });
    }

    private enum Type { BIGINT, INT, VARCHAR, TEXT, TIMESTAMP }

    private record Column(String name, Type type, boolean key) {
        String ddl(MatrixEngine engine, MatrixSide side) {
            String type = switch (this.type) {
                case BIGINT -> "bigint";
                case INT -> engine == MatrixEngine.POSTGRES ? "integer" : "int";
                case VARCHAR -> "varchar(40)";
                case TEXT -> "text";
                case TIMESTAMP -> engine == MatrixEngine.MARIADB ? "datetime(6) NULL" : engine == MatrixEngine.POSTGRES ? "timestamp(6)" : "TIMESTAMP";
            };
            return side.q(name) + " " + type + (key ? " NOT NULL" : "");
        }
    }

    private static Column key(String name, Type type) {
        return new Column(name, type, true);
    }

    private static Column value(String name, Type type) {
        return new Column(name, type, false);
    }

    private static final List<Column> VARIABLE_COLUMNS = List.of(
            key("clk", Type.BIGINT), key("pn", Type.VARCHAR), key("fv", Type.VARCHAR),
            value("vn", Type.INT), value("po", Type.VARCHAR), value("v_now", Type.TIMESTAMP), value("tg_op", Type.TEXT),
            value("tg_table_name", Type.TEXT), value("found", Type.TEXT), value("new", Type.INT), value("old", Type.TEXT),
            value("r", Type.TEXT), value("u", Type.INT), value("v", Type.TEXT), value("e", Type.TEXT),
            value("bisync_capture", Type.TEXT), value("bisync_new_rows", Type.TEXT));

    private static final List<Column> ODD_COLUMNS = List.of(
            key("vn", Type.BIGINT), key("po", Type.VARCHAR), key("v_now", Type.BIGINT), key(SPECIAL, Type.VARCHAR),
            key("select", Type.BIGINT), key("excluded", Type.BIGINT),
            value("clk", Type.TEXT), value("pn", Type.INT), value("fv", Type.VARCHAR), value("order", Type.VARCHAR),
            value("key", Type.INT), value("values", Type.TEXT), value("with space", Type.TEXT), value("$$", Type.TEXT),
            value("$bisync$", Type.TEXT), value("back\\slash", Type.VARCHAR), value("a\"b`c", Type.TEXT),
            value("version_num", Type.TEXT), value("deleted", Type.INT), value("field_versions", Type.TEXT));

    private static Map<String, Object> row(List<Column> columns, Object... values) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            Object value = values[i];
            row.put(columns.get(i).name(), value instanceof LocalDateTime t ? Timestamp.valueOf(t) : value);
        }
        return row;
    }

    private static final LocalDateTime T1 = LocalDateTime.parse("2020-01-01T00:00:00.000001");
    private static final LocalDateTime T2 = LocalDateTime.parse("2021-06-30T12:34:56.5");

    private static List<Map<String, Object>> variableRows() {
        return List.of(
                row(VARIABLE_COLUMNS, 1L, "it's", "a\\b", 10, "$$", T1, "INSERT", "t\\n", "'", 1, "\"", "r", 2, "v", "$bisync$", "clk", "r"),
                row(VARIABLE_COLUMNS, 2L, "$bisync$", "\"", null, null, null, null, null, null, null, null, null, null, null, null, null, null),
                row(VARIABLE_COLUMNS, 3L, "select", " ", -1, "\\", T1, "x", "y", "z", 0, "", "", 0, "", "\\'", "", "\\"));
    }

    private static List<Map<String, Object>> oddRows() {
        return List.of(
                row(ODD_COLUMNS, 1L, "it's", 1L, "a\\b", 1L, 1L, "clk", 1, "fv", "order", 1, "values", "with space", "$$", "$bisync$",
                        "back\\slash", "a\"b`c", "7", 0, "{}"),
                row(ODD_COLUMNS, 2L, "$$", 2L, "\"", 2L, 2L, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null),
                row(ODD_COLUMNS, 3L, "\\", 3L, "$bisync$", 3L, 3L, "\\'", -1, "'", "\\\\", 0, "", " ", "$bisync$ $$", "$$", "\\",
                        "'\"`", "", 1, "[]"));
    }

    @ParameterizedTest(name = "from {0}")
    @EnumSource(Variant.class)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void usersWritesSucceedAndTravelWhateverTheNames(Variant sourceVariant) throws Exception {
        String prefix = "names_" + sourceVariant.ordinal() + "_";
        MatrixSide source = new MatrixSide(sourceVariant.engine, sourceVariant.freshDatabase(prefix + "source"), SOURCE_SYSTEM);
        Map<Variant, MatrixSide> targets = new EnumMap<>(Variant.class);
        for (Variant variant : Variant.values()) {
            if (variant != sourceVariant) {
                targets.put(variant, new MatrixSide(variant.engine, variant.freshDatabase(prefix + "to_" + variant.ordinal()), TARGET_SYSTEM));
            }
        }
        Pair variables = new Pair(source, targets, VARIABLES, VARIABLE_COLUMNS);
        Pair odd = new Pair(source, targets, ODD, ODD_COLUMNS);
        long start = System.currentTimeMillis() * 1000L;

        // inserts
        source.insert(variables.source, variableRows());
        source.insert(odd.source, oddRows());
        List<ChangeRecord> inserted = variables.capture(start);
        assertEquals(List.of(Operation.INSERT, Operation.INSERT, Operation.INSERT), operations(inserted));
        for (int i = 0; i < 3; i++) {
            assertEquals(normalized(variableRows().get(i)), normalized(inserted.get(i).after), "the values written are captured");
        }
        assertEquals(micros(T1), inserted.get(0).version.number(), "the row's timestamp column is its version");
        assertWithin(start, inserted.get(1).version.number(), "a row without a timestamp takes the clock as its version");
        List<ChangeRecord> oddInserted = odd.capture(start);
        assertEquals(List.of(Operation.INSERT, Operation.INSERT, Operation.INSERT), operations(oddInserted));
        for (int i = 0; i < 3; i++) {
            assertEquals(normalized(oddRows().get(i)), normalized(oddInserted.get(i).after), "the values written are captured");
            assertEquals(ODD_COLUMNS.stream().filter(c -> !c.key()).map(Column::name).collect(Collectors.toSet()),
                    oddInserted.get(i).fieldVersions.keySet(), "a field version per value column, by its name");
            for (var field : oddInserted.get(i).fieldVersions.values()) {
                assertWithin(start, field.number(), "a field version takes the clock");
                assertEquals(SOURCE_SYSTEM, field.origin());
            }
        }
        variables.applyEverywhere(inserted);
        odd.applyEverywhere(oddInserted);

        // an update of every value, a key change, and a delete of two rows in one statement
        Map<String, Object> changed = row(VARIABLE_COLUMNS, 1L, "it's", "a\\b", 11, "$bisync$", T2, "UPDATE", "\\", "''", 2, "\\\"",
                "$$", 3, "\\v", "e", "vn", null);
        source.update(variables.source, List.of(changed));
        source.exec("UPDATE " + source.q(VARIABLES) + " SET " + source.q("clk") + " = 30 WHERE " + source.q("clk") + " = 3",
                "DELETE FROM " + source.q(VARIABLES) + " WHERE " + source.q("clk") + " IN (2, 30)");
        List<ChangeRecord> later = variables.capture(start);
        assertEquals(List.of(Operation.UPDATE, Operation.DELETE, Operation.INSERT, Operation.DELETE, Operation.DELETE), operations(later));
        assertEquals(normalized(changed), normalized(later.get(0).after));
        assertEquals(normalized(variableRows().get(0)), normalized(later.get(0).before));
        assertEquals(inserted.get(0).version, later.get(0).prevVersion, "the update knows the version it overwrote");
        assertEquals(micros(T2), later.get(0).version.number());
        assertWithin(start, later.get(4).version.number(), "a delete takes the clock");
        variables.applyEverywhere(later);

        source.exec("UPDATE " + source.q(ODD) + " SET " + source.q("with space") + " = 'changed' WHERE " + source.q("vn") + " = 1",
                "UPDATE " + source.q(ODD) + " SET " + source.q("select") + " = 30 WHERE " + source.q("vn") + " = 3",
                "DELETE FROM " + source.q(ODD) + " WHERE " + source.q("vn") + " IN (2, 3)");
        List<ChangeRecord> oddLater = odd.capture(start);
        assertEquals(List.of(Operation.UPDATE, Operation.DELETE, Operation.INSERT, Operation.DELETE, Operation.DELETE), operations(oddLater));
        assertEquals(List.of("with space"), List.copyOf(oddLater.get(0).changedFields));
        assertTrue(oddLater.get(0).fieldVersions.get("with space").number() > oddInserted.get(0).fieldVersions.get("with space").number(),
                "the changed field's version rises");
        assertEquals(oddInserted.get(0).fieldVersions.get("order"), oddLater.get(0).fieldVersions.get("order"),
                "an unchanged field keeps its version");
        odd.applyEverywhere(oddLater);
    }

    /**
     * The version table holds the key columns beside its own (version_num, deleted, ...), so a key column named like one
     * of those cannot be installed: the table is refused with a message naming the column, not a database error.
     */
    @ParameterizedTest
    @EnumSource(MatrixEngine.class)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aKeyColumnNamedLikeAColumnOfTheVersionTableIsRefusedNamingIt(MatrixEngine engine) throws SQLException {
        MatrixSide side = new MatrixSide(engine, engine.freshDatabase("names_clash_" + engine.shortName), "A");
        // column names ignore case on MariaDB and SQLite; on PostgreSQL a quoted "Deleted" is another column than deleted
        String clash = engine == MatrixEngine.POSTGRES ? "deleted" : "Deleted";
        side.exec("CREATE TABLE clash (" + side.q(clash) + " bigint NOT NULL, " + side.q("name") + " varchar(40), PRIMARY KEY ("
                + side.q(clash) + "))");
        SyncTopology topology = new SyncTopology(List.of(new SyncSystem("A", 1), new SyncSystem("B", 2)),
                List.of(TableSettings.twoWay("clash"), TableSettings.twoWay("no_clash")), null);
        SchemaMismatchException refused = assertThrows(SchemaMismatchException.class, () -> side.install(topology, "clash"));
        assertTrue(refused.getMessage().contains("key column '" + clash + "'") && refused.getMessage().contains("version table"),
                refused.getMessage());
        if (engine == MatrixEngine.POSTGRES) {
            side.exec("CREATE TABLE no_clash (\"Deleted\" bigint PRIMARY KEY, name varchar(40))");
            SyncedTable table = side.install(topology, "no_clash");
            side.exec("INSERT INTO no_clash VALUES (1, 'x')");
            assertEquals(Map.of("Deleted", 1L), side.capture(table).get(0).key, "a name differing in case is another column");
        }
    }

    private static List<Operation> operations(List<ChangeRecord> changes) {
        return changes.stream().map(c -> c.operation).toList();
    }

    private static long micros(LocalDateTime time) {
        return time.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + time.getNano() / 1000;
    }

    private static void assertWithin(long start, long micros, String what) {
        long now = System.currentTimeMillis() * 1000L;
        assertTrue(micros >= start - TEN_MINUTES && micros <= now + TEN_MINUTES, what + ": " + micros + " is not the clock's " + now);
    }

    /** Integers of any width as long, timestamps as local date-times: engines differ in the Java types they read. */
    private static Map<String, Object> normalized(Map<String, Object> row) {
        Map<String, Object> normalized = new LinkedHashMap<>();
        row.forEach((field, value) -> normalized.put(field, value instanceof Number n ? (Object) n.longValue()
                : value instanceof Timestamp t ? t.toLocalDateTime() : value));
        return normalized;
    }

    /** One table at the source and at each target, created with the same names and installed. */
    private static final class Pair {
        final MatrixSide sourceSide;
        final SyncedTable source;
        final Map<MatrixSide, SyncedTable> targets = new LinkedHashMap<>();

        Pair(MatrixSide sourceSide, Map<Variant, MatrixSide> targetSides, String table, List<Column> columns) throws SQLException {
            this.sourceSide = sourceSide;
            this.source = create(sourceSide, table, columns);
            for (MatrixSide target : targetSides.values()) {
                targets.put(target, create(target, table, columns));
            }
        }

        private static SyncedTable create(MatrixSide side, String table, List<Column> columns) throws SQLException {
            String keys = columns.stream().filter(Column::key).map(c -> side.q(c.name())).collect(Collectors.joining(", "));
            side.exec("CREATE TABLE " + side.q(table) + " (" + columns.stream().map(c -> c.ddl(side.engine, side))
                    .collect(Collectors.joining(", ")) + ", PRIMARY KEY (" + keys + "))");
            return side.install(TOPOLOGY, table);
        }

        List<ChangeRecord> capture(long start) throws SQLException {
            List<ChangeRecord> changes = sourceSide.capture(source);
            for (ChangeRecord change : changes) {
                assertWithin(start, change.capturedAt, "captured at the clock's time");
                assertEquals(SOURCE_SYSTEM, change.version.origin());
                assertEquals(SOURCE_SYSTEM, change.origin);
            }
            return changes;
        }

        /** Applies the changes at every target; each then holds exactly the source's rows, and captured none of them. */
        void applyEverywhere(List<ChangeRecord> changes) throws Exception {
            List<Map<String, Object>> expected = sorted(sourceSide.readAll(source));
            for (Map.Entry<MatrixSide, SyncedTable> target : targets.entrySet()) {
                MatrixSide side = target.getKey();
                ChangeApplier applier = new ChangeApplier(side.dialect, TOPOLOGY, TARGET_SYSTEM, 500, warning -> { });
                ApplyResult result = MatrixSide.applyThroughJson(applier, side, source, target.getValue(), sourceSide.engine, changes);
                String where = source.localName() + " from " + sourceSide.engine + " into " + side.engine;
                assertEquals(changes.size(), result.count(ApplyStatus.APPLIED), where + ": " + result);
                assertEquals(expected, sorted(side.readAll(target.getValue())), where + ": the target holds the source's rows");
                assertEquals(0, side.historyCount(target.getValue()), where + ": the applier's writes are not captured");
            }
        }

        private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows) {
            List<Map<String, Object>> normalized = new ArrayList<>(rows.stream().map(UnusualNamesTest::normalized).toList());
            normalized.sort(Comparator.comparing(Map::toString));
            return normalized;
        }
    }
}
