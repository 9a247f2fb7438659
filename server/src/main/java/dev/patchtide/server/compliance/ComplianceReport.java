package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * One instance's patch compliance in the shape Patch Manager users export (seed 004): status, overall
 * severity, compliant (installed, installed-other, not-applicable) and non-compliant (missing, failed,
 * pending reboot, rejected) summaries by severity, and each non-compliant patch with its details and state.
 */
final class ComplianceReport {
    private static final List<String> LEVELS =
            List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED");

    record Request(String resourceId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceId", resourceId)
                    .pattern("resourceId", resourceId, ComplianceMessages.MANAGED_INSTANCE_ID);
        }
    }

    record SeveritySummary(
            int criticalCount,
            int highCount,
            int mediumCount,
            int lowCount,
            int informationalCount,
            int unspecifiedCount) {
        static SeveritySummary of(Map<String, Integer> byLevel) {
            return new SeveritySummary(
                    byLevel.getOrDefault("CRITICAL", 0),
                    byLevel.getOrDefault("HIGH", 0),
                    byLevel.getOrDefault("MEDIUM", 0),
                    byLevel.getOrDefault("LOW", 0),
                    byLevel.getOrDefault("INFORMATIONAL", 0),
                    byLevel.getOrDefault("UNSPECIFIED", 0));
        }
    }

    /** As AWS's compliance ExecutionSummary: the scan that produced the report, and when it ended. */
    record ExecutionSummary(Instant executionTime, String executionId, String executionType) {}

    record CompliantSummary(int compliantCount, SeveritySummary severitySummary) {}

    record NonCompliantSummary(int nonCompliantCount, SeveritySummary severitySummary) {}

    record Details(
            String classification,
            String patchBaselineId,
            String patchGroup,
            String patchSeverity,
            String patchState) {}

    record MissingPatch(String id, String title, String severity, Details details) {}

    record Report(
            String complianceType,
            String resourceType,
            String resourceId,
            String status,
            String overallSeverity,
            ExecutionSummary executionSummary,
            CompliantSummary compliantSummary,
            NonCompliantSummary nonCompliantSummary,
            List<MissingPatch> missingPatches,
            String account,
            String name) {}

    /** The row the report is built from. */
    private record State(
            String patchGroup,
            String baselineId,
            String snapshotId,
            Instant scanEnded,
            int compliant,
            String status,
            String name) {}

    private record Missing(
            String kbId, String title, String level, String classification, String severity, String state) {}

    /** Patch states as Patch Manager's exports write them (Missing, InstalledPendingReboot, …). */
    private static String exportName(String state) {
        StringBuilder out = new StringBuilder();
        for (String word : state.split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }

    /** The instance's Name, else its host name, else its id: a report always names its instance. */
    private static String displayName(String name, String computerName, String instanceId) {
        if (!name.isEmpty()) {
            return name;
        }
        return computerName == null || computerName.isEmpty() ? instanceId : computerName;
    }

    static Report build(Jdbi jdbi, String accountId, String instanceId) {
        return jdbi.inTransaction(h -> {
            State state = h.createQuery("SELECT s.*, i.name, i.computer_name FROM instance_patch_states s JOIN"
                            + " managed_instances i USING (instance_id) WHERE s.instance_id = :id"
                            + " AND i.deregistered_at IS NULL")
                    .bind("id", instanceId)
                    .map((rs, ctx) -> new State(
                            rs.getString("patch_group"),
                            rs.getString("baseline_id"),
                            rs.getString("snapshot_id"),
                            rs.getTimestamp("operation_end_time").toInstant(),
                            rs.getInt("installed_count")
                                    + rs.getInt("installed_other_count")
                                    + rs.getInt("not_applicable_count"),
                            rs.getString("compliance_status"),
                            displayName(rs.getString("name"), rs.getString("computer_name"), instanceId)))
                    .findOne()
                    .orElseThrow(() -> new ApiException.Invalid(
                            "InvalidResourceId",
                            "Instance " + instanceId + " is not registered or has not reported a patch scan yet."));
            List<Missing> missing = h.createQuery("SELECT * FROM instance_patches WHERE instance_id = :id"
                            + " AND state IN ('MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED')"
                            + " ORDER BY kb_id")
                    .bind("id", instanceId)
                    .map((rs, ctx) -> new Missing(
                            rs.getString("kb_id"),
                            rs.getString("title"),
                            rs.getString("compliance_level"),
                            rs.getString("classification"),
                            rs.getString("severity"),
                            rs.getString("state")))
                    .list();
            Map<String, Integer> byLevel = new java.util.HashMap<>();
            missing.forEach(m -> byLevel.merge(m.level(), 1, Integer::sum));
            String overall =
                    LEVELS.stream().filter(byLevel::containsKey).findFirst().orElse("UNSPECIFIED");
            List<MissingPatch> patches = missing.stream()
                    .map(m -> new MissingPatch(
                            m.kbId(),
                            m.title(),
                            m.level(),
                            new Details(
                                    m.classification(),
                                    state.baselineId(),
                                    state.patchGroup(),
                                    m.severity(),
                                    exportName(m.state()))))
                    .toList();
            return new Report(
                    "Patch",
                    "ManagedInstance",
                    instanceId,
                    state.status(),
                    overall,
                    new ExecutionSummary(state.scanEnded(), state.snapshotId(), "Command"),
                    new CompliantSummary(
                            state.compliant(), SeveritySummary.of(Map.of("UNSPECIFIED", state.compliant()))),
                    new NonCompliantSummary(missing.size(), SeveritySummary.of(byLevel)),
                    patches,
                    accountId,
                    state.name());
        });
    }
}
