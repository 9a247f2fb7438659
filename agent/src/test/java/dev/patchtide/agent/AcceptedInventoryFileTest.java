package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedInventoryFileTest {
    static final String INSTANCE = "mi-0123456789abcdef0";

    @Test
    void remembersTheHashPrivatelyForItsInstanceOnly(@TempDir Path dir) throws Exception {
        AcceptedInventoryFile file = new AcceptedInventoryFile(dir.resolve("state"));
        assertThat(file.read(INSTANCE)).isEmpty();

        file.write(INSTANCE, "abc123");
        file.write(INSTANCE, "def456");

        assertThat(new AcceptedInventoryFile(dir.resolve("state")).read(INSTANCE))
                .contains("def456");
        // A new registration is a new instance: the old instance's hash means nothing to the server for it.
        assertThat(file.read("mi-0fedcba9876543210")).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
                .isEqualTo("rw-------");
        try (var entries = Files.list(file.path().getParent())) {
            assertThat(entries).containsExactly(file.path());
        }
    }

    @Test
    void corruptOrIncompleteFileIsIgnored(@TempDir Path dir) throws Exception {
        AcceptedInventoryFile file = new AcceptedInventoryFile(dir);
        Files.writeString(file.path(), "{ not json");
        assertThat(file.read(INSTANCE)).isEmpty();
        Files.writeString(file.path(), "{\"InstanceId\":\"" + INSTANCE + "\"}");
        assertThat(file.read(INSTANCE)).isEmpty();
        Files.write(file.path(), new byte[] {0, (byte) 0xff, 0x7f});
        assertThat(file.read(INSTANCE)).isEmpty();
        Files.delete(file.path());
        Files.createDirectory(file.path()); // unreadable as a file
        assertThat(file.read(INSTANCE)).isEmpty();
    }

    @Test
    void failedWriteIsNotThrown(@TempDir Path dir) throws Exception {
        Path notADirectory = dir.resolve("state");
        Files.writeString(notADirectory, "a file where the state directory should be");
        AcceptedInventoryFile file = new AcceptedInventoryFile(notADirectory);

        file.write(INSTANCE, "abc123");

        assertThat(file.read(INSTANCE)).isEmpty();
    }
}
