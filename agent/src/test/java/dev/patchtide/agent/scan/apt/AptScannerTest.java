package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apt's candidate policy on a fixture host: archives, NotAutomatic, pins, downgrades, compression. */
class AptScannerTest {
    @TempDir
    Path root;

    @BeforeEach
    void host() throws Exception {
        write(
                "var/lib/dpkg/status",
                """
                Package: openssl
                Status: install ok installed
                Priority: optional
                Section: utils
                Architecture: amd64
                Version: 3.0.11-1~deb12u2

                Package: tzdata
                Status: install ok installed
                Architecture: all
                Version: 2024a-0+deb12u1

                Package: curl
                Status: install ok installed
                Architecture: amd64
                Version: 7.88.1-10+deb12u5

                Package: removed-long-ago
                Status: deinstall ok config-files
                Architecture: amd64
                Version: 1.0-1
                """);
        release("deb.debian.org_debian_dists_bookworm", "Debian", "Debian", "stable", "bookworm", "");
        release(
                "deb.debian.org_debian-security_dists_bookworm-security",
                "Debian",
                "Debian-Security",
                "stable-security",
                "bookworm-security",
                "");
        release(
                "deb.debian.org_debian_dists_bookworm-backports",
                "Debian Backports",
                "Debian Backports",
                "stable-backports",
                "bookworm-backports",
                "NotAutomatic: yes\nButAutomaticUpgrades: yes\n");
        packages(
                "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages",
                """
                Package: openssl
                Version: 3.0.11-1~deb12u2
                Architecture: amd64
                Priority: optional
                Section: utils

                Package: tzdata
                Version: 2025b-0+deb12u1
                Architecture: all
                Priority: required
                Section: localization

                Package: curl
                Version: 7.88.1-10+deb12u5
                Architecture: amd64
                """);
        gzipPackages(
                "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.gz",
                """
                Package: openssl
                Version: 3.0.15-1~deb12u1
                Architecture: amd64
                Priority: optional
                Section: utils
                """);
        packages(
                "deb.debian.org_debian_dists_bookworm-backports_main_binary-amd64_Packages",
                """
                Package: curl
                Version: 8.11.1-1~bpo12+1
                Architecture: amd64
                Priority: optional
                Section: web
                """);
    }

    @Test
    void securityUpdateAndArchitectureAllPackageAreUpgradableButNotAutomaticBackportsAreNot() throws Exception {
        Map<String, AptUpdate> updates = scan();

        assertThat(updates).containsOnlyKeys("openssl", "tzdata");
        AptUpdate openssl = updates.get("openssl");
        assertThat(openssl.installedVersion()).isEqualTo("3.0.11-1~deb12u2");
        assertThat(openssl.candidateVersion()).isEqualTo("3.0.15-1~deb12u1");
        assertThat(openssl.archives()).containsExactly("stable-security");
        assertThat(openssl.security()).isTrue();
        assertThat(openssl.origin()).isEqualTo("Debian");
        assertThat(openssl.section()).isEqualTo("utils");
        AptUpdate tzdata = updates.get("tzdata");
        assertThat(tzdata.architecture()).isEqualTo("all");
        assertThat(tzdata.security()).isFalse();
        assertThat(tzdata.priority()).isEqualTo("required");
    }

    @Test
    void pinningBackportsToFiveHundredMakesThemCandidates() throws Exception {
        write(
                "etc/apt/preferences.d/backports",
                """
                Package: curl
                Pin: release n=bookworm-backports
                Pin-Priority: 500
                """);
        assertThat(scan().get("curl").candidateVersion()).isEqualTo("8.11.1-1~bpo12+1");
    }

    @Test
    void negativePinBlocksAVersionAndGenericPinsApplyToWholeArchives() throws Exception {
        write(
                "etc/apt/preferences",
                """
                Package: openssl
                Pin: version 3.0.15*
                Pin-Priority: -1

                Package: *
                Pin: release a=stable-backports
                Pin-Priority: 990
                """);
        Map<String, AptUpdate> updates = scan();
        assertThat(updates).doesNotContainKey("openssl");
        assertThat(updates.get("curl").candidateVersion()).isEqualTo("8.11.1-1~bpo12+1");
    }

