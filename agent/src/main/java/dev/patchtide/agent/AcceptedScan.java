package dev.patchtide.agent;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the server last accepted from this instance's scan reports: the hash of the installed inventory, and
 * the patch list as a pair of the agent's own digest of the list it sent and the server's {@code PatchesHash}
 * for it. The server's hash is opaque to the agent: it is sent back only while the agent's digest of a new
 * list is the remembered one.
 */
record AcceptedScan(Optional<String> inventoryHash, Optional<PatchList> patches) {
    static final AcceptedScan NONE = new AcceptedScan(Optional.empty(), Optional.empty());
    static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    /** {@code digest}: the agent's SHA-256 of the list as it wrote it; {@code serverHash}: the server's name for it. */
    record PatchList(String digest, String serverHash) {}

    /** The server's hash for a list whose local digest is {@code digest}, if that is the list it accepted last. */
    Optional<String> patchesHashFor(String digest) {
        return patches.filter(p -> p.digest().equals(digest)).map(PatchList::serverHash);
    }
}
