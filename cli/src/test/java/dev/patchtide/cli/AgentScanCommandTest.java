package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentScanCommandTest {

    @Test
    void printsUpdatesAndASummary(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("var/lib/dpkg"));
        Files.writeString(
                root.resolve("var/lib/dpkg/status"),
                """
                Package: zip
                Status: install ok installed
                Architecture: amd64
                Version: 3.0-13
                """);
        Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Files.writeString(
                lists.resolve("deb.debian.org_debian-security_dists_bookworm-security_InRelease"),
                """
                Origin: Debian
                Label: Debian-Security
                Suite: oldstable-security
                Codename: bookworm-security
                """);
        Files.writeString(
                lists.resolve("deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"),
                """
                Package: zip
                Version: 3.0-13+deb12u1
                Architecture: amd64
                Priority: optional
                Section: utils
                """);

        InProcessCli.Run run = InProcessCli.run("agent", "scan", "--root", root.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .containsPattern(
                        "zip\\s+amd64\\s+3.0-13\\s+3.0-13\\+deb12u1\\s+oldstable-security\\s+yes\\s+optional\\s+utils")
                .contains("1 packages can be upgraded, 1 of them from a security archive.")
                .contains("No reboot required");
    }

    @Test
    void treeWithoutAPackageDatabaseIsAClearError(@TempDir Path root) {
        InProcessCli.Run run = InProcessCli.run("agent", "scan", "--root", root.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains("no package database under " + root)
                .contains("var/lib/dpkg/status")
                .contains("var/lib/rpm");
    }
}
