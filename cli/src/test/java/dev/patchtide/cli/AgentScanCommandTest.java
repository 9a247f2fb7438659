package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.scan.dnf.LocalRpmRepository;
import dev.patchtide.agent.scan.zypper.ZypperTestRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** A dnf tree made with rpmbuild, createrepo_c and the real dnf: its update with the advisory that carries it. */
    @Test
    void printsADnfTreesUpdatesWithTheirAdvisories(@TempDir Path dir) throws Exception {
        LocalRpmRepository host = new LocalRpmRepository(dir);
        Path release = host.releasePackage();
        Path v1 = host.rpm("pt-cli", "1.0", "1", "x86_64");
        Path v2 = host.rpm("pt-cli", "2.0", "1", "x86_64");
        host.repository(
                "pt-base",
                "xz",
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <updates>
                  <update from="tests@example.net" status="final" type="security" version="1">
                    <id>PT-2026:0100</id><title>pt-cli security update</title><severity>Moderate</severity>
                    <issued date="2026-02-01 00:00:00"/>
                    <references><reference href="https://example.net/c" id="CVE-2026-0100" type="cve" title="c"/></references>
                    <description>fix</description>
                    <pkglist><collection short="pt"><name>pt</name>
                      <package name="pt-cli" version="2.0" release="1" epoch="0" arch="x86_64"><filename>a.rpm</filename></package>
                    </collection></pkglist>
                  </update>
                </updates>
                """,
                List.of(release, v1, v2));
        host.install(release.toString());
        host.install("pt-cli-1.0-1.x86_64");
        host.makecache();

        InProcessCli.Run run =
                InProcessCli.run("agent", "scan", "--root", host.root().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .containsPattern(
                        "pt-cli\\s+x86_64\\s+1.0-1\\s+2.0-1\\s+pt-base\\s+Security\\s+Moderate\\s+PT-2026:0100\\s+CVE-2026-0100")
                .contains("1 packages can be upgraded, 1 of them by a security advisory.");
    }

    /** A zypper tree with a repository made by createrepo_c and a patch: the update with the patch that carries it. */
    @Test
    void printsAZypperTreesUpdatesWithTheirPatches(@TempDir Path dir) throws Exception {
        ZypperTestRoot zypper = ZypperTestRoot.create(dir);
        String vendor = "SUSE LLC <https://www.suse.com/>";
        zypper.rpm("sle-updates", "pt-cli-zy", "1.0", vendor, "x86_64");
        zypper.rpm("sle-updates", "pt-cli-zy", "2.0", vendor, "x86_64");
        zypper.patch(
                "sle-updates",
                "SUSE-SLE-Module-Basesystem-15-SP5-2026-4200",
                "security",
                "important",
                1_764_000_000L,
                List.of("CVE-2026-4200"),
                "pt-cli-zy",
                "2.0",
                "x86_64");
        zypper.publish("sle-updates", 99);
        zypper.install("pt-cli-zy-1.0-1.x86_64");

        InProcessCli.Run run =
                InProcessCli.run("agent", "scan", "--root", zypper.root().toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .containsPattern("pt-cli-zy\\s+x86_64\\s+1.0-1\\s+2.0-1\\s+sle-updates\\s+Security\\s+Important"
                        + "\\s+SUSE-SLE-Module-Basesystem-15-SP5-2026-4200\\s+CVE-2026-4200")
                .contains("1 packages can be upgraded, 1 of them by a security patch.");
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
