package dev.patchtide.server.patching;

import dev.patchtide.core.patching.PatchState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code Patch} compliance type, as Systems Manager's compliance API shows it, read from the patching
 * feature's tables. This is the only way the compliance feature sees patch states, so a change in how
 * patch states are stored is adapted here and nowhere else. Two entry points:
 *
 * <ul>
 *   <li>{@link #forInstance}: the patch compliance items of one registered instance, with the execution
 *       (the last scan) they came from;
 *   <li>{@link #SUMMARIES_SQL}: one summary row per registered instance that has reported a scan, as a
 *       SQL relation, and {@link #EXECUTIONS_SQL}, each such instance's current execution id, so the
 *       compliance feature can keep these rows in its own indexed summary table and refresh only those
 *       whose execution changed.
 * </ul>
 *
 * Only the non-compliant verdicts (and not-applicable ones) are stored as rows; installed packages are
 * judged on read from the instance's inventory ({@link PatchList}). In the summaries, compliant patches
 * count as items of severity {@code UNSPECIFIED}.
 */
public final class PatchComplianceItems {
    public static final String COMPLIANCE_TYPE = "Patch";

    private static final String SEVERITY_ORDER =
            "ARRAY['CRITICAL','HIGH','MEDIUM','LOW','INFORMATIONAL','UNSPECIFIED']";

    /**
     * A SELECT (no trailing clauses) with one row per registered instance that has a patch scan, and
     * exactly these columns: {@code resource_id, compliance_type ('Patch'), status (COMPLIANT |
     * NON_COMPLIANT), overall_severity (the worst non-compliant item's, else UNSPECIFIED), execution_time,
     * execution_id (the scan's snapshot id), execution_type ('Command')}, then the item counts by status and
     * severity as integers: {@code compliant_critical, compliant_high, compliant_medium, compliant_low,
     * compliant_informational, compliant_unspecified, non_compliant_critical, …, non_compliant_unspecified}.
     * Callers wrap it ({@code SELECT … FROM (SUMMARIES_SQL) p WHERE p.resource_id IN …}); it binds no
     * parameters, and a condition on {@code resource_id} must make it read only those instances' rows.
     *
     * <p>Contract relied on for caching: an instance's row depends only on its {@code execution_id}; a
     * change to its patch state comes with a new execution id (see {@link #EXECUTIONS_SQL}).
     */
    public static final String SUMMARIES_SQL = "SELECT s.instance_id AS resource_id, 'Patch'::text AS compliance_type,"
            + " (CASE WHEN n.total > 0 THEN 'NON_COMPLIANT' ELSE 'COMPLIANT' END)::text AS status,"
            + " (" + SEVERITY_ORDER + ")[coalesce(n.worst, 6)] AS overall_severity,"
            + " s.operation_end_time AS execution_time, s.snapshot_id AS execution_id,"
            + " 'Command'::text AS execution_type,"
            + " 0 AS compliant_critical, 0 AS compliant_high, 0 AS compliant_medium, 0 AS compliant_low,"
            + " 0 AS compliant_informational,"
            + " s.installed_count + s.installed_other_count + s.not_applicable_count AS compliant_unspecified,"
            + " n.critical::int AS non_compliant_critical, n.high::int AS non_compliant_high,"
            + " n.medium::int AS non_compliant_medium, n.low::int AS non_compliant_low,"
            + " n.informational::int AS non_compliant_informational,"
            + " n.unspecified::int AS non_compliant_unspecified"
            + " FROM instance_patch_states s"
            + " JOIN managed_instances mi ON mi.instance_id = s.instance_id AND mi.deregistered_at IS NULL"
            + " CROSS JOIN LATERAL (SELECT count(*) AS total,"
            + " count(*) FILTER (WHERE p.compliance_level = 'CRITICAL') AS critical,"
            + " count(*) FILTER (WHERE p.compliance_level = 'HIGH') AS high,"
            + " count(*) FILTER (WHERE p.compliance_level = 'MEDIUM') AS medium,"
            + " count(*) FILTER (WHERE p.compliance_level = 'LOW') AS low,"
            + " count(*) FILTER (WHERE p.compliance_level = 'INFORMATIONAL') AS informational,"
            + " count(*) FILTER (WHERE p.compliance_level NOT IN"
            + " ('CRITICAL','HIGH','MEDIUM','LOW','INFORMATIONAL')) AS unspecified,"
            + " min(coalesce(array_position(" + SEVERITY_ORDER + ", p.compliance_level), 6)) AS worst"
            + " FROM instance_patches p WHERE p.instance_id = s.instance_id"
            + " AND p.state IN ('MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED')) n";

    /**
     * A SELECT with columns {@code resource_id, execution_id}: the current patch execution of every
     * registered instance that has one. Cheap (no per-patch rows read), so a cache of {@link
     * #SUMMARIES_SQL} rows can find its stale entries on every read.
     */
    public static final String EXECUTIONS_SQL = "SELECT s.instance_id AS resource_id, s.snapshot_id AS execution_id"
            + " FROM instance_patch_states s"
            + " JOIN managed_instances mi ON mi.instance_id = s.instance_id AND mi.deregistered_at IS NULL";

    private PatchComplianceItems() {}

    /** The run that produced an instance's patch compliance: its last scan. */
    public record Execution(Instant time, String id, String type) {}

    /** One patch as a compliance item: Id is the KB id, Severity the baseline's compliance level. */
    public record Item(String id, String title, String status, String severity, Map<String, String> details) {}

    public record Items(Execution execution, List<Item> items) {}

    /** The instance's patch items ordered by Id, or empty if it is not registered or never reported a scan. */
    public static Optional<Items> forInstance(Handle h, String instanceId) {
        record State(String patchGroup, String baselineId, Execution execution) {}
        Optional<State> state = h.createQuery("SELECT s.* FROM instance_patch_states s JOIN managed_instances mi"
                        + " USING (instance_id) WHERE s.instance_id = :id AND mi.deregistered_at IS NULL")
                .bind("id", instanceId)
                .map((rs, ctx) -> new State(
                        rs.getString("patch_group"),
                        rs.getString("baseline_id"),
                        new Execution(
                                rs.getTimestamp("operation_end_time").toInstant(),
                                rs.getString("snapshot_id"),
                                "Command")))
                .findOne();
        return state.map(s -> new Items(s.execution(), items(h, instanceId, s.baselineId(), s.patchGroup())));
    }

    /**
     * Every patch of the instance: the judged list (installed ones included) from {@link PatchList}, with
     * the baseline's compliance level of the non-compliant ones from their stored rows.
     */
    private static List<Item> items(Handle h, String instanceId, String baselineId, String patchGroup) {
        Map<String, String> levels = h.createQuery(
                        "SELECT kb_id, compliance_level FROM instance_patches WHERE instance_id = :id")
                .bind("id", instanceId)
                .setMapKeyColumn("kb_id")
                .setMapValueColumn("compliance_level")
                .collectInto(new org.jdbi.v3.core.generic.GenericType<Map<String, String>>() {});
        BaselineStore baselines = new BaselineStore(h.getJdbi(), dev.patchtide.server.api.ApiJson.mapper());
        return PatchList.of(h, baselines, new InventoryStore(), instanceId).stream()
                .map(p -> {
                    boolean compliant = PatchState.valueOf(p.state()).compliant();
                    Map<String, String> details = new LinkedHashMap<>();
                    details.put("Classification", p.classification());
                    details.put("DocumentName", "AWS-RunPatchBaseline");
                    details.put(
                            "InstalledTime",
                            p.installedTime() == null || p.installedTime().equals(Instant.EPOCH)
                                    ? ""
                                    : p.installedTime().toString());
                    details.put("PatchBaselineId", baselineId);
                    details.put("PatchGroup", patchGroup);
                    details.put("PatchSeverity", p.severity());
                    details.put("PatchState", patchStateName(p.state()));
                    return new Item(
                            p.kbId(),
                            p.title(),
                            compliant ? "COMPLIANT" : "NON_COMPLIANT",
                            compliant ? "UNSPECIFIED" : levels.getOrDefault(p.kbId(), "UNSPECIFIED"),
                            details);
                })
                .sorted(java.util.Comparator.comparing(Item::id))
                .toList();
    }

    /** As DescribeInstancePatches names states: Missing, Failed, Installed, InstalledOther, … */
    private static String patchStateName(String state) {
        StringBuilder name = new StringBuilder();
        for (String word : state.toLowerCase(java.util.Locale.ROOT).split("_")) {
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return name.toString();
    }
}
