package dev.patchtide.agent.scan.rpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpmDatabaseTest {
    @TempDir
    Path root;

    @Test
    void queryOutputCarriesExactEvrArchAndInstallTimeAndSkipsPublicKeys() {
        String output = "openssl\t1\t3.0.7\t27.el9\tx86_64\t1717171717\n"
                + "gpg-pubkey\t0\t5a6340b3\t6229229e\t(none)\t1700000000\n"
                + "glibc\t0\t2.34\t100.el9\ti686\t1700000001\n"
                + "glibc\t0\t2.34\t100.el9\tx86_64\t(none)\n";

        assertThat(RpmDatabase.parse(output))
                .containsExactly(
                        new InstalledRpm(
                                new RpmPackage("openssl", "x86_64", "1", "3.0.7", "27.el9"),
                                Optional.of(Instant.ofEpochSecond(1717171717))),
                        new InstalledRpm(
                                new RpmPackage("glibc", "i686", "0", "2.34", "100.el9"),
                                Optional.of(Instant.ofEpochSecond(1700000001))),
                        new InstalledRpm(new RpmPackage("glibc", "x86_64", "0", "2.34", "100.el9"), Optional.empty()));
        assertThat(RpmDatabase.parse(output).getFirst().pkg().evrText()).isEqualTo("1:3.0.7-27.el9");
    }

    @Test
    void malformedLinesAreNamed() {
        assertThatThrownBy(() -> RpmDatabase.parse("a\tb\n\nopenssl\t1\t3.0.7\n"))
                .hasMessageContaining("line 1")
                .hasMessageContaining("expected 6");
        assertThatThrownBy(() -> RpmDatabase.parse("x\t0\t1 0\t1\tx86_64\t1\n"))
                .hasMessageContaining("invalid RPM version");
    }

    @Test
    void theDatabaseIsFoundWhereTheDistributionKeepsIt() throws Exception {
        assertThat(RpmDatabase.of(root)).isEmpty();
        Files.createDirectories(root.resolve("var/lib/rpm"));
        Files.writeString(root.resolve("var/lib/rpm/rpmdb.sqlite"), "");
        assertThat(RpmDatabase.of(root).orElseThrow().dbPath()).isEqualTo("/var/lib/rpm");
        Files.createDirectories(root.resolve("usr/lib/sysimage/rpm"));
        Files.writeString(root.resolve("usr/lib/sysimage/rpm/Packages"), "");
        assertThat(RpmDatabase.of(root).orElseThrow().rpmCommand())
                .containsExactly("rpm", "--root", root.toString(), "--dbpath", "/usr/lib/sysimage/rpm");
    }
}
