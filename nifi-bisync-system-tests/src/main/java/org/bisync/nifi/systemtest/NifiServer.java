/*
 * Copyright 2026 the nifi-bisync authors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.bisync.nifi.systemtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A NiFi 2.8 started for system tests and benchmarks, from a fresh copy under a work directory (never in the user's
 * own installation), on a free port of 127.0.0.1, plain HTTP without login, with our NARs in its {@code extensions/}.
 *
 * <p>Where it comes from ({@code -Dnifi.home}, else the environment variable {@code NIFI_HOME}):
 * <ul>
 *   <li>a folder holding {@code start-nifi.sh} and {@code nifi-2.8.0-bin.zip} (such as the project's
 *   {@code ../shared/nifi}): the script unpacks and configures it in the work directory;</li>
 *   <li>an unpacked NiFi 2.8 ({@code bin/nifi.sh}): copied into the work directory (without its repositories, state
 *   and logs) and configured the same way.</li>
 * </ul>
 * {@link #close()} stops it; {@link #kill()} and {@link #restart} crash and start it again on the same directory. Its log
 * stays in {@link #logFile()}.
 */
public final class NifiServer implements AutoCloseable {

    public static final String HOME_PROPERTY = "nifi.home";
    public static final String HOME_ENV = "NIFI_HOME";

    /** The processor types our NAR must have registered once NiFi loaded it. */
    public static final List<String> BISYNC_PROCESSORS = List.of(
            "org.bisync.nifi.processors.CaptureTriggerHistory", "org.bisync.nifi.processors.PreventLoops",
            "org.bisync.nifi.processors.ResolveConflicts", "org.bisync.nifi.processors.ApplyBidirectionalChanges",
            "org.bisync.nifi.processors.ManageSyncTriggers", "org.bisync.nifi.processors.PurgeTombstones");

    private static final Set<String> NOT_COPIED = Set.of("content_repository", "database_repository",
            "flowfile_repository", "provenance_repository", "state", "logs", "run", "work", "extensions");

    private final Path directory;
    private final int port;
    private final NifiClient client;

    private NifiServer(Path directory, int port) {
        this.directory = directory;
        this.port = port;
        this.client = new NifiClient("http://127.0.0.1:" + port);
    }

