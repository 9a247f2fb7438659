package dev.patchtide.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployed-agent measurement over a launcher that execs java, as the packaged one does. */
class RunningAgentTest {
    @Test
    void readsCpuAndMemoryOfTheJavaTheLauncherExecs(@TempDir Path dir) throws Exception {
        Path launcher = dir.resolve("fake-agent");
        Files.writeString(
                launcher,
                "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                        + System.getProperty("java.class.path") + "' " + FakeAgent.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        ScanCost cost = ScanCost.create();
        RunningAgent agent = RunningAgent.parse("fake=" + launcher + "|" + dir.resolve("state"));

        agent.measure(cost, 2, 1, 1);

        String label = "agent fake";
        assertThat(cost.values(label, "start to first report CPU s"))
                .singleElement()
                .satisfies(v -> assertThat(v).isPositive());
        // the fake's scan thread spins before each report: its own CPU is seen under its Linux name
        assertThat(cost.values(label, "first scan, scan thread CPU s"))
                .singleElement()
                .satisfies(v -> assertThat(v).isPositive());
        assertThat(cost.values(label, "repeat scan interval CPU s")).hasSize(2).allSatisfy(v -> assertThat(v)
                .isPositive());
        double idle = cost.values(label, "idle RSS MB (after scans)").getFirst();
        assertThat(idle).isGreaterThan(5);
        assertThat(cost.values(label, "peak RSS MB").getFirst()).isGreaterThanOrEqualTo(idle);
        assertThat(cost.values(label, "threads").getFirst()).isGreaterThan(1);
    }

    @Test
    void aSpecWithoutStateDirIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> RunningAgent.parse("packaged=/usr/bin/patchtide-agent"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--agent takes LABEL=LAUNCHER|STATE_DIR");
        assertThatThrownBy(() -> RunningAgent.parse("=/usr/bin/patchtide-agent|/tmp/state"))
                .hasMessageContaining("--agent");
    }
}
