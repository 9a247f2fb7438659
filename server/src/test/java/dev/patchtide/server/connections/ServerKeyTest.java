package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.secrets.ServerKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerKeyTest {
    @Test
    void createdOnceReadableByItsOwnerOnlyAndStable(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("secret.key");
        ServerKey created = ServerKey.readOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(ServerKey.readOrCreate(file).id()).isEqualTo(created.id());
        assertThat(ServerKey.read(file).id()).isEqualTo(created.id());
        assertThat(created.toString()).doesNotContain(Files.readString(file).strip());
    }

    @Test
    void badOrMissingFilesAreNamed(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.key");
        Files.writeString(bad, "not a key");
        assertThatThrownBy(() -> ServerKey.read(bad))
                .hasMessageContaining("secret-key-file " + bad)
                .hasMessageContaining("256-bit");
        assertThatThrownBy(() -> ServerKey.read(dir.resolve("missing.key"))).hasMessageContaining("does not exist");
    }
}
