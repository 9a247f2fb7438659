package dev.patchtide.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hash of the last inventory the server accepted, kept next to the registration so that a restarted
 * agent sends the hash alone instead of its whole inventory (after a fleet-wide agent upgrade that would be
 * every host's ~100 KB at once). The file names the instance it belongs to: after a new registration the
 * old instance's hash is not used. It is only a saving, so a file that cannot be read or written is logged
 * and otherwise ignored; the worst case is one full inventory.
 */
final class AcceptedInventoryFile {
    static final String FILE_NAME = "accepted-inventory.json";
    private static final Logger log = LoggerFactory.getLogger(AcceptedInventoryFile.class);

    private record Accepted(
            @JsonProperty("InstanceId") String instanceId, @JsonProperty("InventoryHash") String inventoryHash) {}

    private final Path file;
    private final ObjectMapper json = JsonMapper.builder().build();

    AcceptedInventoryFile(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    /** The hash the server last accepted from {@code instanceId}; empty if none is known for that instance. */
    Optional<String> read(String instanceId) {
        Accepted accepted;
        try {
            accepted = json.readValue(Files.readAllBytes(file), Accepted.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring {} (the next scan sends the full inventory): {}", file, e.getMessage());
            return Optional.empty();
        }
        if (accepted.instanceId() == null || accepted.inventoryHash() == null) {
            log.warn("ignoring {} (the next scan sends the full inventory): incomplete", file);
            return Optional.empty();
        }
        return Optional.of(accepted.inventoryHash()).filter(hash -> instanceId.equals(accepted.instanceId()));
    }

    /** Remembers an accepted hash; a failure is logged, not thrown, as the server has the report already. */
    void write(String instanceId, String inventoryHash) {
        try {
            PrivateFiles.write(file, json.writeValueAsBytes(new Accepted(instanceId, inventoryHash)));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot remember the accepted inventory in {}: {}", file, e.getMessage());
        }
    }
}
