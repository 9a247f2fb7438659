package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server last accepted ({@link AcceptedScan}), kept next to the registration so that a restarted
 * agent sends hashes instead of its whole inventory and patch list (after a fleet-wide agent upgrade that
 * would be every host's ~100 KB at once). The file names the instance it belongs to: after a new
 * registration the old instance's hashes are not used. It is only a saving, so a file that cannot be read or
 * written is logged and otherwise ignored; the worst case is one full report. Files written before the patch
 * list was remembered (inventory hash only) still read; members this version does not know are ignored.
 */
final class AcceptedScanFile {
    static final String FILE_NAME = "accepted-inventory.json";
    private static final Logger log = LoggerFactory.getLogger(AcceptedScanFile.class);

    /** The file's members, in this order; an absent one is left out. */
    private record Stored(String instanceId, String inventoryHash, String patchesDigest, String patchesHash) {
        static Stored of(JsonNode file) {
            return new Stored(
                    file.path("InstanceId").textValue(),
                    file.path("InventoryHash").textValue(),
                    file.path("PatchesDigest").textValue(),
                    file.path("PatchesHash").textValue());
        }

        Map<String, Object> members() {
            Map<String, Object> members = new LinkedHashMap<>();
            members.put("InstanceId", instanceId);
            members.put("InventoryHash", inventoryHash);
            members.put("PatchesDigest", patchesDigest);
            members.put("PatchesHash", patchesHash);
            return members; // nulls are left out when written
        }
    }

    private final Path file;

    AcceptedScanFile(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    /** What the server last accepted from {@code instanceId}; {@link AcceptedScan#NONE} if nothing is known for it. */
    AcceptedScan read(String instanceId) {
        Stored stored;
        try {
            stored = Stored.of(JsonCodec.readTree(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return AcceptedScan.NONE;
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring {} (the next scan sends the full report): {}", file, e.getMessage());
            return AcceptedScan.NONE;
        }
        if (stored == null || stored.instanceId() == null) {
            log.warn("ignoring {} (the next scan sends the full report): incomplete", file);
            return AcceptedScan.NONE;
        }
        if (!instanceId.equals(stored.instanceId())) {
            return AcceptedScan.NONE;
        }
        Optional<AcceptedScan.PatchList> patches = Optional.empty();
        // The server's hash is sent back as it is: only a well-formed one.
        if (valid(stored.patchesDigest()) && valid(stored.patchesHash())) {
            patches = Optional.of(new AcceptedScan.PatchList(stored.patchesDigest(), stored.patchesHash()));
        }
        return new AcceptedScan(Optional.ofNullable(stored.inventoryHash()), patches);
    }

    private static boolean valid(String hash) {
        return hash != null && AcceptedScan.SHA256.matcher(hash).matches();
    }

    /** Remembers what was accepted; a failure is logged, not thrown, as the server has the report already. */
    void write(String instanceId, AcceptedScan accepted) {
        Stored stored = new Stored(
                instanceId,
                accepted.inventoryHash().orElse(null),
                accepted.patches().map(AcceptedScan.PatchList::digest).orElse(null),
                accepted.patches().map(AcceptedScan.PatchList::serverHash).orElse(null));
        try {
            PrivateFiles.write(file, JsonCodec.write(stored.members()));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot remember the accepted scan in {}: {}", file, e.getMessage());
        }
    }
}
