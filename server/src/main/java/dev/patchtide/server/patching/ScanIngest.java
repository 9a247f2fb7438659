package dev.patchtide.server.patching;

import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineEvaluator;
import dev.patchtide.core.patching.PatchVerdict;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Takes an agent's scan, finds the baseline for the instance (its patch group's for this OS, else the
 * OS default), judges every available update, and replaces the instance's patch state in one
 * transaction: a report is stored whole or not at all.
 */
final class ScanIngest {
    private final BaselineStore baselines;

    ScanIngest(BaselineStore baselines) {
        this.baselines = baselines;
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
            String group = patchGroup(h, q.instanceId());
            String baselineId = baselines
                    .baselineForGroup(h, group, q.operatingSystem())
                    .or(() -> baselines.defaultFor(h, q.operatingSystem()))
                    .orElseThrow(() -> new ApiException(
                            "DoesNotExistException", "No patch baseline applies to " + q.operatingSystem()));
            BaselineStore.Stored baseline = baselines.find(h, baselineId, false).orElseThrow();
            LocalDate today = q.operationEndTime().atOffset(ZoneOffset.UTC).toLocalDate();
            List<AvailablePatch> available =
                    q.patches().stream().map(ScanIngest::toCore).toList();
            List<PatchVerdict> missing =
                    BaselineEvaluator.missing(BaselineSpecs.of(baselineId, baseline.definition()), available, today);
            String snapshotId = UUID.randomUUID().toString();
            storeState(h, q, group, baselineId, snapshotId, available, missing);
            return new PutPatchScanReportResult(
                    snapshotId, baselineId, missing.isEmpty() ? "COMPLIANT" : "NON_COMPLIANT", missing.size());
        });
    }

    private static void storeState(
            Handle h,
            PutPatchScanReportRequest q,
            String group,
            String baselineId,
            String snapshotId,
            List<AvailablePatch> available,
            List<PatchVerdict> missing) {
        int critical = (int) missing.stream()
                .filter(v -> v.complianceLevel().equals("CRITICAL"))
                .count();
        int security = (int) missing.stream().filter(v -> v.patch().security()).count();
        h.createUpdate("DELETE FROM instance_patches WHERE instance_id = :id")
                .bind("id", q.instanceId())
                .execute();
        PreparedBatch batch = h.prepareBatch("INSERT INTO instance_patches (instance_id, title, kb_id, classification,"
                + " severity, state, compliance_level, cve_ids) VALUES (:id, :title, :kb, :classification, :severity,"
                + " 'MISSING', :level, :cves)");
        for (PatchVerdict v : missing) {
            AvailablePatch p = v.patch();
            batch.bind("id", q.instanceId())
                    .bind("title", p.name())
                    .bind("kb", p.name() + "." + p.arch() + ":" + p.availableVersion())
                    .bind("classification", p.classification().isEmpty() ? p.section() : p.classification())
                    .bind("severity", p.severity().isEmpty() ? p.priority() : p.severity())
                    .bind("level", v.complianceLevel())
                    .bind("cves", String.join(",", p.cves()))
                    .add();
        }
        if (!missing.isEmpty()) {
            batch.execute();
        }
        h.createUpdate("INSERT INTO instance_patch_states (instance_id, operating_system, patch_group, baseline_id,"
                        + " snapshot_id, operation, operation_start_time, operation_end_time, installed_other_count,"
                        + " missing_count, critical_non_compliant_count, security_non_compliant_count,"
                        + " other_non_compliant_count, available_security_update_count, reboot_required)"
                        + " VALUES (:id, :os, :group, :baseline, :snapshot, 'Scan', :start, :end, :installed, :missing,"
                        + " :critical, :security, :other, :availableSecurity, :reboot)"
                        + " ON CONFLICT (instance_id) DO UPDATE SET operating_system = EXCLUDED.operating_system,"
                        + " patch_group = EXCLUDED.patch_group, baseline_id = EXCLUDED.baseline_id,"
                        + " snapshot_id = EXCLUDED.snapshot_id, operation_start_time = EXCLUDED.operation_start_time,"
                        + " operation_end_time = EXCLUDED.operation_end_time,"
                        + " installed_other_count = EXCLUDED.installed_other_count,"
                        + " missing_count = EXCLUDED.missing_count,"
                        + " critical_non_compliant_count = EXCLUDED.critical_non_compliant_count,"
                        + " security_non_compliant_count = EXCLUDED.security_non_compliant_count,"
                        + " other_non_compliant_count = EXCLUDED.other_non_compliant_count,"
                        + " available_security_update_count = EXCLUDED.available_security_update_count,"
                        + " reboot_required = EXCLUDED.reboot_required")
                .bind("id", q.instanceId())
                .bind("os", q.operatingSystem())
                .bind("group", group)
                .bind("baseline", baselineId)
                .bind("snapshot", snapshotId)
                .bind("start", q.operationStartTime())
                .bind("end", q.operationEndTime())
                .bind("installed", q.installedCount())
                .bind("missing", missing.size())
                .bind("critical", critical)
                .bind("security", security)
                .bind("other", missing.size() - security)
                .bind("availableSecurity", (int)
                        available.stream().filter(AvailablePatch::security).count())
                .bind("reboot", Boolean.TRUE.equals(q.rebootRequired()))
                .execute();
    }

    /** The instance's patch group: its "Patch Group" tag, or "PatchGroup" as SSM also accepts. */
    private static String patchGroup(Handle h, String instanceId) {
        return h.createQuery("SELECT tag_value FROM resource_tags WHERE resource_type = 'ManagedInstance'"
                        + " AND resource_id = :id AND tag_key IN ('Patch Group', 'PatchGroup')"
                        + " ORDER BY tag_key = 'Patch Group' DESC LIMIT 1")
                .bind("id", instanceId)
                .mapTo(String.class)
                .findOne()
                .orElse("");
    }

    private static AvailablePatch toCore(ReportedPatch p) {
        return new AvailablePatch(
                p.name(),
                p.arch(),
                p.installedVersion(),
                p.availableVersion(),
                orEmpty(p.product()),
                orEmpty(p.classification()),
                orEmpty(p.severity()),
                orEmpty(p.priority()),
                orEmpty(p.section()),
                Boolean.TRUE.equals(p.security()),
                Optional.ofNullable(p.releaseDate()).map(LocalDate::parse),
                p.cveIds() == null ? List.of() : p.cveIds());
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
