package dev.patchtide.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent tells systemd, through a stand-in for systemd-notify that writes down what it is given. */
class SystemdNotifierTest {

    @Test
    void saysReadyOnceThenKeepsTheWatchdogFedAtHalfItsInterval(@TempDir Path dir) throws Exception {
        Path said = dir.resolve("said");
        Path notify = dir.resolve("systemd-notify");
        Files.writeString(notify, "#!/bin/sh\necho \"$1\" >> '" + said + "'\n");
        Files.setPosixFilePermissions(notify, PosixFilePermissions.fromString("rwx------"));

        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(
                        "NOTIFY_SOCKET", "/run/systemd/notify",
                        "WATCHDOG_USEC", "400000",
                        "PATCHTIDE_SYSTEMD_NOTIFY", notify.toString()))
                .orElseThrow();
        notifier.readyAndKeepAlive();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(said)
                        && Files.readAllLines(said).stream()
                                        .filter("WATCHDOG=1"::equals)
                                        .count()
                                >= 3);
        notifier.stopping();
        List<String> lines = Files.readAllLines(said);
        assertThat(lines.getFirst()).isEqualTo("READY=1");
        assertThat(lines).containsOnlyOnce("READY=1");
        assertThat(lines.getLast()).isEqualTo("STOPPING=1");
    }

    @Test
    void withoutANotifySocketThereIsNoOneToTell() {
        assertThat(SystemdNotifier.fromEnvironment(Map.of())).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000")))
                .isEmpty();
    }
}
