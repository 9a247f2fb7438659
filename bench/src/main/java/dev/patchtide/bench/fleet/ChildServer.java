package dev.patchtide.bench.fleet;

import dev.patchtide.server.db.DatabaseSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ServerProcess} started as a child JVM with this JVM's class path: its endpoint, its CPU and
 * memory (from /proc), and a SIGKILL. Its log goes to a file; its standard output carries the protocol lines.
 */
public final class ChildServer implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int port;
    private final Path log;

    private ChildServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        Thread reader = new Thread(this::readLines, "child-server-out-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a server on {@code port} over {@code db}, sealing secrets with the key in {@code secretKey}
     * (created if missing: a restarted server must read the secrets the first one stored).
     */
    public static ChildServer start(
            DatabaseSettings db, int port, Path secretKey, Path log, List<String> jvmOptions, boolean adminKey)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // e.g. -Dpatchtide.bench.serverJvm=-XX:StartFlightRecording=filename=server.jfr to profile the server
        String extra = System.getProperty("patchtide.bench.serverJvm", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                ServerProcess.class.getName(),
                db.jdbcUrl(),
                db.user(),
                db.password(),
                Integer.toString(port),
                secretKey.toString(),
                Integer.toString(db.maxPoolSize())));
        if (adminKey) {
            command.add("admin");
        }
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ChildServer(p, port, log);
    }

    /** A port nobody listens on now, for a server that must keep its port across a restart. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void readLines() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** The next line starting with {@code prefix} (the prefix removed); fails if the child exits first. */
    public String await(String prefix, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IOException("the server exited (" + process.exitValue() + "); its log: " + tail());
            }
        }
        throw new IOException("no '" + prefix + "' line from the server within " + timeout + "; its log: " + tail());
    }

    /** Waits for the server to listen; returns its endpoint. */
    public URI awaitListening(Duration timeout) throws IOException, InterruptedException {
        int listening = Integer.parseInt(await("listening ", timeout).strip());
        return URI.create("http://127.0.0.1:" + listening);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public long pid() {
        return process.pid();
    }

    /** User plus system CPU seconds the server process has used so far. */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // USER_HZ
    }

    /** Resident set size in bytes. */
    public long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid());
    }

    /** Heap used after a full collection, and committed, in bytes. */
    public long[] heap() throws IOException, InterruptedException {
        OutputStream in = process.getOutputStream();
        in.write("heap\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
        String[] f = await("heap ", Duration.ofSeconds(60)).split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    /** SIGKILL: no shutdown hook, no finally, the database left as the crash left it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server " + pid() + " survived SIGKILL");
        }
    }

    /** The file the server logs to. */
    public Path logFile() {
        return log;
    }

    public String tail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Closes its standard input (it stops cleanly), or kills it after 30 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
