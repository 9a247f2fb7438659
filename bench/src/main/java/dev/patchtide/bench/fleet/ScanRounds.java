package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Scan reports in rounds, as the agent's {@code Agent.scanAndReport} sends them: the first report of a host
 * carries its whole inventory, later ones only its hash; an {@code InventoryRequired} answer is followed by
 * the same report with the inventory. From round 2 on, a share of hosts gets a new advisory before the round.
 */
final class ScanRounds {
    static final String TARGET = "Patchtide.PutPatchScanReport";

    /** What one round sent and what the server answered. */
    record Stats(
            int round,
            int changed,
            int inventoriesSent,
            int inventoryRequired,
            int newSnapshots,
            long missing,
            Phase.Result phase) {
        String summary() {
            return String.format(
                    "  round %d: %d reports changed (new advisories), %d with the full inventory, %d InventoryRequired"
                            + " answers, %d new snapshot ids, %d missing patches; simulator CPU ms per call %.3f",
                    round,
                    changed,
                    inventoriesSent,
                    inventoryRequired,
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
    private final String[] snapshots;

    ScanRounds(Fleet fleet, FleetClient client, FleetModel model, FleetOptions options) {
        this.fleet = fleet;
        this.client = client;
        this.options = options;
        this.reports = new Reports(model, client.json(), options.installedCountOnly());
        this.bodies = new Reports.HostBody[options.hosts()];
        this.inventoryAccepted = new boolean[options.hosts()];
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
                changed++;
            }
        }
        Reports.Times times = reports.times(start, end);
        AtomicInteger inventories = new AtomicInteger();
        AtomicInteger required = new AtomicInteger();
        AtomicInteger newSnapshots = new AtomicInteger();
        AtomicLong missing = new AtomicLong();
        Phase.Result phase = Phase.run(
                meter,
                "PutPatchScanReport #" + round,
                bodies.length,
                options.concurrency(),
                client::httpCpuNanos,
                i -> {
                    boolean withInventory = !options.installedCountOnly() && !inventoryAccepted[i];
                    JsonNode answer;
                    try {
                        answer = send(i, reports.body(bodies[i], times, withInventory));
                    } catch (ApiCallException e) {
                        if (!e.code().equals("InventoryRequired") || withInventory || options.installedCountOnly()) {
                            throw e;
                        }
                        required.incrementAndGet();
                        withInventory = true;
                        answer = send(i, reports.body(bodies[i], times, true));
                    }
                    if (withInventory) {
                        inventories.incrementAndGet();
                    }
                    inventoryAccepted[i] = true;
                    missing.addAndGet(answer.path("MissingCount").asInt());
                    String snapshot = answer.path("SnapshotId").asText();
                    if (!snapshot.equals(snapshots[i])) {
                        newSnapshots.incrementAndGet();
                    }
                    snapshots[i] = snapshot;
                });
        return new Stats(round, changed, inventories.get(), required.get(), newSnapshots.get(), missing.get(), phase);
    }

    private JsonNode send(int host, byte[] body) throws IOException, ApiCallException {
        return client.callSigned(TARGET, body, fleet.agent(host).key());
    }

    /** For the smoke test: the body a host would send now. */
    byte[] bodyOf(int host, Instant start, Instant end, boolean withInventory) {
        return reports.body(bodies[host], reports.times(start, end), withInventory);
    }

    Reports.HostBody hostBody(int host) {
        return bodies[host];
    }
}
