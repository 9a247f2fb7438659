package dev.patchtide.agent.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RebootCheckTest {
    @TempDir
    Path root;

    @Test
    void runningTheNewestKernelWithoutTheFlagNeedsNoReboot() throws Exception {
        debianHost("6.1.0-28-amd64", "6.1.0-27-amd64", "6.1.0-28-amd64");
        RebootCheck.RebootStatus status = new RebootCheck(root).check();
        assertThat(status.required()).isFalse();
        assertThat(status.reasons()).isEmpty();
        assertThat(status.newestInstalledKernel()).contains("6.1.0-28-amd64");
    }

    @Test
    void newerInstalledKernelNeedsAReboot() throws Exception {
        debianHost("6.1.0-9-amd64", "6.1.0-9-amd64", "6.1.0-10-amd64");
        RebootCheck.RebootStatus status = new RebootCheck(root).check();
        assertThat(status.required()).isTrue();
        assertThat(status.reasons()).containsExactly("kernel 6.1.0-10-amd64 is installed but 6.1.0-9-amd64 is running");
        assertThat(status.pendingPackages(true)).containsExactly("linux-image-6.1.0-10-amd64");
    }

    @Test
    void debiansFlagFileNamesThePackages() throws Exception {
        debianHost("6.1.0-28-amd64", "6.1.0-28-amd64");
        Files.createDirectories(root.resolve("var/run"));
        Files.writeString(root.resolve("var/run/reboot-required"), "*** System restart required ***\n");
        Files.writeString(root.resolve("var/run/reboot-required.pkgs"), "libc6\nlibssl3\nlibc6\n");
        RebootCheck.RebootStatus status = new RebootCheck(root).check();
        assertThat(status.required()).isTrue();
        assertThat(status.packages()).containsExactly("libc6", "libssl3");
        assertThat(status.pendingPackages(true)).containsExactly("libc6", "libssl3");
    }

    @Test
    void rpmKernelsAreOrderedAsRpmDoes() throws Exception {
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "5.14.0-427.13.1.el9_4.x86_64\n");
        Files.createDirectories(root.resolve("boot"));
        for (String k : new String[] {"5.14.0-427.13.1.el9_4.x86_64", "5.14.0-503.11.1.el9_5.x86_64"}) {
            Files.writeString(root.resolve("boot/vmlinuz-" + k), "");
        }
        Files.writeString(root.resolve("boot/vmlinuz-0-rescue-abc"), "");
        RebootCheck.RebootStatus status = new RebootCheck(root).check();
        assertThat(status.newestInstalledKernel()).contains("5.14.0-503.11.1.el9_5.x86_64");
        assertThat(status.required()).isTrue();
        assertThat(status.pendingPackages(false))
                .containsExactly("kernel-core=5.14.0-503.11.1.el9_5", "kernel=5.14.0-503.11.1.el9_5");
    }

    /** AWS's tracking file: what Patchtide installed this boot is pending a reboot while it stays installed. */
    @Test
    void packagesPatchtideInstalledThisBootArePendingUntilTheNextBoot() throws Exception {
        debianHost("6.1.0-28-amd64", "6.1.0-28-amd64");
        Files.writeString(
                root.resolve("var/lib/dpkg/status"),
                "Package: pt-a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.0-1\n\n"
                        + "Package: pt-b\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.5-1\n\n");
        Files.createDirectories(root.resolve("proc/sys/kernel/random"));
        Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), "boot-1\n");
        Files.createDirectories(root.resolve("var/lib/patchtide"));
        // pt-b was replaced by another version since, pt-c removed: neither needs a reboot.
        Files.writeString(
                root.resolve(RebootCheck.INSTALLED_SINCE_BOOT), "boot boot-1\npt-a=2.0-1\npt-b=1.1-1\npt-c=1.0\n");

        RebootCheck.RebootStatus status = new RebootCheck(root).check();
        assertThat(status.required()).isTrue();
        assertThat(status.pendingPackages(true)).containsExactly("pt-a=2.0-1");

        Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), "boot-2\n");
        assertThat(new RebootCheck(root).check().required()).isFalse();
    }

    private void debianHost(String running, String... installed) throws Exception {
        Files.createDirectories(root.resolve("var/lib/dpkg"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), running + "\n");
        Files.createDirectories(root.resolve("boot"));
        for (String k : installed) {
            Files.writeString(root.resolve("boot/vmlinuz-" + k), "");
        }
    }
}
