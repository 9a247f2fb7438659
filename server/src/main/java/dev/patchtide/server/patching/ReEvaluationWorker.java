package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.server.background.PollingLoop;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges again the stored scans of instances marked {@code needs_evaluation} (their baseline, default
 * baseline, patch-group registration or Patch Group tag changed). The mark is set in the transaction of the
 * change, so nothing is lost on a crash; batches are claimed with FOR UPDATE SKIP LOCKED, so several
 * servers share the work and none judges an instance twice at once.
 */
public final class ReEvaluationWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReEvaluationWorker.class);

    private record Claimed(
            String instanceId,
            String os,
            boolean registered,
            String group,
            Optional<String> inventoryHash,
            int reportedInstalled,
            Optional<String> lastScan,
            Instant start,
            Instant end) {}

    private final Jdbi jdbi;
    private final PatchEvaluation evaluation;
    private final BaselineCache baselines;
    private final InventoryStore inventories;
    private final InstantSource clock;
    private final int batchSize;
    private final PollingLoop loop;
    private final AtomicLong inventoryMissing = new AtomicLong();

    ReEvaluationWorker(
            Jdbi jdbi,
            PatchEvaluation evaluation,
            BaselineCache baselines,
            InventoryStore inventories,
            InstantSource clock,
            Duration poll,
            int batchSize) {
        this.jdbi = jdbi;
        this.evaluation = evaluation;
        this.baselines = baselines;
        this.inventories = inventories;
        this.clock = clock;
        this.batchSize = batchSize;
        // A full batch means more may be waiting: go again at once.
        this.loop = new PollingLoop("patch-reevaluation", poll, () -> runOnce() >= batchSize);
    }

    ReEvaluationWorker start() {
        loop.start();
        return this;
    }

    /**
     * Claims and judges one batch; returns how many instances it claimed. The batch is judged and stored
     * together (a few statements, as scan ingest does); if that fails, each instance is judged alone, so one
     * that cannot be judged (no baseline for its OS any more) does not stall the rest.
     */
    int runOnce() {
        return jdbi.inTransaction(h -> {
            List<Claimed> claimed = h.createQuery("SELECT s.*, i.deregistered_at IS NULL AS registered,"
                            + " i.patch_group AS instance_patch_group"
                            + " FROM instance_patch_states s JOIN managed_instances i USING (instance_id)"
                            + " WHERE s.needs_evaluation ORDER BY s.instance_id LIMIT :limit"
                            // The instance row too, as scans and tag changes lock it first: no deadlock.
                            + " FOR UPDATE OF s SKIP LOCKED FOR KEY SHARE OF i SKIP LOCKED")
                    .bind("limit", batchSize)
                    .map((rs, ctx) -> new Claimed(
                            rs.getString("instance_id"),
                            rs.getString("operating_system"),
                            rs.getBoolean("registered"),
                            rs.getString("instance_patch_group"),
                            Optional.ofNullable(rs.getString("inventory_hash")),
                            rs.getInt("reported_installed_count"),
                            Optional.ofNullable(rs.getString("last_scan")),
                            rs.getTimestamp("operation_start_time").toInstant(),
                            rs.getTimestamp("operation_end_time").toInstant()))
                    .list();
            List<Claimed> candidates = claimed.stream()
                    .filter(c -> c.registered() && c.lastScan().isPresent())
                    .toList();
            // Hosts built from one image share an inventory: read and unpack it once per batch. As scan
            // ingest does, the rows are share-locked (the sweeper cannot remove them meanwhile) and a row
            // that is gone is not found, even if its content is still cached.
            Map<String, List<InstalledPackage>> stored = inventories.findAll(
                    h,
                    candidates.stream()
                            .flatMap(c -> c.inventoryHash().stream())
                            .distinct()
                            .toList());
            List<Claimed> judgeable = new ArrayList<>();
            for (Claimed c : candidates) {
                if (c.inventoryHash().isPresent()
                        && !stored.containsKey(c.inventoryHash().get())) {
                    inventoryMissing(c);
                    continue;
                }
                judgeable.add(c);
            }
            // An older agent sent counts, not an inventory: it is judged on its scan alone, as at ingest.
            Function<Claimed, List<InstalledPackage>> inventory =
                    c -> c.inventoryHash().map(stored::get).orElse(List.of());
            h.savepoint("reevaluate_batch");
            try {
                judgeTogether(h, judgeable, inventory);
                h.releaseSavepoint("reevaluate_batch");
            } catch (RuntimeException batchFailed) {
                h.rollbackToSavepoint("reevaluate_batch");
                judgeOneByOne(h, judgeable, inventory);
            }
            h.createUpdate("UPDATE instance_patch_states SET needs_evaluation = false WHERE instance_id = ANY(:ids)")
                    .bind(
                            "ids",
                            PatchStateRows.texts(
                                    claimed.stream().map(Claimed::instanceId).toList()))
                    .execute();
            return claimed.size();
        });
    }

    private void judgeTogether(Handle h, List<Claimed> claimed, Function<Claimed, List<InstalledPackage>> inventory) {
        Instant now = clock.instant();
        long version = BaselineCache.version(h);
        List<PatchEvaluation.Judged> judged = new ArrayList<>();
        for (Claimed c : claimed) {
            BaselineCache.Resolved baseline = baselines.resolve(h, c.group(), c.os(), version);
            PatchEvaluation.LastScan scan = PatchEvaluation.read(c.lastScan().orElseThrow());
            judged.add(PatchEvaluation.judge(new PatchEvaluation.Evaluation(
                    c.instanceId(),
                    c.os(),
                    c.group(),
                    baseline.baseline().id(),
                    baseline.spec(),
                    Optional.empty(),
                    scan,
                    c.lastScan().orElseThrow(),
                    OutcomeHash.patches(scan.patches()),
                    c.inventoryHash(),
                    inventory.apply(c),
                    c.reportedInstalled(),
                    c.start(),
                    c.end(),
                    now,
                    Optional.empty(),
                    true)));
        }
        Map<String, PatchStateRows.Stored> before =
                PatchStateRows.lock(h, claimed.stream().map(Claimed::instanceId).toList());
        evaluation.storeAll(h, judged, before, now);
    }

    private void judgeOneByOne(Handle h, List<Claimed> claimed, Function<Claimed, List<InstalledPackage>> inventory) {
        for (Claimed c : claimed) {
            h.savepoint("reevaluate");
            try {
                evaluation.evaluate(
                        h,
                        c.instanceId(),
                        c.os(),
                        PatchEvaluation.read(c.lastScan().orElseThrow()),
                        c.inventoryHash(),
                        inventory.apply(c),
                        c.reportedInstalled(),
                        c.start(),
                        c.end(),
                        clock.instant(),
                        clock.instant());
                h.releaseSavepoint("reevaluate");
            } catch (RuntimeException e) {
                h.rollbackToSavepoint("reevaluate");
                log.warn("cannot re-evaluate the patch state of {}: {}", c.instanceId(), e.getMessage());
            }
        }
    }

    /**
     * The instance's stored inventory is gone (deleted by hand, a partial restore): judging it as empty
     * would drop every installed-but-rejected package and could turn a non-compliant host compliant. So
     * the instance keeps its last verdict; its next scan report, judged against the changed baseline,
     * is answered InventoryRequired (ingest finds no inventory for its hash) and the agent resends it.
     */
    private void inventoryMissing(Claimed c) {
        inventoryMissing.incrementAndGet();
        log.warn(
                "cannot re-evaluate the patch state of {}: its stored inventory {} is missing; it keeps its last"
                        + " verdict until its agent sends the inventory again",
                c.instanceId(),
                c.inventoryHash().orElseThrow());
    }

    /** How many re-evaluations were skipped because the stored inventory was missing (a metric). */
    public long inventoryMissingCount() {
        return inventoryMissing.get();
    }

    /** Runs a pass soon rather than at the next poll. */
    void wake() {
        loop.wake();
    }

    @Override
    public void close() {
        loop.close();
    }
}
