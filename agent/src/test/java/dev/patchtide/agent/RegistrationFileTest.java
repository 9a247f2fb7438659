package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrationFileTest {

    @Test
    void roundTripsPrivatelyAndLeavesNoTempFiles(@TempDir Path dir) throws Exception {
        RegistrationFile file = new RegistrationFile(dir.resolve("state"));
        assertThat(file.read()).isEmpty();
        Registration registration = new Registration(
                "http://127.0.0.1:8420",
                "us-east-1",
                "mi-0123456789abcdef0",
                "AKIAAAAAAAAAAAAAAAAA",
                "secret",
                300,
                Instant.parse("2026-11-22T10:00:00Z"));

        file.write(registration);

        assertThat(file.read()).contains(registration);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(file.path().getParent())))
                .isEqualTo("rwx------");
        try (var entries = Files.list(file.path().getParent())) {
            assertThat(entries).containsExactly(file.path());
        }
    }

    @Test
    void keepsTheOnDiskFormatOfEarlierReleases(@TempDir Path dir) throws Exception {
        RegistrationFile file = new RegistrationFile(dir);
        String earlier =
                """
                {
                  "serverUrl" : "http://127.0.0.1:8420",
                  "region" : "us-east-1",
                  "instanceId" : "mi-0123456789abcdef0",
                  "accessKeyId" : "AKIAAAAAAAAAAAAAAAAA",
                  "secretAccessKey" : "secret",
                  "heartbeatIntervalSeconds" : 300,
                  "registeredAt" : "2026-11-22T10:00:00Z"
                }""";
        Files.writeString(file.path(), earlier);

        Registration read = file.read().orElseThrow();
        assertThat(read.instanceId()).isEqualTo("mi-0123456789abcdef0");
        assertThat(read.registeredAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));

        file.write(read);
        assertThat(Files.readString(file.path())).isEqualToIgnoringNewLines(earlier);
    }

    @Test
    void aFileWithUnknownMembersIsNotARegistration(@TempDir Path dir) throws Exception {
        RegistrationFile file = new RegistrationFile(dir);
        Files.writeString(file.path(), "{\"serverUrl\":\"http://x\",\"ServerUrl\":\"http://y\"}");
        assertThatThrownBy(file::read).hasMessageContaining(file.path().toString());
    }

    @Test
    void corruptFileIsReportedWithItsPath(@TempDir Path dir) throws Exception {
        RegistrationFile file = new RegistrationFile(dir);
        Files.writeString(file.path(), "{ not json");
        assertThatThrownBy(file::read).hasMessageContaining(file.path().toString());
    }
}
