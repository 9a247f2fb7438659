package dev.patchtide.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** The listen backlog the kernel really gave the server's socket, read back with {@code ss}. */
class ListenersTest {

    @Test
    void theServersSocketListensWithTheLargeAcceptQueue() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")), "needs iproute2's ss");
        try (TestServer server = TestServer.start(InstantSource.system())) {
            int expected = Math.min(Listeners.ACCEPT_QUEUE, somaxconn());
            // Jetty's default would have left the JDK's 50.
            assertThat(expected).isGreaterThan(50);
            assertThat(backlog(server.endpoint().getPort())).isEqualTo(expected);
        }
    }

    /** Read as a stream: a /proc file reports no size, and Files.readString read only its first byte here. */
    static int somaxconn() throws IOException {
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
            return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
    }

    /** The Send-Q column of a listening socket is its backlog. */
    static int backlog(int port) throws Exception {
        Process ss = new ProcessBuilder("/usr/bin/ss", "-ltnH", "sport = :" + port)
                .redirectErrorStream(true)
                .start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).as(out).isZero();
        String[] columns = out.strip().lines().findFirst().orElseThrow().trim().split("\\s+");
        return Integer.parseInt(columns[2]);
    }
}
