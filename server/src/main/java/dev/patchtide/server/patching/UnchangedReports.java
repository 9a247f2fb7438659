package dev.patchtide.server.patching;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of the scan reports that change nothing but their times (most of a fleet's periodic scans): one UPDATE
 * a batch, without a read before it and without locks before its own. The JVM computes each report's outcome
 * hash from the report, the patch group last seen for its instance ({@link PatchGroups}) and the baseline
 * configuration version last seen; the UPDATE moves the times only of rows that hold what the locked way
 * ({@link ScanIngest}) would compare: the same inventory, patch list and outcome hashes, the same operation, not
 * marked for re-evaluation, no newer scan, the instance registered and still in that group, the configuration
 * still at that version. The other reports (row changed meanwhile, a stale guess, a first report) are left alone
 * and go the locked way, which decides again. The locked way takes two row locks a report (its instance's row
 * and its state row), each a heap write and a WAL record before the UPDATE's own; here the UPDATE is the only
 * write.
 */
final class UnchangedReports {
    private UnchangedReports() {}

    /**
     * A report that says "as before": the group its outcome hash was computed with (the configuration version is
     * {@link #touch}'s, one for the batch) and what the row must hold for that hash and the stored judgement to stand.
     */
    record Touch(
            String instanceId,
            Optional<String> group,
            Instant start,
            Instant end,
            String outcomeHash,
            String patchesHash,
            String inventoryHash,
            PatchStateRows.Operation operation) {}

    /** What a touched row holds, for the report's answer. */
    record Kept(String instanceId, String snapshotId, String baselineId, String status, int missing) {}

    /**
     * Moves the times of each row that holds what its report says (see the class comment) and returns those rows
     * by instance id; the others are untouched. {@code version}: the configuration version the hashes were
     * computed at.
     */
    static Map<String, Kept> touch(Handle h, List<Touch> touches, long version) {
        Map<String, Kept> out = new HashMap<>();
        if (touches.isEmpty()) {
            return out;
        }
        List<Touch> sorted = new ArrayList<>(touches);
        sorted.sort((a, b) -> a.instanceId().compareTo(b.instanceId()));
        h.createQuery(
                        "UPDATE instance_patch_states s SET operation_start_time = t.start_time,"
                                + " operation_end_time = t.end_time FROM unnest(:ids, CAST(:starts AS timestamptz[]),"
                                + " CAST(:ends AS timestamptz[]), :groups, :outcomes, :patches, :inventories, :operations,"
                                + " :reboots, :operationSnapshots, :overrides) AS t(id, start_time, end_time, patch_group,"
                                + " outcome, patches, inventory, operation, reboot, operation_snapshot, override_list)"
                                + " WHERE s.instance_id = t.id AND NOT s.needs_evaluation"
                                + " AND s.outcome_hash = t.outcome AND s.patches_hash = t.patches"
                                + " AND s.inventory_hash IS NOT DISTINCT FROM t.inventory"
                                + " AND s.operation_end_time <= t.end_time"
                                + " AND (s.operation, s.reboot_option, s.operation_snapshot_id, s.install_override_list)"
                                + " IS NOT DISTINCT FROM (t.operation, t.reboot, t.operation_snapshot, t.override_list)"
                                + " AND EXISTS (SELECT 1 FROM managed_instances i WHERE i.instance_id = t.id"
                                + " AND i.deregistered_at IS NULL AND i.patch_group IS NOT DISTINCT FROM t.patch_group)"
                                + " AND (SELECT c.version FROM baseline_config_version c WHERE c.id = 1) = :version"
                                + " RETURNING s.instance_id, s.snapshot_id, s.baseline_id, s.compliance_status, s.missing_count")
                .bind("ids", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::instanceId)))
                .bind("starts", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.start()
                        .toString())))
                .bind("ends", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.end()
                        .toString())))
                .bind("groups", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.group()
                        .orElse(null))))
                .bind("outcomes", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::outcomeHash)))
                .bind("patches", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::patchesHash)))
                .bind("inventories", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::inventoryHash)))
                .bind("operations", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.operation()
                        .operation())))
                .bind("reboots", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.operation()
                        .rebootOption())))
                .bind("operationSnapshots", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.operation()
                        .snapshotId())))
                .bind("overrides", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.operation()
                        .installOverrideList())))
                .bind("version", version)
                .map((rs, ctx) ->
                        new Kept(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)))
                .forEach(k -> out.put(k.instanceId(), k));
        return out;
    }
}
