package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptedScanFileTest {
    static final String INSTANCE = "mi-0123456789abcdef0";
    static final String DIGEST = "d".repeat(64);
    static final String SERVER_HASH = "5".repeat(64);

    static AcceptedScan accepted(String inventoryHash) {
        return new AcceptedScan(
                Optional.of(inventoryHash), Optional.of(new AcceptedScan.PatchList(DIGEST, SERVER_HASH)));
    }

    @Test
    void remembersWhatWasAcceptedPrivatelyForItsInstanceOnly(@TempDir Path dir) throws Exception {
        AcceptedScanFile file = new AcceptedScanFile(dir.resolve("state"));
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);

        file.write(INSTANCE, accepted("abc123"));
        file.write(INSTANCE, accepted("def456"));

        assertThat(new AcceptedScanFile(dir.resolve("state")).read(INSTANCE)).isEqualTo(accepted("def456"));
        // A new registration is a new instance: the old instance's hashes mean nothing to the server for it.
        assertThat(file.read("mi-0fedcba9876543210")).isEqualTo(AcceptedScan.NONE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())))
                .isEqualTo("rw-------");
        try (var entries = Files.list(file.path().getParent())) {
            assertThat(entries).containsExactly(file.path());
        }
        AcceptedScan inventoryOnly = new AcceptedScan(Optional.of("abc123"), Optional.empty());
        file.write(INSTANCE, inventoryOnly);
        assertThat(file.read(INSTANCE)).isEqualTo(inventoryOnly);
    }

    @Test
    void aFileFromBeforePatchListsReadsAsTheInventoryHashAlone(@TempDir Path dir) throws Exception {
        AcceptedScanFile file = new AcceptedScanFile(dir);
        Files.writeString(file.path(), "{\"InstanceId\":\"" + INSTANCE + "\",\"InventoryHash\":\"abc123\"}");
        assertThat(file.read(INSTANCE)).isEqualTo(new AcceptedScan(Optional.of("abc123"), Optional.empty()));
        // A later version's members are ignored, not a reason to drop the file.
        Files.writeString(
                file.path(), "{\"InstanceId\":\"" + INSTANCE + "\",\"InventoryHash\":\"abc123\",\"Later\":1}");
        assertThat(file.read(INSTANCE)).isEqualTo(new AcceptedScan(Optional.of("abc123"), Optional.empty()));
    }

    @Test
    void corruptOrIncompleteFileIsIgnored(@TempDir Path dir) throws Exception {
        AcceptedScanFile file = new AcceptedScanFile(dir);
        Files.writeString(file.path(), "{ not json");
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
        Files.writeString(file.path(), "{\"InventoryHash\":\"abc123\"}");
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
        Files.writeString(file.path(), "null");
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
        // A patch-list hash the server could not have sent is not sent back to it.
        Files.writeString(
                file.path(),
                "{\"InstanceId\":\"" + INSTANCE + "\",\"InventoryHash\":\"abc123\",\"PatchesDigest\":\"" + DIGEST
                        + "\",\"PatchesHash\":\"nope\"}");
        assertThat(file.read(INSTANCE).patches()).isEmpty();
        Files.write(file.path(), new byte[] {0, (byte) 0xff, 0x7f});
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
        Files.delete(file.path());
        Files.createDirectory(file.path()); // unreadable as a file
        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
    }

    @Test
    void failedWriteIsNotThrown(@TempDir Path dir) throws Exception {
        Path notADirectory = dir.resolve("state");
        Files.writeString(notADirectory, "a file where the state directory should be");
        AcceptedScanFile file = new AcceptedScanFile(notADirectory);

        file.write(INSTANCE, accepted("abc123"));

        assertThat(file.read(INSTANCE)).isEqualTo(AcceptedScan.NONE);
    }
}
