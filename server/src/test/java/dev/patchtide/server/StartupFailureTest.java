package dev.patchtide.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A start-up that fails midway leaves nothing running: what it had started is closed before it throws. */
class StartupFailureTest {
    private static final List<String> LOOPS =
            List.of("access-key-revocations", "connection-authorizer", "inventory-sweeper", "patch-reevaluation");

    private final MutableClock clock = MutableClock.ofNow();

    @Test
    void portInUseStopsTheWorkersStartedBeforeIt() throws Exception {
        Set<String> before = PollingLoop.alive();
        try (Database database = Database.connect(TestDatabases.fresh());
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // A start-up that succeeds runs these loops and scan writers; closing stops them.
            try (PatchtideServer running = PatchtideServer.start(config(0), database, clock)) {
                assertThat(running.port()).isPositive();
                assertThat(PollingLoop.alive()).containsAll(LOOPS);
                assertThat(scanWriters()).isNotEmpty();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> PollingLoop.alive().equals(before));
            await().atMost(Duration.ofSeconds(10)).until(() -> scanWriters().isEmpty());

            // The HTTP port is taken: start-up fails after the loops and scan writers were started.
            assertThatThrownBy(() -> PatchtideServer.start(config(taken.getLocalPort()), database, clock))
                    .isInstanceOf(RuntimeException.class);
            assertThat(PollingLoop.alive()).isEqualTo(before);
            assertThat(scanWriters()).isEmpty();
        }
    }

    private static ServerConfig config(int port) {
        return new ServerConfig(
                "127.0.0.1", port, "us-east-1", ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults());
    }

    private static List<String> scanWriters() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("scan-writer-"))
                .toList();
    }
}
