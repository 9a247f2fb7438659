package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server JVM killed with SIGKILL takes its embedded PostgreSQL with it (through the watchdog). */
class OrphanPostgresTest {

    @Test
    void killingTheServerJvmStopsItsPostgres(@TempDir Path dir) throws Exception {
        // As root PostgreSQL runs as 'nobody', which must be able to pass through the folder.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cluster = dir.resolve("cluster");
        Path output = dir.resolve("child.out");
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        PostgresInChildJvm.class.getName(),
                        cluster.toString()))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            await().atMost(Duration.ofMinutes(3))
                    .until(() -> !startedLine(output).isEmpty() || !child.isAlive());
            String[] started = startedLine(output).split(" ");
            assertThat(started).as(Files.readString(output)).hasSize(2);
            int port = Integer.parseInt(started[0]);
            long pid = Long.parseLong(started[1]);
            assertThat(accepts(port)).isTrue();
            assertThat(ProcessHandle.of(pid)).isPresent();

            child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            // A fast shutdown, not another kill: the postmaster is gone, it released the data folder's lock
            // file, and nothing listens on its port.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)
                            && !Files.exists(cluster.resolve("postmaster.pid"))
                            && !accepts(port));
            assertThat(Files.readString(cluster.resolve("log/postgres.log")))
                    .contains("patchtide watchdog")
                    .contains("database system is shut down");
        } finally {
            child.destroyForcibly();
        }
        // The folder is ready for the next server.
        try (EmbeddedPostgres again = EmbeddedPostgres.start(cluster)) {
            assertThat(accepts(again.port())).isTrue();
        }
    }

    /** The child's {@code <port> <pid>} line, or empty before it is printed. */
    private static String startedLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            return in.lines()
                    .map(String::strip)
                    .filter(l -> l.matches("\\d+ \\d+"))
                    .findFirst()
                    .orElse("");
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }
}
