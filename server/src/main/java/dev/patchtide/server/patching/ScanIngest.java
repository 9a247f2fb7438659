package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.patching.ScanMessages.ReportedPackage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes an agent's scan: resolves its inventory (sent whole, or named by a hash the server already holds),
 * then judges and stores it in one transaction, so a report is stored whole or not at all.
 */
final class ScanIngest {
    private final BaselineStore baselines;
    private final InventoryStore inventories;
    private final PatchEvaluation evaluation;
    private final InstantSource clock;

    ScanIngest(BaselineStore baselines, InventoryStore inventories, PatchEvaluation evaluation, InstantSource clock) {
        this.baselines = baselines;
        this.inventories = inventories;
        this.evaluation = evaluation;
        this.clock = clock;
    }

    PutPatchScanReportResult ingest(PutPatchScanReportRequest q) {
        return baselines.jdbi().inTransaction(h -> {
            h.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id"
                            + " AND deregistered_at IS NULL FOR UPDATE")
                    .bind("id", q.instanceId())
                    .mapTo(String.class)
                    .findOne()
                    .orElseThrow(() ->
                            new ApiException("InvalidInstanceId", "Instance Id " + q.instanceId() + " isn't valid."));
            Optional<String> previousHash = h.createQuery(
                            "SELECT inventory_hash FROM instance_patch_states WHERE instance_id = :id FOR UPDATE")
                    .bind("id", q.instanceId())
                    .mapTo(String.class)
                    .findOne();
            Optional<String> hash = Optional.ofNullable(q.inventoryHash());
            List<InstalledPackage> inventory = List.of();
            boolean stored = false;
            if (q.inventory() != null) {
                inventory = q.inventory().stream().map(ReportedPackage::toCore).toList();
                inventories.put(h, q.inventoryHash(), inventory, clock.instant());
                stored = true;
            } else if (hash.isPresent()) {
                inventory = inventories
                        .find(h, hash.get())
                        .orElseThrow(() -> new ApiException(
                                "InventoryRequired",
                                "The server does not hold the inventory with InventoryHash " + hash.get()
                                        + "; send the report again with its Inventory."));
            }
            PatchEvaluation.LastScan scan = new PatchEvaluation.LastScan(
                    product(q),
                    q.patches(),
                    Boolean.TRUE.equals(q.rebootRequired()),
                    Objects.requireNonNullElse(q.rebootRequiredPackages(), List.of()),
                    Objects.requireNonNullElse(q.failedPackages(), List.of()));
            int reported = q.installedCount() != null ? q.installedCount() : inventory.size();
            Instant end = q.operationEndTime();
            PatchEvaluation.Outcome outcome = evaluation.evaluate(
                    h,
                    q.instanceId(),
                    q.operatingSystem(),
                    scan,
                    hash,
                    inventory,
                    reported,
                    q.operationStartTime(),
                    end,
                    end,
                    clock.instant());
            previousHash
                    .filter(previous -> !hash.equals(Optional.of(previous)))
                    .ifPresent(previous -> inventories.releaseIfUnused(h, previous));
            String snapshot = h.createQuery("SELECT snapshot_id FROM instance_patch_states WHERE instance_id = :id")
                    .bind("id", q.instanceId())
                    .mapTo(String.class)
                    .one();
            int missing = (int) outcome.judgement().verdicts().stream()
                    .filter(v -> v.state() == dev.patchtide.core.patching.PatchState.MISSING)
                    .count();
            return new PutPatchScanReportResult(snapshot, outcome.baselineId(), outcome.status(), missing, stored);
        });
    }

    /** The PRODUCT installed packages are filed under: the report's, else that of its first update. */
    private static String product(PutPatchScanReportRequest q) {
        if (q.product() != null) {
            return q.product();
        }
        return q.patches().stream()
                .map(ScanMessages.ReportedPatch::product)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse("");
    }
}
