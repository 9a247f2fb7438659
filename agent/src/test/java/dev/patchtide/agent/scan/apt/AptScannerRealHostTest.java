package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On a real Debian host, our reading of dpkg and apt's files must agree with apt itself. */
class AptScannerRealHostTest {

    @Test
    void upgradableSetEqualsAptListUpgradable() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt")), "apt is not installed: not a Debian host");
        List<String> ours = new ArrayList<>();
        for (AptUpdate u : new AptScanner(Path.of("/")).upgradable()) {
            ours.add(u.name() + "/"
                    + String.join(",", u.archives().stream().sorted().toList()) + " " + u.architecture() + " "
                    + u.installedVersion() + " -> " + u.candidateVersion());
        }
        assertThat(ours).containsExactlyInAnyOrderElementsOf(aptListUpgradable());
    }

    /** Parses lines like {@code openssl/bookworm-security 3.0.17-1~deb12u2 amd64 [upgradable from: 3.0.15-1~deb12u1]}. */
    private static List<String> aptListUpgradable() throws Exception {
        Process apt = new ProcessBuilder("apt", "list", "--upgradable")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(apt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(apt.waitFor()).isZero();
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.contains("[upgradable from: ")) {
                continue;
            }
            String[] parts = line.split(" ");
            String name = parts[0].substring(0, parts[0].indexOf('/'));
            String archives = String.join(
                    ",",
                    java.util.Arrays.stream(parts[0].substring(parts[0].indexOf('/') + 1)
                                    .split(","))
                            .sorted()
                            .toList());
            String from = line.substring(line.indexOf("[upgradable from: ") + 18, line.lastIndexOf(']'));
            lines.add(name + "/" + archives + " " + parts[2] + " " + from + " -> " + parts[1]);
        }
        return lines;
    }
}
