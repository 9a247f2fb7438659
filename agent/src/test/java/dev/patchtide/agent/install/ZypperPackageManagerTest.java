package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.install.PackageManager.Simulation;
import dev.patchtide.agent.install.PackageManager.Target;
import dev.patchtide.agent.scan.zypper.ZypperTestRoot;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zypper with exact editions, against the real zypper on a root it manages: the dry run names what it would do
 * beyond the request and what it would not do (and why); the install makes exactly the requested builds, the
 * one of a lower-priority repository included, and touches nothing else.
 */
class ZypperPackageManagerTest {
    @TempDir
    static Path dir;

    static ZypperTestRoot zypper;

    @BeforeAll
    static void build() throws Exception {
        zypper = ZypperTestRoot.create(dir);
        for (String name : List.of("pt-a", "pt-b", "pt-c")) {
            zypper.rpm("main", name, "1.0", "SUSE LLC", "noarch");
            zypper.rpm("main", name, "2.0", "SUSE LLC", "noarch");
        }
        zypper.rpm("main", "pt-absent", "1.0", "SUSE LLC", "noarch");
        zypper.rpm("main", "pt-vendor", "1.0", "SUSE LLC", "noarch");
        zypper.rpm("main", "pt-vendor", "2.0", "openSUSE", "noarch");
        zypper.rpm("preferred", "pt-b", "1.5", "SUSE LLC", "noarch");
        zypper.publish("main", 99);
        zypper.publish("preferred", 10);
        zypper.install("pt-a-1.0-1.noarch", "pt-b-1.0-1.noarch", "pt-c-1.0-1.noarch", "pt-vendor-1.0-1.noarch");
    }

    @Test
    void commandsNameExactBuildsAndNeverUpdateEverything() {
        ZypperPackageManager m = new ZypperPackageManager(Path.of("/"));
        List<Target> targets = List.of(new Target("openssl-3", "3.1.4-150600.5.15.1", "x86_64"));

        assertThat(m.installCommand(targets))
                .containsExactly("zypper", "--non-interactive", "update", "openssl-3.x86_64=3.1.4-150600.5.15.1")
                .doesNotContain("patch", "dup", "--no-gpg-checks");
        assertThat(new ZypperPackageManager(dir.resolve("root")).simulateCommand(targets))
                .containsSubsequence("--root", dir.resolve("root").toString(), "update", "--dry-run");
    }

    @Test
    void dryRunNamesWhatWouldNotHappenAndWhy() throws Exception {
        ZypperPackageManager m = new ZypperPackageManager(zypper.root());
        Target a = new Target("pt-a", "2.0-1", "noarch");
        Target absent = new Target("pt-absent", "1.0-1", "noarch");

        Simulation s = m.simulate(List.of(a, absent));

        assertThat(s.exitCode()).as(s.output()).isZero();
        assertThat(s.extras()).isEmpty();
        assertThat(s.notUpgraded()).containsOnlyKeys(absent);
        assertThat(s.notUpgraded().get(absent)).contains("is not installed");
        assertThat(zypper.installed("pt-a")).as("a dry run installs nothing").isEqualTo("1.0-1");
    }

    /** zypper makes a named edition of another vendor, but says so: the dry run names the vendor change. */
    @Test
    void aVendorChangeIsNamedByTheDryRun() throws Exception {
        Simulation s =
                new ZypperPackageManager(zypper.root()).simulate(List.of(new Target("pt-vendor", "2.0-1", "noarch")));

        assertThat(s.exitCode()).as(s.output()).isZero();
        assertThat(s.notUpgraded()).isEmpty();
        assertThat(s.extras()).containsExactly("change-vendor pt-vendor 1.0-1 -> 2.0-1 (noarch)");
        assertThat(zypper.installed("pt-vendor")).isEqualTo("1.0-1");
    }

    @Test
    void installMakesExactlyTheRequestedBuilds() throws Exception {
        ZypperPackageManager m = new ZypperPackageManager(zypper.root());
        // 2.0 of pt-b is in the repository of lower priority: zypper's own update would take 1.5
        List<Target> targets = List.of(new Target("pt-a", "2.0-1", "noarch"), new Target("pt-b", "2.0-1", "noarch"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exit = m.install(targets, out, out);

        assertThat(exit).as(out.toString()).isZero();
        assertThat(m.installedVersions(List.of("pt-a", "pt-b", "pt-c", "pt-absent")))
                .containsEntry("pt-a", "2.0-1")
                .containsEntry("pt-b", "2.0-1")
                .containsEntry("pt-c", "1.0-1")
                .doesNotContainKey("pt-absent");
    }
}
