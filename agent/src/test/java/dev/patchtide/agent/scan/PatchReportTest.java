package dev.patchtide.agent.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.DebianHostTree;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchReportTest {
    @TempDir
    Path root;

    @Test
    void debianReportCarriesTheInventoryItsHashAndThePendingRebootPackages() throws Exception {
        DebianHostTree.write(
                root,
                "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u10\n\n"
                        + "Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n");
        Files.createDirectories(root.resolve("var/run"));
        Files.writeString(root.resolve("var/run/reboot-required"), "");
        Files.writeString(root.resolve("var/run/reboot-required.pkgs"), "libc6\n");

        Map<String, Object> report = PatchReport.scan(root, "mi-0123456789abcdef0");

        assertThat(report.get("Product")).isEqualTo("Debian12");
        assertThat(report.get("InstalledCount")).isEqualTo(1);
        assertThat(report.get("Inventory"))
                .isEqualTo(List.of(Map.of("Name", "libc6", "Arch", "amd64", "Version", "2.36-9+deb12u10")));
        assertThat(report.get("InventoryHash"))
                .isEqualTo(Inventory.hash(
                        List.of(new InstalledPackage("libc6", "amd64", "2.36-9+deb12u10", Optional.empty()))));
        assertThat(report.get("RebootRequired")).isEqualTo(true);
        assertThat(report.get("RebootRequiredPackages")).isEqualTo(List.of("libc6"));
    }
}
