package dev.patchtide.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server kept in a folder of ours: initialised on first start, reused afterwards,
 * reachable only on 127.0.0.1 with a generated password. The password lives next to the cluster
 * ({@code <cluster>.password}, mode 0600) because initdb wants the cluster folder to itself.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String USER = "postgres";
    /** How long the watchdog gives each of fast shutdown and immediate shutdown before the next signal. */
    private static final int WATCHDOG_BOUND_SECONDS = 30;

    private final Path install;
    private final Path cluster;
    private final Processes processes;
    private final String password;
    private final int port;
    private final long pid;
    private final Watchdog watchdog;
    private boolean stopped;

    private EmbeddedPostgres(
            Path install, Path cluster, Processes processes, String password, int port, long pid, Watchdog watchdog) {
        this.install = install;
        this.cluster = cluster;
        this.processes = processes;
        this.password = password;
        this.port = port;
        this.pid = pid;
        this.watchdog = watchdog;
    }

    /** Starts (initialising on first use) the cluster kept in {@code clusterDir}; its data survives restarts. */
    public static EmbeddedPostgres start(Path clusterDir) throws IOException {
        Path cluster = clusterDir.toAbsolutePath().normalize();
        Path install = PostgresBinaries.install();
        Processes processes = new Processes(Processes.runningAsRoot());
        if (processes.asNobody()) {
            requireReachableByNobody(cluster.getParent());
        }
        Path passwordFile = cluster.resolveSibling(cluster.getFileName() + ".password");
        String password;
        if (Files.exists(cluster.resolve("PG_VERSION"))) {
            if (!Files.exists(passwordFile)) {
                throw new IOException("the PostgreSQL cluster in " + cluster + " has no password file " + passwordFile
                        + "; restore it, or move the cluster away to start afresh");
            }
            password = Files.readString(passwordFile).strip();
            processes.own(cluster);
        } else {
            password = newPassword();
            initialise(install, cluster, processes, password, passwordFile);
        }
        stopLeftovers(install, cluster, processes);
        int port = freePort();
        Path logFile = cluster.resolve("log/postgres.log");
        Files.createDirectories(logFile.getParent());
        processes.own(logFile.getParent());
        Processes.Result started = processes.run(
                cluster,
                90,
                List.of(
                        install.resolve("bin/pg_ctl").toString(),
                        "start",
                        "-w",
                        "-t",
                        "60",
                        "-D",
                        cluster.toString(),
                        "-l",
                        logFile.toString(),
                        "-o",
                        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                                + " -c max_connections=200 -c shared_buffers=" + SharedBuffers.forThisHost()
                                + CheckpointSpacing.optionsFor(cluster)
                                + " -c fsync=on"));
        if (started.exitCode() != 0) {
            throw new IOException("PostgreSQL did not start in " + cluster + ":\n" + started.output() + "\nlog tail:\n"
                    + tail(logFile));
        }
        // A kill -9 between the start above and the watchdog below leaves PostgreSQL running until the next
        // start stops it (stopLeftovers): the window is the few milliseconds it takes to read the pid.
        long pid = postmasterPid(cluster);
        Watchdog watchdog = Watchdog.start(processes, cluster, pid, WATCHDOG_BOUND_SECONDS, logFile);
        log.debug("PostgreSQL {} from {} serving {} on port {}", pid, install, cluster, port);
        return new EmbeddedPostgres(install, cluster, processes, password, port, pid, watchdog);
    }

    private static void initialise(Path install, Path cluster, Processes processes, String password, Path passwordFile)
            throws IOException {
        Files.createDirectories(cluster);
        processes.own(cluster);
        Path scratch = Files.createTempDirectory("patchtide-initdb");
        try {
            Path pwfile = scratch.resolve("pw");
            Files.writeString(pwfile, password + "\n");
            processes.own(scratch);
            processes.runOrFail(
                    scratch,
                    180,
                    List.of(
                            install.resolve("bin/initdb").toString(),
                            "-D",
                            cluster.toString(),
                            "-U",
                            USER,
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "-A",
                            "scram-sha-256",
                            "--pwfile=" + pwfile));
        } finally {
            PostgresBinaries.deleteTree(scratch);
        }
        Files.writeString(
                Files.createFile(
                        passwordFile,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                password + "\n");
    }

    /** As root, PostgreSQL runs as 'nobody', which must be able to walk down to the cluster. */
    private static void requireReachableByNobody(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (Path p = folder; p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("PostgreSQL refuses to run as root, so Patchtide runs it as 'nobody', which"
                        + " cannot enter " + p + " on the way to " + folder + ". Choose a data folder outside it,"
                        + " allow passing through it (chmod o+x " + p + "), or use an external PostgreSQL (--db-url).");
            }
        }
    }

    /**
     * After a crash a postmaster.pid may be left behind, naming a dead process or one that now belongs
     * to someone else: stop a server still running on the cluster, and drop a stale lock file.
     */
    private static void stopLeftovers(Path install, Path cluster, Processes processes) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Processes.Result status = processes.run(
                cluster, 30, List.of(install.resolve("bin/pg_ctl").toString(), "status", "-D", cluster.toString()));
        if (status.exitCode() == 0) {
            log.warn("a PostgreSQL from an earlier run still serves {}; stopping it", cluster);
            processes.runOrFail(
                    cluster,
                    90,
                    List.of(
                            install.resolve("bin/pg_ctl").toString(),
                            "stop",
                            "-D",
                            cluster.toString(),
                            "-m",
                            "fast",
                            "-w"));
        } else {
            Files.deleteIfExists(pidFile);
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** The postmaster's process id. */
    public long pid() {
        return pid;
    }

    private static long postmasterPid(Path cluster) throws IOException {
        String first =
                Files.readAllLines(cluster.resolve("postmaster.pid")).getFirst().strip();
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            throw new IOException("unreadable postmaster.pid in " + cluster + ": " + first, e);
        }
    }

    /** Creates the database unless it exists. */
    public void createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", got " + name);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, password);
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop("fast");
    }

    /** Stops without a shutdown checkpoint: for a cluster about to be thrown away (tests), where the wait is waste. */
    public void discard() {
        stop("immediate");
    }

    private synchronized void stop(String mode) {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            processes.runOrFail(
                    cluster,
                    90,
                    List.of(
                            install.resolve("bin/pg_ctl").toString(),
                            "stop",
                            "-D",
                            cluster.toString(),
                            "-m",
                            mode,
                            "-w"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL serving " + cluster, e);
        } finally {
            // Stopped (or, if pg_ctl failed, the watchdog's signals take over).
            watchdog.release();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log at " + file + ")";
        }
    }
}
