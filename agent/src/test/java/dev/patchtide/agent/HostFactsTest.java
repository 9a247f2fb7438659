package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsTest {

    @Test
    void readsPlatformAndHostnameFromTheHostTree(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(
                root.resolve("etc/os-release"),
                """
                PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
                # a comment
                NAME="Rocky Linux"
                VERSION_ID="9.4"
                ID=rocky
                """);
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/hostname"), "db-7\n");

        HostFacts facts = HostFacts.collect(root);

        assertThat(facts.computerName()).isEqualTo("db-7");
        assertThat(facts.platformName()).isEqualTo("Rocky Linux");
        assertThat(facts.platformVersion()).isEqualTo("9.4");
        assertThat(facts.platformType()).isEqualTo("Linux");
    }

    @Test
    void osReleaseFallsBackToUsrLibAndUnquotes(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("usr/lib"));
        Files.writeString(root.resolve("usr/lib/os-release"), "NAME='Debian GNU/Linux'\nVERSION_ID=12\n");
        assertThat(HostFacts.osRelease(root))
                .containsEntry("NAME", "Debian GNU/Linux")
                .containsEntry("VERSION_ID", "12");
        assertThat(HostFacts.parseOsRelease(List.of("NAME=\"A \\\"quoted\\\" name\"", "junk", "=x")))
                .containsOnlyKeys("NAME")
                .containsEntry("NAME", "A \"quoted\" name");
    }

    @Test
    void thisHostHasAnAddressListWithIpv4First() {
        HostFacts facts = HostFacts.collect(Path.of("/"));
        assertThat(facts.primaryIpAddress()).isNotBlank();
        assertThat(facts.ipAddresses()).doesNotHaveDuplicates().noneMatch(a -> a.contains("%"));
    }
}
