package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.RegistrationFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user sees running {@code up} from the project folder with the default {@code data}: a banner
 * that no log line splits, and the admin and agent commands it names working from that folder as typed.
 */
class UpFromProjectRootTest {

    @Test
    void bannerComesWholeAfterTheAgentsStartAndItsCommandsWorkFromTheSameFolder(@TempDir Path dir) throws Exception {
        // JUnit's temp folders are 0700; as root, the embedded PostgreSQL runs as 'nobody' and must pass through.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (CliProcess up =
                CliProcess.start(dir, "up", "--port", "0", "--heartbeat-interval", "PT1S", "--scan-interval", "PT0S")) {
            // The first start initialises PostgreSQL: minutes on a busy 2-core machine.
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !up.isAlive() || up.output().contains("Press Ctrl-C to stop."));
            String output = up.output();
            assertThat(up.isAlive()).as(output).isTrue();

            List<String> lines = output.lines().toList();
            int agentStarted = indexOf(lines, "reporting to https://127.0.0.1:");
            int banner = indexOf(lines, "Patchtide is up: API at ");
            int end = indexOf(lines, "Press Ctrl-C to stop.");
            assertThat(agentStarted).as(output).isNotNegative().isLessThan(banner);
            int signIn = indexOf(lines, "sign in with this one-time link");
            assertThat(lines.get(signIn)).endsWith("a new one: ./patchtide dashboard link):");
            assertThat(lines.get(signIn + 1)).matches("  https://127\\.0\\.0\\.1:\\d+/dashboard/login#token=\\S+");
            assertThat(lines.get(signIn + 2))
                    .isEqualTo("  or with the admin key in " + dir.resolve("data/aws-credentials"));
            // Nothing but the banner's own lines between its first and its last.
            assertThat(lines.subList(banner, end + 1))
                    .noneMatch(line -> line.contains(" INFO ") || line.contains(" WARN "));

            String link = CliProcess.run(dir, "dashboard", "link");
            assertThat(link).containsPattern("https://127\\.0\\.0\\.1:\\d+/dashboard/login#token=\\S+");

            // `agent run` would be a second agent for this host: it is refused, pointing at up's agent.
            try (CliProcess run = CliProcess.start(dir, "agent", "run")) {
                assumeThat(standardStateDirIsEmpty()).isTrue();
                assertThat(run.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
                assertThat(run.output())
                        .contains("this host is not registered")
                        .contains("'patchtide up' registered its own agent in " + dir.resolve("data/agent"))
                        .contains("--state-dir data/agent");
            }

            if (Files.exists(Path.of("/var/lib/dpkg/status"))) {
                String scanned;
                try (CliProcess scan = CliProcess.start(dir, "agent", "scan")) {
                    // A real scan reads every package index of this host: slow on a busy machine.
                    assertThat(scan.waitFor(Duration.ofMinutes(5)))
                            .as(scan.outputSoFar())
                            .isZero();
                    scanned = scan.output();
                }
                assertThat(scanned)
                        .containsPattern(
                                "Reported to https://127\\.0\\.0\\.1:\\d+ as mi-[0-9a-f]{17} \\(registration in "
                                        + java.util.regex.Pattern.quote(
                                                dir.resolve("data/agent").toString()) + "\\)");
            }
            up.stop();
            assertThat(up.waitFor(Duration.ofSeconds(60))).isEqualTo(143);
        }
    }

    private static boolean standardStateDirIsEmpty() throws Exception {
        for (Path dir : List.of(
                Path.of("/var/lib/patchtide-agent"),
                Path.of(System.getProperty("user.home"), ".local", "state", "patchtide-agent"))) {
            if (new RegistrationFile(dir).read().isPresent()) {
                return false;
            }
        }
        return System.getenv("PATCHTIDE_AGENT_DIR") == null && System.getenv("PATCHTIDE_DATA_DIR") == null;
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
