package dev.patchtide.server.patching;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of the scan reports that change nothing but their times (most of a fleet's periodic scans), without
 * locks: their rows are read as they are, and one UPDATE moves the times of those whose row still holds what was
 * read, checked again by that UPDATE on the row it locks. A row changed meanwhile (a newer report, a mark for
 * re-evaluation, a new judgement) and an instance deregistered before the UPDATE are left alone; their reports go
 * the locked way ({@link ScanIngest}), which decides again. The locked way takes two row locks a report (its
 * instance's row and its state row), each a heap write and a WAL record before the UPDATE's own; here the UPDATE
 * is the only write. The instance's patch group is read with the row: a change of it marks the row for
 * re-evaluation in the same transaction ({@link ReEvaluation#markInstance}), which the UPDATE sees.
 */
final class UnchangedReports {
    private UnchangedReports() {}

    /** A live instance's stored state, as far as deciding "nothing changed" needs it, read without a lock. */
    record Row(
            String instanceId,
            String group,
            Optional<String> inventoryHash,
            Optional<String> outcomeHash,
            Optional<String> patchesHash,
            boolean needsEvaluation,
            String snapshotId,
            Instant operationEnd,
            PatchStateRows.Operation operation) {}

    /** The state rows of these instances that are registered and have one, by id. */
    static Map<String, Row> read(Handle h, List<String> instanceIds) {
        Map<String, Row> out = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT s.instance_id, i.patch_group, s.inventory_hash, s.outcome_hash, s.patches_hash,"
                        + " s.needs_evaluation, s.snapshot_id, s.operation_end_time, s.operation, s.reboot_option,"
                        + " s.operation_snapshot_id, s.install_override_list FROM instance_patch_states s"
                        + " JOIN managed_instances i ON i.instance_id = s.instance_id"
                        + " WHERE s.instance_id = ANY(:ids) AND i.deregistered_at IS NULL")
                .bind("ids", PatchStateRows.texts(instanceIds))
                .map((rs, ctx) -> new Row(
                        rs.getString(1),
                        rs.getString(2),
                        Optional.ofNullable(rs.getString(3)),
                        Optional.ofNullable(rs.getString(4)),
                        Optional.ofNullable(rs.getString(5)),
                        rs.getBoolean(6),
                        rs.getString(7),
                        rs.getTimestamp(8).toInstant(),
                        new PatchStateRows.Operation(
                                rs.getString(1),
                                rs.getString(9),
                                rs.getString(10),
                                rs.getString(11),
                                rs.getString(12),
                                null)))
                .forEach(r -> out.put(r.instanceId(), r));
        return out;
    }

    /** A report found unchanged against {@code row}: its new times, and the hashes the row must still hold. */
    record Touch(Row row, Instant start, Instant end, String outcomeHash, String patchesHash) {}

    /** What a touched row holds, for the report's answer. */
    record Kept(String instanceId, String snapshotId, String baselineId, String status, int missing) {}

    /**
     * Moves the times of each row that still holds exactly what was read (same snapshot, hashes, operation, not
     * marked for re-evaluation, no newer scan, instance still registered) and returns those rows by instance id;
     * the others are untouched.
     */
    static Map<String, Kept> touch(Handle h, List<Touch> touches) {
        Map<String, Kept> out = new HashMap<>();
        if (touches.isEmpty()) {
            return out;
        }
        List<Touch> sorted = new ArrayList<>(touches);
        sorted.sort((a, b) -> a.row().instanceId().compareTo(b.row().instanceId()));
        h.createQuery(
                        "UPDATE instance_patch_states s SET operation_start_time = t.start_time,"
                                + " operation_end_time = t.end_time FROM unnest(:ids, CAST(:starts AS timestamptz[]),"
                                + " CAST(:ends AS timestamptz[]), :snapshots, :outcomes, :patches, :inventories, :operations,"
                                + " :reboots, :operationSnapshots, :overrides) AS t(id, start_time, end_time, snapshot, outcome,"
                                + " patches, inventory, operation, reboot, operation_snapshot, override_list)"
                                + " WHERE s.instance_id = t.id AND NOT s.needs_evaluation AND s.snapshot_id = t.snapshot"
                                + " AND s.outcome_hash = t.outcome AND s.patches_hash = t.patches"
                                + " AND s.inventory_hash IS NOT DISTINCT FROM t.inventory"
                                + " AND s.operation_end_time <= t.end_time"
                                + " AND (s.operation, s.reboot_option, s.operation_snapshot_id, s.install_override_list)"
                                + " IS NOT DISTINCT FROM (t.operation, t.reboot, t.operation_snapshot, t.override_list)"
                                + " AND EXISTS (SELECT 1 FROM managed_instances i WHERE i.instance_id = t.id"
                                + " AND i.deregistered_at IS NULL)"
                                + " RETURNING s.instance_id, s.snapshot_id, s.baseline_id, s.compliance_status, s.missing_count")
                .bind("ids", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .instanceId())))
                .bind("starts", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.start()
                        .toString())))
                .bind("ends", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.end()
                        .toString())))
                .bind("snapshots", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .snapshotId())))
                .bind("outcomes", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::outcomeHash)))
                .bind("patches", PatchStateRows.texts(PatchStateRows.column(sorted, Touch::patchesHash)))
                .bind("inventories", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .inventoryHash()
                        .orElse(null))))
                .bind("operations", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .operation()
                        .operation())))
                .bind("reboots", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .operation()
                        .rebootOption())))
                .bind("operationSnapshots", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .operation()
                        .snapshotId())))
                .bind("overrides", PatchStateRows.texts(PatchStateRows.column(sorted, t -> t.row()
                        .operation()
                        .installOverrideList())))
                .map((rs, ctx) ->
                        new Kept(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)))
                .forEach(k -> out.put(k.instanceId(), k));
        return out;
    }
}
