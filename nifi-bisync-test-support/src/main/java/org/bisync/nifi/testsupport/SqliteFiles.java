/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.testsupport;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite database files under target/sqlite-test/ (relative to the working directory, which is the module directory
 * under Surefire; system property {@value #DIRECTORY_PROPERTY} overrides it).
 */
final class SqliteFiles {

    static final String DIRECTORY_PROPERTY = "bisync.sqlite.dir";
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private SqliteFiles() {
    }

    static Path file(final String name) {
        final String directory = System.getProperty(DIRECTORY_PROPERTY, "target/sqlite-test");
        return Path.of(directory, DatabaseNames.requireSafe(name) + ".db").toAbsolutePath();
    }

    /** The pragmas are URL parameters too, so a connection made from the URL alone behaves the same. */
    static String url(final String name) {
        return "jdbc:sqlite:" + file(name) + "?foreign_keys=true&busy_timeout=" + BUSY_TIMEOUT_MILLIS
                + "&journal_mode=WAL";
    }

    /** Deletes the file (and its -wal/-shm), creates it in WAL mode and returns a DataSource for it. */
    static DataSource fresh(final String name) {
        final Path file = file(name);
        try {
            Files.createDirectories(file.getParent());
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not reset SQLite file " + file, e);
        }
        final SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        final SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file);
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet journalMode = statement.executeQuery("PRAGMA journal_mode")) {
            // the connection created the file and switched it to WAL, which persists in the file
            if (!journalMode.next() || !"wal".equalsIgnoreCase(journalMode.getString(1))) {
                throw new IllegalStateException("SQLite file " + file + " is not in WAL mode");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create SQLite file " + file, e);
        }
        return dataSource;
    }
}
