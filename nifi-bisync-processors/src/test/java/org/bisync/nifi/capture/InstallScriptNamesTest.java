/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.capture;

import org.bisync.nifi.dialect.Dialect;
import org.bisync.nifi.dialect.mariadb.MariaDbDialect;
import org.bisync.nifi.dialect.postgres.PostgresDialect;
import org.bisync.nifi.dialect.sqlite.SqliteDialect;
import org.bisync.nifi.schema.ColumnInfo;
import org.bisync.nifi.schema.SyncedColumn;
import org.bisync.nifi.schema.SyncedTable;
import org.bisync.nifi.schema.TableMetadata;
import org.bisync.nifi.topology.TableSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The install script a DBA reviews names each table in its comments: a name with a line break must stay inside its
 * comment line, or the rest of the name would be run as SQL.
 */
class InstallScriptNamesTest {

    private static final String NAME = "evil\nDROP TABLE victim; --\rmore";

    /** Each dialect with the type name its catalog reader gives a bigint column. */
    static Stream<Arguments> dialects() {
        return Stream.of(Arguments.of(new PostgresDialect(), "int8"), Arguments.of(new MariaDbDialect(), "BIGINT"),
                Arguments.of(new SqliteDialect(), "BIGINT"));
    }

    @ParameterizedTest
    @MethodSource("dialects")
    void aLineBreakInATableNameCannotEndTheCommentsThatNameIt(Dialect dialect, String bigint) {
        ColumnInfo id = new ColumnInfo("id", Types.BIGINT, bigint, 19, 0, false, false, false);
        SyncedTable table = new SyncedTable(TableSettings.twoWay(NAME), "A", new TableMetadata(NAME, List.of(id), List.of("id"), false),
                List.of(new SyncedColumn("id", id, true, false)), 0, Map.of(), null);
        String script = new TriggerInstaller(dialect).generateInstallScript(List.of(table), "nifi_sync");

        String shown = "evil\\nDROP TABLE victim; --\\rmore";
        assertTrue(script.contains("-- Table " + shown + ": version table and triggers"), script);
        assertTrue(script.contains("  with ('" + shown + "', '"), script);
        assertFalse(script.contains("-- Table evil\n") || script.contains("with ('evil\n"), script);
    }
}
