package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.install.PackageManager.Simulation;
import dev.patchtide.agent.install.PackageManager.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dnf with exact NEVRAs: the command lines and dnf's transaction table (the real dnf: RealDnfInstallTest). */
class DnfPackageManagerTest {

    @Test
    void installCommandNamesExactNevrasAndNeverUpgradesEverything() {
        DnfPackageManager dnf = new DnfPackageManager();
        List<Target> targets = List.of(
                new Target("openssl", "1:3.0.7-27.el9", "x86_64"), new Target("tzdata", "2025b-1.el9", "noarch"));

        assertThat(dnf.installCommand(targets))
                .containsExactly("dnf", "install", "-y", "openssl-1:3.0.7-27.el9.x86_64", "tzdata-2025b-1.el9.noarch")
                .doesNotContain("upgrade", "upgrade-minimal", "update");
        assertThat(dnf.simulateCommand(targets)).startsWith("dnf", "install", "--assumeno");
        assertThat(dnf.installCommand(targets))
                .as("the host's own plugins stay on")
                .doesNotContain("--disableplugin=local");
    }

    @Test
    void onAnotherRootDnfGetsTheInstallRootAndItsReleaseVersion() {
        DnfPackageManager dnf = new DnfPackageManager(
                java.nio.file.Path.of("/srv/root"), java.util.Optional.empty(), java.util.Optional.of("9"));
        List<String> onTheRoot =
                List.of("dnf", "--installroot", "/srv/root", "--releasever=9", "--disableplugin=local");
        assertThat(dnf.installCommand(List.of(new Target("pt-epoch", "2:4.0-1", "noarch"))))
                .containsExactlyElementsOf(concat(onTheRoot, "install", "-y", "pt-epoch-2:4.0-1.noarch"));
        assertThat(dnf.simulateCommand(List.of()))
                .containsExactlyElementsOf(concat(onTheRoot, "install", "--assumeno"));
    }

    @Test
    void multilibTargetsAreTheirOwnRows() {
        String output =
                """
                Upgrading:
                 pt-openssl         i686       2.0-1                pt-base              10 k
                 pt-openssl         x86_64     2.0-1                pt-base              10 k

                Transaction Summary
                """;
        Target x86 = new Target("pt-openssl", "2.0-1", "x86_64");
        Target i686 = new Target("pt-openssl", "2.0-1", "i686");
        Simulation s = DnfPackageManager.parseSimulation(0, output, List.of(x86, i686));
        assertThat(s.extras()).isEmpty();
        assertThat(s.notUpgraded()).isEmpty();
        assertThat(DnfPackageManager.parseSimulation(0, output, List.of(x86)).extras())
                .containsExactly("upgrading pt-openssl 2.0-1 (i686)");
    }

    @Test
    void transactionTableNamesExtrasAndMissingTargets() {
        String output =
                """
                Last metadata expiration check: 0:10:02 ago on Mon 30 Nov 2026 10:00:00 AM UTC.
                Dependencies resolved.
                ================================================================================
                 Package            Arch       Version              Repository           Size
                ================================================================================
                Upgrading:
                 openssl            x86_64     1:3.0.7-27.el9       baseos              1.2 M
                 openssl-libs       x86_64     1:3.0.7-27.el9       baseos              2.1 M
                Installing dependencies:
                 libnew             x86_64     1.4-2.el9            appstream            40 k
                Removing dependent packages:
                 oldtool            x86_64     0.9-1.el9            @baseos              10 k

                Transaction Summary
                ================================================================================
                Install  1 Package
                Upgrade  2 Packages

                Operation aborted.
                """;
        Target openssl = new Target("openssl", "1:3.0.7-27.el9", "x86_64");
        Target gone = new Target("pt-gone", "2.0-1.el9", "x86_64");

        Simulation s = DnfPackageManager.parseSimulation(0, output, List.of(openssl, gone));

        assertThat(s.extras())
                .containsExactly(
                        "upgrading openssl-libs 1:3.0.7-27.el9 (x86_64)",
                        "installing dependencies libnew 1.4-2.el9 (x86_64)",
                        "removing dependent packages oldtool 0.9-1.el9 (x86_64)");
        assertThat(s.notUpgraded()).containsOnlyKeys(gone);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