    /** The NiFi to use as the system property or environment variable names it; fails with how to give one. */
    public static Path configuredHome() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            home = System.getenv(HOME_ENV);
        }
        if (home == null || home.isBlank()) {
            throw new IllegalStateException(howToProvide("No NiFi given."));
        }
        Path path = Path.of(home).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path.resolve("start-nifi.sh")) && !Files.isRegularFile(path.resolve("bin/nifi.sh"))) {
            throw new IllegalStateException(howToProvide("'" + path + "' (from -D" + HOME_PROPERTY + " or " + HOME_ENV
                    + ") holds neither bin/nifi.sh nor start-nifi.sh."));
        }
        return path;
    }

    private static String howToProvide(String problem) {
        return problem + " The system tests need an Apache NiFi 2.8: run them with -D" + HOME_PROPERTY
                + "=/path/to/nifi-2.8.0 (an unpacked NiFi) or with the environment variable " + HOME_ENV
                + " set, for example ./mvnw verify -Psystem-tests -D" + HOME_PROPERTY + "=$PWD/../shared/nifi (the folder of "
                + "start-nifi.sh and nifi-2.8.0-bin.zip). See README, 'System tests'.";
    }

    /**
     * Starts a fresh NiFi from {@code home} in {@code workDirectory}/nifi-2.8.0 (deleted first), copies {@code nars}
     * into its extensions folder and waits until it has loaded every processor of ours.
     */
    public static NifiServer start(Path home, Path workDirectory, List<Path> nars, Duration timeout) {
        return start(home, workDirectory, nars, timeout, freePort());
    }

    /** As {@link #start(Path, Path, List, Duration)}, on a given port of 127.0.0.1 (a benchmark's fixed one). */
    public static NifiServer start(Path home, Path workDirectory, List<Path> nars, Duration timeout, int port) {
        Path directory = workDirectory.toAbsolutePath().resolve("nifi-2.8.0");
        long started = System.nanoTime();
        NifiServer server = new NifiServer(directory, port);
        // a NiFi left running there by a run that was killed goes first
        server.stopQuietly();
        deleteRecursively(directory);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopQuietly, "nifi-stop"));
        try {
            if (Files.isRegularFile(home.resolve("start-nifi.sh"))) {
                unpackFor(home, directory);
                // start-nifi.sh leaves NiFi's default management port (52020), taken when another NiFi of the machine
                // started first: a free one, set before the script (which configures an unpacked NiFi as it is) starts it
                useManagementPort(directory, freePort());
                try {
                    run(List.of("bash", home.resolve("start-nifi.sh").toString(), directory.toString(), String.valueOf(port)),
                            directory.getParent(), timeout.plusMinutes(5));
                } catch (IllegalStateException e) {
                    // the script gives up after 180 s, a NiFi starting on a busy machine may still be on its way
                    if (!Files.isRegularFile(directory.resolve("bin/nifi.sh"))) {
                        throw e;
                    }
                    NifiClient.await("NiFi answering on port " + port + " after start-nifi.sh gave up (" + e.getMessage()
                            + ")", timeout, server.client::isUp);
                }
            } else {
                copyInstallation(home, directory);
                configure(directory, port);
                useManagementPort(directory, freePort());
                run(List.of("bash", directory.resolve("bin/nifi.sh").toString(), "start"), directory, Duration.ofMinutes(1));
                NifiClient.await("NiFi answering on port " + port + " (log: " + server.logFile() + ")", timeout, server.client::isUp);
            }
        } catch (RuntimeException e) {
            server.stopQuietly();
            throw e;
        }
        try {
            Path extensions = Files.createDirectories(directory.resolve("extensions"));
            for (Path nar : nars) {
                if (!Files.isRegularFile(nar)) {
                    throw new IllegalStateException("NAR " + nar + " not found: build it first (the reactor does)");
                }
                Files.copy(nar, extensions.resolve(nar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NifiClient.await("NiFi loading nifi-bisync-nar (log: " + server.logFile() + ")", timeout,
                () -> server.client.processorTypes().keySet().containsAll(BISYNC_PROCESSORS));
        System.out.printf("NiFi %s up on %s with nifi-bisync loaded after %d s (%s)%n",
                server.client.about().path("version").asText(), server.client.apiUrl(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), directory);
        return server;
    }

    public NifiClient client() {
        return client;
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    /** The process id of the NiFi JVM (not of its bootstrap), for jcmd; found by its command line naming this directory. */
    public long pid() {
        try (var processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String command = Files.readString(p.resolve("cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
                            boolean here = command.contains(directory.toString())
                                    || p.resolve("cwd").toRealPath().equals(directory.toRealPath());
                            // the application's main class comes last; the bootstrap's is another
                            return command.trim().endsWith(" org.apache.nifi.NiFi") && here;
                        } catch (IOException | RuntimeException e) {
                            return false; // gone, or not ours to read
                        }
                    })
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No NiFi JVM running from " + directory));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list /proc to find NiFi's process", e);
        }
    }

    public Path logFile() {
        return directory.resolve("logs/nifi-app.log");
    }

    /** The web UI's address of a process group. */
    public String groupUrl(String groupId) {
        return "http://127.0.0.1:" + port + "/nifi/#/process-groups/" + groupId;
    }

    @Override
    public void close() {
        run(List.of("bash", directory.resolve("bin/nifi.sh").toString(), "stop"), directory, Duration.ofMinutes(2));
    }

    /**
     * Kills NiFi as a crash would: {@code kill -9} of its bootstrap (first, so it cannot start NiFi again) and of every
     * process the bootstrap started. Nothing is stopped in order, flushed or given up; {@link #restart} starts it again
     * on the same directory. Only the processes of this server's directory are touched.
     */
    public void kill() {
        String bootstrapConf = directory.resolve("conf/bootstrap.conf").toString();
        List<ProcessHandle> bootstraps = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().filter(line -> line.contains("org.apache.nifi.bootstrap.BootstrapProcess")
                        && line.contains(bootstrapConf)).isPresent())
                .toList();
        if (bootstraps.isEmpty()) {
            throw new IllegalStateException("No NiFi bootstrap process of " + directory + " to kill");
        }
        List<ProcessHandle> killed = new ArrayList<>();
        for (ProcessHandle bootstrap : bootstraps) {
            List<ProcessHandle> children = bootstrap.descendants().toList();
            bootstrap.destroyForcibly();
            killed.add(bootstrap);
            children.forEach(ProcessHandle::destroyForcibly);
            killed.addAll(children);
        }
        for (ProcessHandle process : killed) {
            process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
        NifiClient.await("NiFi on port " + port + " gone after kill -9", Duration.ofSeconds(30), () -> !client.isUp());
        System.out.printf("NiFi in %s killed (pids %s)%n", directory, killed.stream().map(ProcessHandle::pid).toList());
    }

    /**
     * Starts NiFi again on the same directory and port (its flow, repositories and state as they were left, by a stop or
     * by {@link #kill}) and waits until it answers with our processors loaded.
     */
    public void restart(Duration timeout) {
        long started = System.nanoTime();
        // connections to the management port of a killed NiFi linger for a minute: a new port, free now
        useManagementPort(directory, freePort());
        run(List.of("bash", directory.resolve("bin/nifi.sh").toString(), "start"), directory, Duration.ofMinutes(1));
        NifiClient.await("NiFi answering on port " + port + " after a restart (log: " + logFile() + ")", timeout, client::isUp);
        NifiClient.await("NiFi loading nifi-bisync-nar after a restart (log: " + logFile() + ")", timeout,
                () -> client.processorTypes().keySet().containsAll(BISYNC_PROCESSORS));
        System.out.printf("NiFi restarted in %s after %d s%n", directory, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private void stopQuietly() {
        if (Files.isRegularFile(directory.resolve("bin/nifi.sh"))) {
            try {
                close();
            } catch (RuntimeException e) {
                System.err.println("Stopping NiFi in " + directory + " failed: " + e);
            }
        }
    }

    /** Unpacks the zip that lies beside start-nifi.sh into {@code directory}, as the script would. */
    private static void unpackFor(Path home, Path directory) {
        Path zip = home.resolve("nifi-2.8.0-bin.zip");
        if (!Files.isRegularFile(zip)) {
            return; // the script will say what is missing
        }
        try {
            Path unpacked = Files.createTempDirectory(Files.createDirectories(directory.getParent()), "unpack");
            run(List.of("unzip", "-q", zip.toString(), "-d", unpacked.toString()), directory.getParent(), Duration.ofMinutes(3));
            Files.move(unpacked.resolve("nifi-2.8.0"), directory);
            Files.delete(unpacked);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot unpack " + zip + " into " + directory, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    /** Runs a command with this JVM's Java as JAVA_HOME, its output into the log of the work directory. */
    private static void run(List<String> command, Path workingDirectory, Duration timeout) {
        try {
            Files.createDirectories(workingDirectory);
            Path log = workingDirectory.resolve("nifi-commands.log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> environment = builder.environment();
            environment.put("JAVA_HOME", System.getProperty("java.home"));
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
                        + " s; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                        + tail(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + command, e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static void copyInstallation(Path home, Path directory) {
        try {
            Files.walkFileTree(home, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path relative = home.relativize(dir);
                    if (relative.getNameCount() == 1 && NOT_COPIED.contains(relative.toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    Files.createDirectories(directory.resolve(relative.toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String relative = home.relativize(file).toString();
                    // the user's flow stays theirs
                    if (!relative.startsWith("conf/flow.")) {
                        Files.copy(file, directory.resolve(relative), StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy NiFi from " + home + " to " + directory, e);
        }
    }

    /** What start-nifi.sh sets: plain HTTP on 127.0.0.1:port, no login, no Python, UTC, a 2 GB heap. */
    private static void configure(Path directory, int port) {
        Path properties = directory.resolve("conf/nifi.properties");
        List<String[]> settings = new ArrayList<>(List.of(
                new String[] {"nifi.web.http.host", "127.0.0.1"}, new String[] {"nifi.web.http.port", String.valueOf(port)},
                new String[] {"nifi.web.https.host", ""}, new String[] {"nifi.web.https.port", ""},
                new String[] {"nifi.remote.input.secure", "false"}, new String[] {"nifi.remote.input.http.enabled", "false"},
                new String[] {"nifi.sensitive.props.key", "nifi-bisync-system-tests"},
                new String[] {"nifi.python.command", ""}, new String[] {"nifi.python.max.processes", "0"}));
        for (String key : List.of("keystore", "keystoreType", "keystorePasswd", "keyPasswd", "truststore", "truststoreType",
                "truststorePasswd", "user.login.identity.provider", "user.authorizer")) {
            settings.add(new String[] {"nifi.security." + key, ""});
        }
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(properties, StandardCharsets.UTF_8));
            for (String[] setting : settings) {
                boolean found = false;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith(setting[0] + "=")) {
                        lines.set(i, setting[0] + "=" + setting[1]);
                        found = true;
                    }
                }
                if (!found) {
                    lines.add(setting[0] + "=" + setting[1]);
                }
            }
            Files.write(properties, lines, StandardCharsets.UTF_8);
            Path bootstrap = directory.resolve("conf/bootstrap.conf");
            List<String> boot = new ArrayList<>(Files.readAllLines(bootstrap, StandardCharsets.UTF_8));
            boot.replaceAll(line -> line.startsWith("java.arg.2=-Xms") ? "java.arg.2=-Xms1g"
                    : line.startsWith("java.arg.3=-Xmx") ? "java.arg.3=-Xmx2g" : line);
            if (boot.stream().noneMatch(line -> line.contains("user.timezone"))) {
                boot.add("java.arg.90=-Duser.timezone=UTC");
            }
            Files.write(bootstrap, boot, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot configure " + properties, e);
        }
    }

    /**
     * Sets the port of NiFi's management server (bootstrap.conf {@code management.server.address}, from 127.0.0.1:52020 on by
     * default, the same for every NiFi of the machine).
     */
    private static void useManagementPort(Path directory, int managementPort) {
        Path bootstrap = directory.resolve("conf/bootstrap.conf");
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(bootstrap, StandardCharsets.UTF_8));
            lines.removeIf(line -> line.startsWith("management.server.address="));
            lines.add("management.server.address=http://127.0.0.1:" + managementPort);
            Files.write(bootstrap, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot configure " + bootstrap, e);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + directory, e);
        }
    }
}
