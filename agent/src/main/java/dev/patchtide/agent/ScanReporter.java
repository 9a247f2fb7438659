package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a scan report ({@code PatchReport.scan}'s map) with only what changed since the server last
 * accepted one: the installed inventory is left out while its {@code InventoryHash} is the accepted one, and
 * the patch list is replaced by the server's {@code PatchesHash} while the agent's own digest of it is the
 * one it sent last (most scans find the same updates). If the server does not hold what a hash names (a new
 * or restored database), it answers {@code InventoryRequired} or {@code PatchesRequired} and the report goes
 * again at once with what was asked, at most twice (a report can meet both). What was accepted is kept on
 * disk ({@link AcceptedScanFile}). A server that returns no {@code PatchesHash} (an older one) always gets
 * the list.
 */
final class ScanReporter {
    private static final Logger log = LoggerFactory.getLogger(ScanReporter.class);

    /** Sends one PutPatchScanReport request and returns the server's answer. */
    @FunctionalInterface
    interface Sender {
        JsonNode send(Map<String, Object> request) throws IOException, ApiCallException;
    }

    private final String instanceId;
    private final AcceptedScanFile file;
    private volatile AcceptedScan accepted;

    ScanReporter(String instanceId, AcceptedScanFile file) {
        this.instanceId = instanceId;
        this.file = file;
        this.accepted = file.read(instanceId);
    }

    AcceptedScan accepted() {
        return accepted;
    }

    /** Sends {@code report} (left unchanged) as little as the server needs, and returns its verdict. */
    JsonNode report(Map<String, Object> report, Sender sender) throws IOException, ApiCallException {
        Optional<String> inventoryHash = Optional.ofNullable((String) report.get("InventoryHash"));
        String digest = digest(report.get("Patches"));
        AcceptedScan known = accepted;
        boolean withInventory = inventoryHash.isEmpty() || !inventoryHash.equals(known.inventoryHash());
        Optional<String> patchesHash = known.patchesHashFor(digest);
        JsonNode verdict = null;
        for (int resends = 0; verdict == null; resends++) {
            try {
                verdict = sender.send(request(report, withInventory, patchesHash));
            } catch (ApiCallException e) {
                if (resends < 2 && e.code().equals("InventoryRequired") && !withInventory) {
                    log.info("the server does not hold this host's inventory; sending it in full");
                    withInventory = true;
                } else if (resends < 2 && e.code().equals("PatchesRequired") && patchesHash.isPresent()) {
                    log.info("the server does not hold this host's patch list; sending it in full");
                    patchesHash = Optional.empty();
                } else {
                    throw e;
                }
            }
        }
        Optional<AcceptedScan.PatchList> patches = Optional.ofNullable(
                        verdict.path("PatchesHash").textValue())
                .filter(h -> AcceptedScan.SHA256.matcher(h).matches())
                .map(h -> new AcceptedScan.PatchList(digest, h));
        AcceptedScan now = new AcceptedScan(inventoryHash, patches);
        if (!now.equals(known)) {
            file.write(instanceId, now);
        }
        accepted = now;
        return verdict;
    }

    /**
     * The request: the report's members in their order, without Inventory unless {@code withInventory}, and
     * with PatchesHash in the place of Patches when the hash is given.
     */
    static Map<String, Object> request(
            Map<String, Object> report, boolean withInventory, Optional<String> patchesHash) {
        Map<String, Object> request = new LinkedHashMap<>();
        report.forEach((name, value) -> {
            if (name.equals("Inventory") && !withInventory) {
                return;
            }
            if (name.equals("Patches") && patchesHash.isPresent()) {
                request.put("PatchesHash", patchesHash.get());
                return;
            }
            request.put(name, value);
        });
        return request;
    }

    /** The agent's own digest of a patch list: SHA-256 of the JSON its mapper writes for it. */
    String digest(Object patches) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(JsonCodec.write(patches)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
