package dev.patchtide.agent.scan.zypper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repository files as zypper reads them (its defaults measured with {@code zypper lr} on such files). */
class ZypperReposTest {
    @TempDir
    Path root;

    @Test
    void defaultsVariablesAndSeveralSectionsPerFile() throws IOException {
        Files.createDirectories(root.resolve("etc/zypp/repos.d"));
        Files.writeString(
                root.resolve("etc/zypp/repos.d/sle.repo"),
                """
                # written by hand
                [SLE-Module-Basesystem15-SP5-Updates]
                name=SLE-Module-Basesystem15-SP5-Updates for sle-15-x86_64
                baseurl=https://updates.suse.com/SUSE/Updates/SLE-Module-Basesystem/$releasever_major-SP$releasever_minor/$basearch/update/
                autorefresh=1

                [local]
                enabled=0
                priority=5
                baseurl=http://mirror.example/${releasever}/$arch/
                """);
        Files.writeString(root.resolve("etc/zypp/repos.d/ignored.txt"), "[not-a-repo]\n");

        List<ZypperRepo> repos = ZypperRepos.read(root, "15.5", "x86_64");

        assertThat(repos)
                .containsExactly(
                        new ZypperRepo(
                                "SLE-Module-Basesystem15-SP5-Updates",
                                "SLE-Module-Basesystem15-SP5-Updates for sle-15-x86_64",
                                true,
                                true,
                                99,
                                "https://updates.suse.com/SUSE/Updates/SLE-Module-Basesystem/15-SP5/x86_64/update/"),
                        new ZypperRepo("local", "local", false, false, 5, "http://mirror.example/15.5/x86_64/"));
    }

    @Test
    void i586HostsGetTheI386BaseArch() {
        assertThat(ZypperRepos.expand("http://m/$basearch/$arch", "15.5", "i686"))
                .isEqualTo("http://m/i386/i686");
    }

    @Test
    void aBrokenFileIsRefusedNamingTheFileAndLine() {
        Path file = root.resolve("bad.repo");
        assertThatThrownBy(() -> ZypperRepos.parse(file, "baseurl=http://x/\n", "15.5", "x86_64"))
                .hasMessageContaining("bad.repo line 1");
        assertThatThrownBy(() -> ZypperRepos.parse(file, "[a]\npriority=high\n", "15.5", "x86_64"))
                .hasMessageContaining("priority 'high'");
    }

    @Test
    void anOversizedRepoFileIsNotRead() throws IOException {
        Files.createDirectories(root.resolve("etc/zypp/repos.d"));
        Files.write(root.resolve("etc/zypp/repos.d/huge.repo"), new byte[(int) ZypperRepos.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> ZypperRepos.read(root, "15.5", "x86_64")).hasMessageContaining("huge.repo is larger");
    }

    @Test
    void locksAsZypperAddlockWritesThem() {
        ZypperLocks locks = ZypperLocks.parse(
                """

                type: package
                match_type: glob
                case_sensitive: on
                solvable_name: kernel-default*

                type: package
                match_type: exact
                case_sensitive: off
                solvable_name: Firefox
                solvable_arch: x86_64

                type: pattern
                solvable_name: gnome
                """);

        assertThat(locks.locked(new ZyppPackage("kernel-default-devel", "x86_64", "0", "6.4", "1", "")))
                .isTrue();
        assertThat(locks.locked(new ZyppPackage("kernel-azure", "x86_64", "0", "6.4", "1", "")))
                .isFalse();
        assertThat(locks.locked(new ZyppPackage("firefox", "x86_64", "0", "128", "1", "")))
                .isTrue();
        assertThat(locks.locked(new ZyppPackage("firefox", "aarch64", "0", "128", "1", "")))
                .isFalse();
        assertThat(locks.locked(new ZyppPackage("gnome", "noarch", "0", "1", "1", "")))
                .as("a pattern lock is no package lock")
                .isFalse();
    }

    @Test
    void vendorEquivalenceAsZypperMeasuredIt() throws IOException {
        VendorGroups v = VendorGroups.defaults();
        assertThat(v.equivalent("SUSE LLC <https://www.suse.com/>", "SUSE GmbH"))
                .isTrue();
        assertThat(v.equivalent("Acme", "acme")).isTrue();
        assertThat(v.equivalent("SUSE LLC", "openSUSE")).isFalse();
        assertThat(v.equivalent("openSUSE", "openSUSE Build Service")).isFalse();
        assertThat(v.equivalent("Acme", "Acme Corp")).isFalse();

        Files.createDirectories(root.resolve("etc/zypp/vendors.d"));
        Files.writeString(root.resolve("etc/zypp/vendors.d/packman"), "[main]\nvendors = suse,opensuse,packman\n");
        VendorGroups configured = VendorGroups.read(root);
        assertThat(configured.equivalent("SUSE LLC", "openSUSE")).isTrue();
        assertThat(configured.equivalent("packman", "SUSE LLC")).isTrue();
    }
}