    @Test
    void originPinsMatchTheSiteAndLowPinsNeverDowngrade() throws Exception {
        write(
                "etc/apt/preferences.d/security-site",
                """
                Package: openssl
                Pin: origin deb.debian.org
                Pin-Priority: 50
                """);
        // 50 is below the installed version's 100: the update is no longer chosen.
        assertThat(scan()).doesNotContainKey("openssl");
    }

    @Test
    void noListsMeansNothingUpgradable(@TempDir Path empty) throws Exception {
        Files.createDirectories(empty.resolve("var/lib/dpkg"));
        Files.copy(root.resolve("var/lib/dpkg/status"), empty.resolve("var/lib/dpkg/status"));
        assertThat(new AptScanner(empty).upgradable()).isEmpty();
    }

    /** The daemon's scanner keeps what it parsed: a repeat scan reads no unchanged file, a changed one is re-read. */
    @Test
    void aRepeatScanParsesNothingUnchangedAndRereadsOnlyWhatChanged() throws Exception {
        AptScanner scanner = new AptScanner(root);
        List<AptUpdate> first = scanner.upgradable();
        scanner.installed();
        assertThat(scanner.filesParsed()).as("the status file and three lists").isEqualTo(4);

        assertThat(scanner.upgradable()).isEqualTo(first);
        assertThat(scanner.installed()).hasSize(3);
        assertThat(scanner.filesParsed()).as("nothing changed: nothing parsed").isEqualTo(4);

        gzipPackages(
                "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.gz",
                "Package: openssl\nVersion: 3.0.16-1~deb12u1\nArchitecture: amd64\n");
        assertThat(scanner.upgradable())
                .filteredOn(u -> u.name().equals("openssl"))
                .singleElement()
                .extracting(AptUpdate::candidateVersion)
                .isEqualTo("3.0.16-1~deb12u1");
        assertThat(scanner.filesParsed()).as("only the changed list").isEqualTo(5);

        // A package installed since: the status file is read again, and each list once more for the new name.
        Path status = root.resolve("var/lib/dpkg/status");
        Files.writeString(
                status,
                Files.readString(status)
                        + "\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13-1\n");
        packages(
                "deb.debian.org_debian_dists_bookworm-backports_main_binary-amd64_Packages",
                "Package: curl\nVersion: 8.11.1-1~bpo12+1\nArchitecture: amd64\n\n"
                        + "Package: zlib1g\nVersion: 1:1.3.1-1\nArchitecture: amd64\n");
        // ButAutomaticUpgrades (priority 100, as the installed version's): a newer backport is upgraded to.
        assertThat(scanner.upgradable())
                .filteredOn(u -> u.name().equals("zlib1g"))
                .singleElement()
                .extracting(AptUpdate::candidateVersion)
                .isEqualTo("1:1.3.1-1");
        assertThat(scanner.installed()).extracting(p -> p.name()).contains("zlib1g");
        assertThat(scanner.filesParsed()).isEqualTo(5 + 1 + 3);
        assertThat(new AptScanner(root).upgradable()).isEqualTo(scanner.upgradable());
    }

    private Map<String, AptUpdate> scan() throws Exception {
        return new AptScanner(root)
                .upgradable().stream().collect(Collectors.toMap(AptUpdate::name, Function.identity()));
    }

    private void release(String prefix, String origin, String label, String suite, String codename, String extra)
            throws Exception {
        write(
                "var/lib/apt/lists/" + prefix + "_InRelease",
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
                        + "Origin: " + origin + "\nLabel: " + label + "\nSuite: " + suite + "\nCodename: " + codename
                        + "\n" + extra
                        + "Components: main\n-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n");
    }

    private void packages(String name, String content) throws Exception {
        write("var/lib/apt/lists/" + name, content);
    }

    private void gzipPackages(String name, String content) throws Exception {
        Path file = root.resolve("var/lib/apt/lists/" + name);
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void write(String relative, String content) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
