package dev.patchtide.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which command lines the daemon's picocli-free start takes, and that it hands everything else to picocli. */
class DaemonRunTest {
    private static Optional<DaemonRun.Options> parse(Map<String, String> env, String... args) {
        return DaemonRun.parse(List.of(args), env);
    }

    @Test
    void thePackagedUnitsCommandLineAndBothOptionForms() {
        assertThat(parse(Map.of(), "run"))
                .contains(new DaemonRun.Options(Optional.empty(), Optional.empty(), Duration.ofHours(4)));
        assertThat(parse(
                        Map.of(),
                        "run",
                        "--state-dir",
                        "/var/lib/x",
                        "--scan-interval=PT20S",
                        "--heartbeat-interval",
                        "PT60S"))
                .contains(new DaemonRun.Options(
                        Optional.of(Path.of("/var/lib/x")),
                        Optional.of(Duration.ofSeconds(60)),
                        Duration.ofSeconds(20)));
    }

    @Test
    void theStateDirComesFromTheEnvironmentUnlessGiven() {
        assertThat(parse(Map.of("PATCHTIDE_AGENT_DIR", "/env"), "run")
                        .orElseThrow()
                        .stateDir())
                .contains(Path.of("/env"));
        assertThat(parse(Map.of("PATCHTIDE_AGENT_DIR", "/env"), "run", "--state-dir", "/given")
                        .orElseThrow()
                        .stateDir())
                .contains(Path.of("/given"));
    }

    @Test
    void anythingElseGoesToPicocli() {
        assertThat(parse(Map.of())).isEmpty();
        assertThat(parse(Map.of(), "scan")).isEmpty();
        assertThat(parse(Map.of(), "run", "--help")).isEmpty();
        assertThat(parse(Map.of(), "run", "-V")).isEmpty();
        assertThat(parse(Map.of(), "run", "--scan-interval")).isEmpty();
        assertThat(parse(Map.of(), "run", "--scan-interval", "4h")).isEmpty();
        assertThat(parse(Map.of(), "run", "--scan-interval", "PT1H", "--scan-interval", "PT2H"))
                .isEmpty();
        assertThat(parse(Map.of(), "run", "--state-dir", "--scan-interval", "PT1H"))
                .isEmpty();
        assertThat(parse(Map.of(), "run", "--unknown", "x")).isEmpty();
        assertThat(parse(Map.of(), "run", "extra")).isEmpty();
        assertThat(parse(Map.of("PATCHTIDE_AGENT_DIR", " "), "run")).isEmpty();
    }

    @Test
    void anUnregisteredHostIsLeftToPicocliWhichSaysSo(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThat(DaemonRun.runIfRegistered(
                        new DaemonRun.Options(Optional.of(dir), Optional.empty(), Duration.ofHours(4))))
                .isEmpty();
    }
}
