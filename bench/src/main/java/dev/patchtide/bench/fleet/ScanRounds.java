package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Scan reports in rounds, as the agent's {@code Agent.scanAndReport} sends them: the first report of a host
 * carries its whole inventory, later ones only its hash; an {@code InventoryRequired} answer is followed by
 * the same report with the inventory. Likewise the patch list: a host whose list is the one the server last
 * accepted sends the server's {@code PatchesHash} from that answer instead, and a {@code PatchesRequired}
 * answer is followed by the report with the list (at most two resends, as a report can meet both). From
 * round 2 on, a share of hosts gets a new advisory before the round, which changes its list.
 */
final class ScanRounds {
    static final String TARGET = "Patchtide.PutPatchScanReport";
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    /** What one round sent and what the server answered. */
    record Stats(
            int round,
            int changed,
            int inventoriesSent,
            int inventoryRequired,
            int withoutPatches,
            int patchesRequired,
            int newSnapshots,
            long missing,
            Phase.Result phase) {
        String summary() {
            return String.format(
                    "  round %d: %d reports changed (new advisories), %d with the full inventory, %d InventoryRequired"
                            + " answers, %d without the patch list, %d PatchesRequired answers, %d new snapshot ids,"
                            + " %d missing patches; simulator CPU ms per call %.3f",
                    round,
                    changed,
                    inventoriesSent,
                    inventoryRequired,
                    withoutPatches,
                    patchesRequired,
                    newSnapshots,
                    missing,
                    phase.clientCpuMillisPerCall());
        }
    }

    private final Fleet fleet;
    private final FleetClient client;
    private final Reports reports;
    private final FleetOptions options;
    private final Reports.HostBody[] bodies;
    private final boolean[] inventoryAccepted;
    /** Per host, the server's PatchesHash for the list it last accepted; null once the list changed since. */
    private final String[] patchesHashes;

    private final String[] snapshots;

    ScanRounds(Fleet fleet, FleetClient client, FleetModel model, FleetOptions options) {
        this.fleet = fleet;
        this.client = client;
        this.options = options;
        this.reports = new Reports(model, client.json(), options.installedCountOnly());
        this.bodies = new Reports.HostBody[options.hosts()];
        this.inventoryAccepted = new boolean[options.hosts()];
        this.patchesHashes = new String[options.hosts()];
        this.snapshots = new String[options.hosts()];
    }

    /** Every host's fixed members and inventory hash, in parallel, before any round is timed. */
    void prepare(FleetModel.Host[] hosts) {
        IntStream.range(0, hosts.length)
                .parallel()
                .forEach(i -> bodies[i] = reports.prepare(fleet.agent(i).instanceId(), hosts[i]));
    }

    Stats round(CpuMeter meter, int round, Instant start, Instant end) throws InterruptedException {
        int changed = 0;
        for (int i = 0; i < bodies.length; i++) {
            if (Reports.changed(options.seed(), round, i, options.changedShare())) {
                reports.advise(bodies[i], options.seed(), round);
                patchesHashes[i] = null; // the agent's digest of its new list is not the remembered one
                changed++;
            }
        }
        Reports.Times times = reports.times(start, end);
        AtomicInteger inventories = new AtomicInteger();
        AtomicInteger inventoryRequired = new AtomicInteger();
        AtomicInteger withoutPatches = new AtomicInteger();
        AtomicInteger patchesRequired = new AtomicInteger();
        AtomicInteger newSnapshots = new AtomicInteger();
        AtomicLong missing = new AtomicLong();
        boolean oldAgent = options.installedCountOnly();
        Phase.Result phase = Phase.run(
                meter,
                "PutPatchScanReport #" + round,
                bodies.length,
                options.concurrency(),
                client::httpCpuNanos,
                i -> {
                    boolean withInventory = !oldAgent && !inventoryAccepted[i];
                    Optional<String> patchesHash = Optional.ofNullable(patchesHashes[i]);
                    JsonNode answer = null;
                    for (int resends = 0; answer == null; resends++) {
                        try {
                            answer = send(i, reports.body(bodies[i], times, withInventory, patchesHash));
                        } catch (ApiCallException e) {
                            if (resends < 2 && e.code().equals("InventoryRequired") && !withInventory && !oldAgent) {
                                inventoryRequired.incrementAndGet();
                                withInventory = true;
                            } else if (resends < 2 && e.code().equals("PatchesRequired") && patchesHash.isPresent()) {
                                patchesRequired.incrementAndGet();
                                patchesHash = Optional.empty();
                            } else {
                                throw e;
                            }
                        }
                    }
                    if (withInventory) {
                        inventories.incrementAndGet();
                    }
                    if (patchesHash.isPresent()) {
                        withoutPatches.incrementAndGet();
                    }
                    inventoryAccepted[i] = true;
                    // An old agent (installed-count mode) knows no hashes; the agent keeps only a well-formed one.
                    String judged = answer.path("PatchesHash").textValue();
                    patchesHashes[i] = !oldAgent
                                    && judged != null
                                    && SHA256.matcher(judged).matches()
                            ? judged
                            : null;
                    missing.addAndGet(answer.path("MissingCount").asInt());
                    String snapshot = answer.path("SnapshotId").asText();
                    if (!snapshot.equals(snapshots[i])) {
                        newSnapshots.incrementAndGet();
                    }
                    snapshots[i] = snapshot;
                });
        return new Stats(
                round,
                changed,
                inventories.get(),
                inventoryRequired.get(),
                withoutPatches.get(),
                patchesRequired.get(),
                newSnapshots.get(),
                missing.get(),
                phase);
    }

    private JsonNode send(int host, byte[] body) throws IOException, ApiCallException {
        return client.callSigned(TARGET, body, fleet.agent(host).key());
    }

    /** For the smoke test: the body a host would send now. */
    byte[] bodyOf(int host, Instant start, Instant end, boolean withInventory) {
        return reports.body(
                bodies[host], reports.times(start, end), withInventory, Optional.ofNullable(patchesHashes[host]));
    }

    /** For the smoke test: the host's instance id. */
    String instanceId(int host) {
        return fleet.agent(host).instanceId();
    }

    /** For tests: the host's registered instance and its key. */
    Fleet.Agent agent(int host) {
        return fleet.agent(host);
    }

    /** For the smoke test: the server's PatchesHash the host would send now, if any. */
    Optional<String> patchesHashOf(int host) {
        return Optional.ofNullable(patchesHashes[host]);
    }

    Reports.HostBody hostBody(int host) {
        return bodies[host];
    }
}
