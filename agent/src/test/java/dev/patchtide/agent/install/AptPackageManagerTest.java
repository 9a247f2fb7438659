package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.patchtide.agent.install.PackageManager.Simulation;
import dev.patchtide.agent.install.PackageManager.Target;
import dev.patchtide.agent.scan.apt.LocalAptRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apt command lines, and what apt-get itself does with them on this host: a simulation read from the real
 * {@code apt-get -s}, and a real install of packages built here (removed again with {@code dpkg --purge}).
 */
class AptPackageManagerTest {
    private static final String MAIN = "pt-install-main";
    private static final String SECURITY = "pt-install-security";
    private static final List<String> FIXTURE_PACKAGES =
            List.of("pt-install-a", "pt-install-b", "pt-install-dep", "pt-install-c");

    @TempDir
    Path root;

    @AfterEach
    void purgeFixturePackages() throws Exception {
        if (isRoot() && LocalAptRepository.onPath("dpkg")) {
            List<String> purge = new ArrayList<>(List.of("dpkg", "--purge"));
            purge.addAll(FIXTURE_PACKAGES);
            Processes.capture(purge, Map.of());
        }
    }

    @Test
    void installCommandNamesExactVersionsAndNeverUpgradesEverything() {
        AptPackageManager apt = new AptPackageManager(List.of("-o", "Dir::State::Lists=/tmp/lists"));
        List<Target> targets = List.of(
                new Target("openssl", "3.0.15-1~deb12u1", "amd64"), new Target("tzdata", "2025b-0+deb12u1", "all"));

        assertThat(apt.installCommand(targets))
                .containsExactly(
                        "apt-get",
                        "install",
                        "--only-upgrade",
                        "-y",
                        "-o",
                        "Dpkg::Options::=--force-confold",
                        "-o",
                        "DPkg::Lock::Timeout=300",
                        "-o",
                        "Dir::State::Lists=/tmp/lists",
                        "openssl:amd64=3.0.15-1~deb12u1",
                        "tzdata=2025b-0+deb12u1")
                .doesNotContain("upgrade", "dist-upgrade", "full-upgrade");
        assertThat(apt.simulateCommand(targets)).startsWith("apt-get", "install", "-s", "--only-upgrade");
        assertThat(AptPackageManager.ENVIRONMENT).containsEntry("DEBIAN_FRONTEND", "noninteractive");
    }

    @Test
    void simulationOutputNamesExtrasAndUpdatesAptWouldNotMake() {
        String output =
                """
                Reading package lists...
                Skipping pt-gone, it is not installed and only upgrades are requested.
                The following NEW packages will be installed:
                  libnew1
                Inst libnew1 (1.4-2 Debian:12/stable [amd64])
                Inst openssl [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
                Inst libssl3 [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
                Remv oldthing [0.9-1]
                Conf libnew1 (1.4-2 Debian:12/stable [amd64])
                Conf openssl (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
                """;
        Target openssl = new Target("openssl", "3.0.15-1~deb12u1", "amd64");
        Target gone = new Target("pt-gone", "2.0", "amd64");

        Simulation s = AptPackageManager.parseSimulation(0, output, List.of(openssl, gone));

        assertThat(s.extras())
                .containsExactly(
                        "install libnew1 1.4-2 (new package)",
                        "upgrade libssl3 3.0.11-1~deb12u2 -> 3.0.15-1~deb12u1",
                        "remove oldthing 0.9-1");
        assertThat(s.notUpgraded()).containsOnlyKeys(gone);
        assertThat(s.notUpgraded().get(gone)).contains("it is not installed and only upgrades are requested");
    }

    /** apt-get -s on this host, pointed at a repository built here: what it says is what we read. */
    @Test
    void simulationAgainstTheRealAptGet() throws Exception {
        assumeTrue(LocalAptRepository.onPath("apt-get"), "apt-get is not installed: no apt simulation to check");
        LocalAptRepository repo = fixtureRepository();
        // The packages the simulation upgrades must look installed: a status file of our own, no root needed.
        repo.status(installed("pt-install-a", repo.arch(), "1.0-1") + installed("pt-install-b", "all", "1.0-1"));
        List<String> options = new ArrayList<>(sources(repo));
        options.addAll(
                List.of("-o", "Dir::State::status=" + root.resolve("var/lib/dpkg/status"), "-o", "Debug::NoLocking=1"));
        aptUpdate(options);
        AptPackageManager apt = new AptPackageManager(options);
        Target a = new Target("pt-install-a", "2.0-1", repo.arch());
        Target b = new Target("pt-install-b", "1.1-1", "all");
        Target c = new Target("pt-install-c", "1.0-1", repo.arch());

        Simulation s = apt.simulate(List.of(a, b, c));

        assertThat(s.exitCode()).as(s.output()).isZero();
        assertThat(s.extras()).containsExactly("install pt-install-dep 1.0-1 (new package)");
        assertThat(s.notUpgraded()).containsOnlyKeys(c);
        assertThat(s.notUpgraded().get(c)).contains("not installed");
        // A version the repository does not have: apt refuses the whole request.
        Simulation refused = apt.simulate(List.of(new Target("pt-install-b", "9.9-1", "all")));
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("9.9-1").contains("pt-install-b");
    }

