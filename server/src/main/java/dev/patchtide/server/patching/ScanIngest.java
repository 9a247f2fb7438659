package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.patching.ScanMessages.ReportedPackage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Takes an agent's scan: resolves its inventory (sent whole, or named by a hash the server already holds),
 * then judges and stores it in one transaction, so a report is stored whole or not at all.
 */
final class ScanIngest {
    private final BaselineStore baselines;
    private final BaselineCache cache;
    private final InventoryStore inventories;
    private final PatchEvaluation evaluation;
    private final InstantSource clock;
    private Optional<ScanWriter> writer = Optional.empty();

    ScanIngest(BaselineStore baselines, InventoryStore inventories, PatchEvaluation evaluation, InstantSource clock) {
        this.baselines = baselines;
        this.cache = new BaselineCache(baselines);
        this.inventories = inventories;
        this.evaluation = evaluation;
        this.clock = clock;
    }

    /**
     * Stores the report through many-reports-a-transaction writers from now on; until then (and in tests
     * that build the feature without starting them) each report has a transaction of its own.
     */
    synchronized AutoCloseable startWriter(int writers, int maxBatch) {
        ScanWriter started = new ScanWriter(baselines.jdbi(), this::store, writers, maxBatch);
        writer = Optional.of(started);
        return () -> {
            synchronized (this) {
                writer = Optional.empty();
            }
            started.close();
        };
    }

    PutPatchScanReportResult ingest(PutPatchScanReportRequest q) {
        Optional<ScanWriter> w;
        synchronized (this) {
            w = writer;
        }
        return w.map(running -> running.submit(q))
                .orElseGet(() -> baselines.jdbi().inTransaction(h -> store(h, q)));
    }

    /** Judges and stores one report inside the caller's transaction. */
    private PutPatchScanReportResult store(Handle h, PutPatchScanReportRequest q) {
        h.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id"
                        + " AND deregistered_at IS NULL FOR UPDATE")
                .bind("id", q.instanceId())
                .mapTo(String.class)
                .findOne()
                .orElseThrow(
                        () -> new ApiException("InvalidInstanceId", "Instance Id " + q.instanceId() + " isn't valid."));
        Optional<Previous> previous = h.createQuery("SELECT inventory_hash, outcome_hash, needs_evaluation,"
                        + " snapshot_id, baseline_id, compliance_status, missing_count FROM instance_patch_states"
                        + " WHERE instance_id = :id FOR UPDATE")
                .bind("id", q.instanceId())
                .map((rs, ctx) -> new Previous(
                        Optional.ofNullable(rs.getString("inventory_hash")),
                        Optional.ofNullable(rs.getString("outcome_hash")),
                        rs.getBoolean("needs_evaluation"),
                        rs.getString("snapshot_id"),
                        rs.getString("baseline_id"),
                        rs.getString("compliance_status"),
                        rs.getInt("missing_count")))
                .findOne();
        Optional<String> previousHash = previous.flatMap(Previous::inventoryHash);
        String group = PatchEvaluation.patchGroup(h, q.instanceId());
        BaselineCache.Resolved baseline = cache.resolve(h, group, q.operatingSystem());
        PatchEvaluation.LastScan scan = new PatchEvaluation.LastScan(
                product(q),
                q.patches(),
                Boolean.TRUE.equals(q.rebootRequired()),
                Objects.requireNonNullElse(q.rebootRequiredPackages(), List.of()),
                Objects.requireNonNullElse(q.failedPackages(), List.of()));
        String scanJson = PatchEvaluation.write(scan);
        String outcomeHash = outcomeHash(q, group, baseline, scanJson);
        if (previous.isPresent()
                && !previous.get().needsEvaluation()
                && previousHash.equals(Optional.ofNullable(q.inventoryHash()))
                && previous.get().outcomeHash().equals(Optional.of(outcomeHash))) {
            // Same inputs, same judgement: only the scan's times move. The snapshot id stays, so caches
            // keyed on it (the compliance summary) see nothing new; no row rewrite, history or event.
            h.createUpdate("UPDATE instance_patch_states SET operation_start_time = :start,"
                            + " operation_end_time = :end WHERE instance_id = :id")
                    .bind("start", q.operationStartTime())
                    .bind("end", q.operationEndTime())
                    .bind("id", q.instanceId())
                    .execute();
            Previous p = previous.get();
            return new PutPatchScanReportResult(
                    p.snapshotId(), p.baselineId(), p.status(), p.missing(), q.inventory() != null);
        }
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
        int reported = q.installedCount() != null ? q.installedCount() : inventory.size();
        Instant end = q.operationEndTime();
        PatchEvaluation.Outcome outcome = evaluation.store(
                h,
                q.instanceId(),
                q.operatingSystem(),
                group,
                baseline.baseline().id(),
                baseline.spec(),
                Optional.of(outcomeHash),
                scan,
                hash,
                inventory,
                reported,
                q.operationStartTime(),
                end,
                end,
                clock.instant());
        previousHash
                .filter(old -> !hash.equals(Optional.of(old)))
                .ifPresent(old -> inventories.releaseIfUnused(h, old));
        String snapshot = h.createQuery("SELECT snapshot_id FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", q.instanceId())
                .mapTo(String.class)
                .one();
        int missing = (int) outcome.judgement().verdicts().stream()
                .filter(v -> v.state() == dev.patchtide.core.patching.PatchState.MISSING)
                .count();
        return new PutPatchScanReportResult(snapshot, outcome.baselineId(), outcome.status(), missing, stored);
    }

    /** What the stored state row says, enough to answer a report that changes nothing. */
    private record Previous(
            Optional<String> inventoryHash,
            Optional<String> outcomeHash,
            boolean needsEvaluation,
            String snapshotId,
            String baselineId,
            String status,
            int missing) {}

    /**
     * Everything the judgement depends on: the scan (available patches, reboot state, failures), the
     * inventory (by hash) or reported count, the patch group and OS, the baseline and the configuration
     * version it was read at, and the day approval delays are counted to.
     */
    private static String outcomeHash(
            PutPatchScanReportRequest q, String group, BaselineCache.Resolved baseline, String scanJson) {
        String inputs = String.join(
                "\u0000",
                q.operatingSystem(),
                group,
                baseline.baseline().id(),
                Long.toString(baseline.version()),
                q.operationEndTime().atOffset(ZoneOffset.UTC).toLocalDate().toString(),
                Objects.requireNonNullElse(q.inventoryHash(), ""),
                String.valueOf(q.installedCount()),
                q.inventory() == null ? "-" : Integer.toString(q.inventory().size()),
                scanJson);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(inputs.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
