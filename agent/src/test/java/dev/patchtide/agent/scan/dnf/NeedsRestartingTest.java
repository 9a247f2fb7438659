package dev.patchtide.agent.scan.dnf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dnf needs-restarting -r}'s rule: a core package (or one the root's .conf files name) newer than boot. */
class NeedsRestartingTest {
    static final Instant BOOT = Instant.parse("2026-12-01T08:00:00Z");

    @TempDir
    Path root;

    static InstalledRpm rpm(String name, Instant installed) {
        return new InstalledRpm(new RpmPackage(name, "x86_64", "0", "1", "1.el9"), Optional.of(installed));
    }

    @Test
    void coreOrConfiguredPackagesInstalledAfterBootNeedAReboot() throws Exception {
        Instant after = BOOT.plusSeconds(1);
        List<InstalledRpm> installed = List.of(
                rpm("kernel", after),
                rpm("glibc", BOOT), // same second as boot: not after it
                rpm("systemd", BOOT.minusSeconds(3600)),
                rpm("dbus-broker", after),
                rpm("openssl", after), // not a core package
                rpm("kernel-core", after), // not in this plugin version's list either
                new InstalledRpm(new RpmPackage("linux-firmware", "noarch", "0", "1", "1"), Optional.empty()));

        assertThat(NeedsRestarting.packages(root, installed, BOOT)).containsExactly("dbus-broker", "kernel");

        Files.createDirectories(root.resolve(NeedsRestarting.CONF_DIR));
        Files.writeString(root.resolve(NeedsRestarting.CONF_DIR + "/site.conf"), "openssl  \n\n");
        Files.writeString(root.resolve(NeedsRestarting.CONF_DIR + "/ignored.txt"), "kernel-core\n");
        assertThat(NeedsRestarting.packages(root, installed, BOOT)).containsExactly("dbus-broker", "kernel", "openssl");
    }

    @Test
    void nothingNewSinceBootNeedsNone() throws Exception {
        assertThat(NeedsRestarting.packages(root, List.of(rpm("kernel", BOOT.minusSeconds(1))), BOOT))
                .isEmpty();
    }

    @Test
    void bootTimeIsTheRootsProcOneElseThisMachines() throws Exception {
        assertThat(NeedsRestarting.bootTime(root))
                .isEqualTo(Files.getLastModifiedTime(Path.of("/proc/1")).toInstant());
        Path init = Files.createDirectories(root.resolve("proc/1"));
        Files.setLastModifiedTime(init, java.nio.file.attribute.FileTime.from(BOOT));
        assertThat(NeedsRestarting.bootTime(root)).isEqualTo(BOOT);
    }
}