    /** A real install on this host: only the planned version of the planned package, its dependency named. */
    @Test
    void realInstallUpgradesExactlyThePlannedPackage() throws Exception {
        assumeTrue(isRoot(), "not root: a real dpkg install on this host needs root");
        assumeTrue(LocalAptRepository.onPath("apt-get"), "apt-get is not installed");
        LocalAptRepository repo = fixtureRepository();
        String arch = repo.arch();
        Processes.Captured v1 = Processes.capture(
                List.of(
                        "dpkg",
                        "-i",
                        repo.debFile(MAIN, "pt-install-a", "1.0-1", arch).toString(),
                        repo.debFile(MAIN, "pt-install-b", "1.0-1", "all").toString()),
                Map.of());
        assertThat(v1.exitCode()).as(v1.output()).isZero();
        List<String> options = sources(repo);
        aptUpdate(options);
        AptPackageManager apt = new AptPackageManager(options);
        List<Target> plan = List.of(new Target("pt-install-a", "2.0-1", arch));

        Simulation s = apt.simulate(plan);
        assertThat(s.extras()).containsExactly("install pt-install-dep 1.0-1 (new package)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = apt.install(plan, out, out);

        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(apt.installedVersions(List.of("pt-install-a", "pt-install-b", "pt-install-dep", "pt-install-c")))
                .containsOnly(
                        Map.entry("pt-install-a", "2.0-1"),
                        Map.entry("pt-install-b", "1.0-1"),
                        Map.entry("pt-install-dep", "1.0-1"));
    }

    /**
     * pt-install-a 1.0 and 2.0 (2.0 in the security suite, needing pt-install-dep), pt-install-b 1.0 and 1.1
     * (arch all), pt-install-c 1.0 (never installed).
     */
    private LocalAptRepository fixtureRepository() throws Exception {
        LocalAptRepository repo = new LocalAptRepository(root);
        String arch = repo.arch();
        repo.deb(MAIN, "pt-install-a", "1.0-1", arch, "optional", "utils");
        repo.deb(SECURITY, "pt-install-a", "2.0-1", arch, "optional", "utils", "pt-install-dep (>= 1.0)");
        repo.deb(MAIN, "pt-install-dep", "1.0-1", arch, "optional", "libs");
        repo.deb(MAIN, "pt-install-b", "1.0-1", "all", "optional", "doc");
        repo.deb(MAIN, "pt-install-b", "1.1-1", "all", "optional", "doc");
        repo.deb(MAIN, "pt-install-c", "1.0-1", arch, "optional", "utils");
        repo.index("Patchtide Install Test", MAIN, SECURITY);
        return repo;
    }

    /** apt's sources and lists from the fixture; dpkg's status stays the host's unless a test says otherwise. */
    private List<String> sources(LocalAptRepository repo) {
        return List.of(
                "-o",
                "Dir::Etc::SourceList=" + root.resolve("etc/apt/sources.list"),
                "-o",
                "Dir::Etc::SourceParts=" + root.resolve("etc/apt/sources.list.d"),
                "-o",
                "Dir::State::Lists=" + root.resolve("var/lib/apt/lists"),
                "-o",
                "Dir::Cache=" + root.resolve("var/cache/apt"),
                "-o",
                "Acquire::Languages=none");
    }

    private static void aptUpdate(List<String> options) throws Exception {
        List<String> update = new ArrayList<>(List.of("apt-get", "update"));
        update.addAll(options);
        Processes.Captured run = Processes.capture(update, AptPackageManager.ENVIRONMENT);
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    private static String installed(String name, String arch, String version) {
        return "Package: " + name + "\nStatus: install ok installed\nPriority: optional\nSection: utils\n"
                + "Maintainer: Patchtide Tests <tests@example.net>\nArchitecture: " + arch + "\nVersion: " + version
                + "\nDescription: fixture\n\n";
    }

    private static boolean isRoot() throws Exception {
        return Files.isDirectory(Path.of("/proc/self"))
                && Processes.capture(List.of("id", "-u"), Map.of())
                        .output()
                        .strip()
                        .equals("0");
    }
}
