package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our reading of dpkg's and apt's files must agree with apt itself: on a host built here, and on this host. */
class AptScannerRealHostTest {

    /**
     * A repository with a main and a security suite, made with dpkg-deb and dpkg-scanpackages and fetched by
     * apt-get update; installed packages that have updates there (in either suite or both, across epochs
     * and tildes), that have none, that are newer than the repository, held by a pin, or only configured.
     */
    @Test
    void upgradableSetEqualsAptListUpgradableOnABuiltRepository(@TempDir Path root) throws Exception {
        LocalAptRepository host = new LocalAptRepository(root);
        String arch = host.arch();
        String main = "patchtide-test";
        String security = "patchtide-test-security";
        host.deb(main, "pt-alpha", "1.0-1", arch, "optional", "utils");
        host.deb(main, "pt-alpha", "1.2-1", arch, "optional", "utils");
        host.deb(main, "pt-beta", "2.0-1", "all", "optional", "doc");
        host.deb(main, "pt-gamma", "1.0-1", arch, "important", "net");
        host.deb(security, "pt-gamma", "1.0-1+sec1", arch, "important", "net");
        host.deb(main, "pt-delta", "3.1-1", "all", "standard", "libs");
        host.deb(security, "pt-delta", "3.1-1", "all", "standard", "libs");
        host.deb(main, "pt-epoch", "1:0.5-1", arch, "optional", "admin");
        host.deb(main, "pt-tilde", "2.0-1", arch, "optional", "admin");
        host.deb(main, "pt-held", "1.0-1", arch, "optional", "admin");
        host.deb(main, "pt-held", "2.0-1", arch, "optional", "admin");
        host.deb(main, "pt-local", "4.0-1", arch, "optional", "admin");
        host.deb(main, "pt-removed", "1.0-1", arch, "optional", "admin");
        host.deb(main, "pt-absent", "1.0-1", arch, "optional", "admin");
        host.index("Patchtide Test", main, security);
        host.status(installed("pt-alpha", arch, "1.0-1")
                + installed("pt-beta", "all", "2.0-1")
                + installed("pt-gamma", arch, "0.9-1")
                + installed("pt-delta", "all", "3.0-1")
                + installed("pt-epoch", arch, "4.0-1")
                + installed("pt-tilde", arch, "2.0~rc1-1")
                + installed("pt-held", arch, "1.0-1")
                + installed("pt-local", arch, "5.0-1")
                + "Package: pt-removed\nStatus: deinstall ok config-files\nPriority: optional\nSection: admin\n"
                + "Maintainer: Patchtide Tests <tests@example.net>\nArchitecture: " + arch + "\nVersion: 0.5-1\n"
                + "Description: configured only\n\n");
        host.pin("Package: pt-held\nPin: version 1.0*\nPin-Priority: 1001\n");
        host.update();

        List<String> apt = parseUpgradable(host.listUpgradable());
        List<AptUpdate> scanned = new AptScanner(root).upgradable();

        assertThat(apt).as("apt list --upgradable on the built host").isNotEmpty();
        assertThat(lines(scanned)).containsExactlyInAnyOrderElementsOf(apt);
        // The fixture does what it is meant to: these and only these have updates, the security ones marked.
        assertThat(scanned)
                .extracting(AptUpdate::name)
                .containsExactlyInAnyOrder("pt-alpha", "pt-gamma", "pt-delta", "pt-epoch", "pt-tilde");
        assertThat(scanned.stream().filter(AptUpdate::security).map(AptUpdate::name))
                .containsExactlyInAnyOrder("pt-gamma", "pt-delta");
        assertThat(scanned.stream().filter(u -> u.name().equals("pt-gamma")))
                .singleElement()
                .satisfies(u -> {
                    assertThat(u.candidateVersion()).isEqualTo("1.0-1+sec1");
                    assertThat(u.priority()).isEqualTo("important");
                    assertThat(u.section()).isEqualTo("net");
                });
    }

    /** This very host, with whatever lists it has (none, on a fresh container: then both sides are empty). */
    @Test
    void upgradableSetEqualsAptListUpgradableOnThisHost() throws Exception {
        String apt = LocalAptRepository.tool("apt", "apt");
        List<String> ours = lines(new AptScanner(Path.of("/")).upgradable());
        Process list = new ProcessBuilder(apt, "list", "--upgradable")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor()).isZero();
        assertThat(ours).containsExactlyInAnyOrderElementsOf(parseUpgradable(output));
    }

    /** Whatever the lists hold, the installed set is dpkg's own: compared with dpkg-query on this host. */
    @Test
    void installedSetEqualsDpkgQueryOnThisHost() throws Exception {
        String dpkgQuery = LocalAptRepository.tool("dpkg-query", "dpkg");
        Process query = new ProcessBuilder(
                        dpkgQuery, "-W", "-f", "${db:Status-Status} ${Package} ${Architecture} ${Version}\\n")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(query.waitFor()).isZero();
        Set<String> present = Set.of(
                "installed", "half-configured", "unpacked", "triggers-awaited", "triggers-pending", "half-installed");
        List<String> dpkg = Arrays.stream(output.split("\n"))
                .map(l -> l.split(" ", 2))
                .filter(f -> f.length == 2 && present.contains(f[0]))
                .map(f -> f[1])
                .toList();
        List<String> ours = new AptScanner(Path.of("/"))
                .installed().stream()
                        .map(p -> p.name() + " " + p.arch() + " " + p.version())
                        .toList();
        assertThat(dpkg).as("dpkg-query on this host").isNotEmpty();
        assertThat(ours).containsExactlyInAnyOrderElementsOf(dpkg);
    }

    private static String installed(String name, String arch, String version) {
        return "Package: " + name + "\nStatus: install ok installed\nPriority: optional\nSection: admin\n"
                + "Maintainer: Patchtide Tests <tests@example.net>\nArchitecture: " + arch + "\nVersion: " + version
                + "\nDescription: fixture package " + name + "\n\n";
    }

    /** As apt list prints them: {@code name/archive[,archive] arch installed -> candidate}, archives sorted. */
    private static List<String> lines(List<AptUpdate> updates) {
        List<String> lines = new ArrayList<>();
        for (AptUpdate u : updates) {
            lines.add(u.name() + "/"
                    + String.join(",", u.archives().stream().sorted().toList()) + " " + u.architecture() + " "
                    + u.installedVersion() + " -> " + u.candidateVersion());
        }
        return lines;
    }

    /** Parses lines like {@code openssl/bookworm-security 3.0.17-1~deb12u2 amd64 [upgradable from: 3.0.15-1~deb12u1]}. */
    private static List<String> parseUpgradable(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.contains("[upgradable from: ")) {
                continue;
            }
            String[] parts = line.split(" ");
            String name = parts[0].substring(0, parts[0].indexOf('/'));
            String archives = String.join(
                    ",",
                    Arrays.stream(parts[0].substring(parts[0].indexOf('/') + 1).split(","))
                            .sorted()
                            .toList());
            String from = line.substring(line.indexOf("[upgradable from: ") + 18, line.lastIndexOf(']'));
            lines.add(name + "/" + archives + " " + parts[2] + " " + from + " -> " + parts[1]);
        }
        return lines;
    }
}
