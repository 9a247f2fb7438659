package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Package-manager commands leave the agent's sandbox through systemd-run only when systemd runs the agent. The
 * systemd path itself cannot run here (no systemd as PID 1): a stand-in systemd-run shows what Processes hands it
 * and runs the command after its "--", as the real one does in a transient service.
 */
class TransientUnitTest {

    @Test
    void underSystemdTheCommandRunsAsATransientServiceNamedAfterTheInvocation(@TempDir Path dir) throws Exception {
        Path systemdRun = executable(dir.resolve("bin/systemd-run"), "#!/bin/sh\n");
        TransientUnit unit = TransientUnit.fromEnvironment(
                Map.of("INVOCATION_ID", "4f1c0de5a1b2", "PATH", "/nonexistent:" + systemdRun.getParent()));

        assertThat(unit.systemdRun()).contains(systemdRun);
        assertThat(unit.commandLine(
                        List.of("apt-get", "install", "-y", "bash=5.2"),
                        Map.of("LC_ALL", "C", "DEBIAN_FRONTEND", "noninteractive"),
                        "patchtide-install-c0ffee-1.service"))
                .containsExactly(
                        systemdRun.toString(),
                        "--wait",
                        "--pipe",
                        "--collect",
                        "--quiet",
                        "--service-type=exec",
                        "--unit=patchtide-install-c0ffee-1.service",
                        "--description=Patchtide agent: apt-get",
                        "--setenv=DEBIAN_FRONTEND=noninteractive",
                        "--setenv=LC_ALL=C",
                        "--",
                        "apt-get",
                        "install",
                        "-y",
                        "bash=5.2");
    }

    @Test
    void withoutSystemdOrWithoutSystemdRunTheCommandRunsAsItIs(@TempDir Path dir) throws Exception {
        Path bin = executable(dir.resolve("bin/systemd-run"), "#!/bin/sh\n").getParent();
        List<String> command = List.of("dnf", "upgrade", "-y", "bash-5.2-1.x86_64");
        for (Map<String, String> env : List.of(
                Map.of("PATH", bin.toString()), // a shell or a container: no INVOCATION_ID
                Map.of("INVOCATION_ID", " ", "PATH", bin.toString()),
                Map.of(
                        "INVOCATION_ID",
                        "4f1c0de5a1b2",
                        "PATH",
                        dir.resolve("empty").toString()))) {
            TransientUnit unit = TransientUnit.fromEnvironment(env);
            assertThat(unit.isDirect()).as(env.toString()).isTrue();
            assertThat(unit.commandLine(command, Map.of("LC_ALL", "C"), "ignored.service"))
                    .isEqualTo(command);
        }
    }

    @Test
    void unitNamesFollowTheInvocationAndHoldOnlyWhatSystemdAccepts() {
        assertThat(TransientUnit.unitName(Optional.of("2f0b6a0e-1c1d-4f6e-9c55-6d7c2b9d0a11"), 3))
                .isEqualTo("patchtide-install-2f0b6a0e-1c1d-4f6e-9c55-6d7c2b9d0a11-3.service");
        assertThat(TransientUnit.unitName(Optional.of("odd id/../x"), 1))
                .isEqualTo("patchtide-install-odd_id_.._x-1.service");
        assertThat(TransientUnit.unitName(Optional.empty(), 7)).isEqualTo("patchtide-install-7.service");
        assertThat(TransientUnit.unitName(Optional.of("x".repeat(300)), 1)).hasSizeLessThan(256);
    }

    @Test
    void processesRunEveryPackageManagerCommandThroughTheWayOutWithItsOutputAndExitCode(@TempDir Path dir)
            throws Exception {
        Path calls = dir.resolve("calls");
        // As systemd-run --pipe does: the command after "--" runs, its output and exit code come back.
        Path systemdRun = executable(
                dir.resolve("systemd-run"),
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + calls + "'\n"
                        + "while [ \"$1\" != -- ]; do shift; done\nshift\nexec \"$@\"\n");
        TransientUnit before = Processes.runWith(new TransientUnit(Optional.of(systemdRun)));
        try {
            Processes.Captured captured = Processes.forInvocation(
                    "cmd-42",
                    () -> Processes.capture(
                            List.of("sh", "-c", "echo simulated; echo warning >&2; exit 3"), Map.of("LC_ALL", "C")));
            assertThat(captured.exitCode()).isEqualTo(3);
            assertThat(captured.output()).contains("simulated").contains("warning");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Processes.run(
                    List.of("sh", "-c", "echo \"installing $DEBIAN_FRONTEND\"; echo progress >&2"),
                    Map.of("DEBIAN_FRONTEND", "noninteractive"),
                    out,
                    err);
            assertThat(code).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("installing noninteractive\n");
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("progress\n");

            List<String> lines = Files.readAllLines(calls);
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0))
                    .startsWith("--wait --pipe --collect --quiet --service-type=exec --unit=patchtide-install-cmd-42-")
                    .contains("--setenv=LC_ALL=C -- sh -c");
            assertThat(lines.get(1))
                    .matches("--wait .* --unit=patchtide-install-\\d+\\.service .*")
                    .contains("--setenv=DEBIAN_FRONTEND=noninteractive -- sh -c");
        } finally {
            Processes.runWith(before);
        }
    }

    private static Path executable(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }
}
