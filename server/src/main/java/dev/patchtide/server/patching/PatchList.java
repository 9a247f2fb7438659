package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.server.patching.ScanMessages.PatchComplianceData;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * An instance's full per-patch list for DescribeInstancePatches, computed on read from its inventory, its
 * last scan and the baseline that judged it (the judgement stored counts came from), ordered by KB id.
 * Only the few non-installed verdicts are stored; 1,500 installed packages per host are not.
 */
final class PatchList {
    private PatchList() {}

    static List<PatchComplianceData> of(Handle h, BaselineStore store, InventoryStore inventories, String instanceId) {
        record Row(
                String os,
                String group,
                String baselineId,
                Optional<String> hash,
                Optional<String> lastScan,
                Optional<Instant> evaluatedAt) {}
        Optional<Row> row = h.createQuery("SELECT * FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", instanceId)
                .map((rs, ctx) -> new Row(
                        rs.getString("operating_system"),
                        rs.getString("patch_group"),
                        rs.getString("baseline_id"),
                        Optional.ofNullable(rs.getString("inventory_hash")),
                        Optional.ofNullable(rs.getString("last_scan")),
                        Optional.ofNullable(rs.getTimestamp("evaluated_at")).map(java.sql.Timestamp::toInstant)))
                .findOne();
        if (row.isEmpty()) {
            return List.of();
        }
        Row r = row.get();
        if (r.lastScan().isEmpty() || r.evaluatedAt().isEmpty()) {
            return storedRows(h, instanceId); // judged before scans were kept
        }
        // A baseline deleted since (the instance is then marked for re-evaluation) gives way to today's.
        BaselineStore.Stored baseline = store.find(h, r.baselineId(), false)
                .orElseGet(() ->
                        new PatchEvaluation(store, ComplianceStateListener.NONE).baselineFor(h, r.group(), r.os()));
        Optional<List<InstalledPackage>> stored =
                r.hash().isPresent() ? inventories.read(h, r.hash().get()) : Optional.of(List.of());
        if (stored.isEmpty()) {
            // The inventory is gone: judging an empty one would contradict the stored verdict (installed
            // but rejected packages would vanish). Show the verdicts of that last judgement instead.
            return storedRows(h, instanceId);
        }
        List<InstalledPackage> inventory = stored.get();
        return PatchEvaluation.judge(
                        baseline,
                        PatchEvaluation.read(r.lastScan().get()),
                        inventory,
                        r.evaluatedAt().get().atOffset(ZoneOffset.UTC).toLocalDate())
                .verdicts()
                .stream()
                .map(PatchList::toData)
                .toList();
    }

    private static PatchComplianceData toData(PatchStateVerdict v) {
        return new PatchComplianceData(
                v.title(),
                v.kbId(),
                v.classification(),
                v.severity(),
                v.state().name(),
                v.installedTime().orElse(Instant.EPOCH),
                String.join(",", v.cves()));
    }

    private static List<PatchComplianceData> storedRows(Handle h, String instanceId) {
        return h.createQuery("SELECT * FROM instance_patches WHERE instance_id = :id ORDER BY kb_id")
                .bind("id", instanceId)
                .map((rs, ctx) -> new PatchComplianceData(
                        rs.getString("title"),
                        rs.getString("kb_id"),
                        rs.getString("classification"),
                        rs.getString("severity"),
                        rs.getString("state"),
                        Instant.EPOCH,
                        rs.getString("cve_ids")))
                .list();
    }
}
