package dev.patchtide.server.patching;

import dev.patchtide.core.patching.PatchStateVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of stored patch states, for many instances at once: each statement takes arrays (one element per
 * instance or per patch row) and {@code unnest}s them, so a batch of reports costs a handful of statements
 * instead of a handful per report (see bench/README.md for what that saved).
 */
final class PatchStateRows {
    private PatchStateRows() {}

    /** A stored state row, as read (and locked) before a new evaluation replaces it. */
    record Stored(
            String instanceId,
            Optional<String> inventoryHash,
            Optional<String> outcomeHash,
            boolean needsEvaluation,
            String snapshotId,
            boolean rebootPending,
            PatchEvaluation.Counts counts) {}

    /** Locks the state rows of these instances, in id order (as every writer does), and returns them by id. */
    static Map<String, Stored> lock(Handle h, Collection<String> instanceIds) {
        Map<String, Stored> out = new LinkedHashMap<>();
        h.createQuery("SELECT * FROM instance_patch_states WHERE instance_id = ANY(:ids) ORDER BY instance_id"
                        + " FOR UPDATE")
                .bindArray("ids", String.class, new ArrayList<>(instanceIds))
                .map((rs, ctx) -> new Stored(
                        rs.getString("instance_id"),
                        Optional.ofNullable(rs.getString("inventory_hash")),
                        Optional.ofNullable(rs.getString("outcome_hash")),
                        rs.getBoolean("needs_evaluation"),
                        rs.getString("snapshot_id"),
                        rs.getBoolean("reboot_required") || rs.getInt("installed_pending_reboot_count") > 0,
                        new PatchEvaluation.Counts(
                                rs.getString("compliance_status"),
                                rs.getString("baseline_id"),
                                rs.getString("patch_group"),
                                rs.getInt("installed_count"),
                                rs.getInt("installed_other_count"),
                                rs.getInt("installed_pending_reboot_count"),
                                rs.getInt("installed_rejected_count"),
                                rs.getInt("missing_count"),
                                rs.getInt("failed_count"),
                                rs.getInt("not_applicable_count"),
                                rs.getInt("critical_non_compliant_count"),
                                rs.getInt("security_non_compliant_count"),
                                rs.getInt("other_non_compliant_count"))))
                .forEach(s -> out.put(s.instanceId(), s));
        return out;
    }

    /** A scan that changed nothing: only its times move. */
    record Times(String instanceId, Instant start, Instant end) {}

    static void touch(Handle h, List<Times> times) {
        if (times.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE instance_patch_states s SET operation_start_time = t.start_time,"
                        + " operation_end_time = t.end_time FROM unnest(:ids, CAST(:starts AS timestamptz[]),"
                        + " CAST(:ends AS timestamptz[])) AS t(id, start_time, end_time) WHERE s.instance_id = t.id")
                .bindArray("ids", String.class, column(times, Times::instanceId))
                .bindArray("starts", String.class, column(times, t -> t.start().toString()))
                .bindArray("ends", String.class, column(times, t -> t.end().toString()))
                .execute();
    }

    /** Replaces the state rows and patch rows of these instances (whose state rows the caller locked). */
    static void write(Handle h, List<PatchEvaluation.Judged> judged) {
        upsertStates(h, judged);
        replacePatches(h, judged);
    }

    private static void upsertStates(Handle h, List<PatchEvaluation.Judged> judged) {
        h.createUpdate("INSERT INTO instance_patch_states (instance_id, operating_system, patch_group, baseline_id,"
                        + " snapshot_id, operation, operation_start_time, operation_end_time, installed_other_count,"
                        + " missing_count, critical_non_compliant_count, security_non_compliant_count,"
                        + " other_non_compliant_count, available_security_update_count, reboot_required,"
                        + " compliance_status, installed_count, installed_pending_reboot_count,"
                        + " installed_rejected_count, failed_count, not_applicable_count,"
                        + " unreported_not_applicable_count, inventory_hash, reported_installed_count, last_scan,"
                        + " evaluated_at, needs_evaluation, outcome_hash)"
                        + " SELECT u.id, u.os, u.grp, u.baseline, u.snapshot, 'Scan', u.start_time, u.end_time,"
                        + " u.installed_other, u.missing, u.critical, u.security, u.other, u.available_security,"
                        + " u.reboot, u.status, u.installed, u.pending_reboot, u.rejected, u.failed, u.not_applicable,"
                        + " u.unreported, u.inventory_hash, u.reported, u.scan::jsonb, u.evaluated_at, false,"
                        + " u.outcome_hash FROM unnest(:ids, :oses, :groups, :baselines, :snapshots,"
                        + " CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]), :installedOther, :missing,"
                        + " :critical, :security, :other, :availableSecurity, :reboot, :statuses, :installed,"
                        + " :pendingReboot, :rejected, :failed, :notApplicable, :unreported, :inventoryHashes,"
                        + " :reported, :scans, CAST(:evaluatedAt AS timestamptz[]), :outcomeHashes)"
                        + " AS u(id, os, grp, baseline, snapshot, start_time, end_time, installed_other, missing,"
                        + " critical, security, other, available_security, reboot, status, installed, pending_reboot,"
                        + " rejected, failed, not_applicable, unreported, inventory_hash, reported, scan,"
                        + " evaluated_at, outcome_hash)"
                        + " ON CONFLICT (instance_id) DO UPDATE SET operating_system = EXCLUDED.operating_system,"
                        + " patch_group = EXCLUDED.patch_group, baseline_id = EXCLUDED.baseline_id,"
                        + " snapshot_id = EXCLUDED.snapshot_id, operation = EXCLUDED.operation,"
                        + " operation_start_time = EXCLUDED.operation_start_time,"
                        + " operation_end_time = EXCLUDED.operation_end_time,"
                        + " installed_other_count = EXCLUDED.installed_other_count,"
                        + " missing_count = EXCLUDED.missing_count,"
                        + " critical_non_compliant_count = EXCLUDED.critical_non_compliant_count,"
                        + " security_non_compliant_count = EXCLUDED.security_non_compliant_count,"
                        + " other_non_compliant_count = EXCLUDED.other_non_compliant_count,"
                        + " available_security_update_count = EXCLUDED.available_security_update_count,"
                        + " reboot_required = EXCLUDED.reboot_required,"
                        + " compliance_status = EXCLUDED.compliance_status,"
                        + " installed_count = EXCLUDED.installed_count,"
                        + " installed_pending_reboot_count = EXCLUDED.installed_pending_reboot_count,"
                        + " installed_rejected_count = EXCLUDED.installed_rejected_count,"
                        + " failed_count = EXCLUDED.failed_count, not_applicable_count = EXCLUDED.not_applicable_count,"
                        + " unreported_not_applicable_count = EXCLUDED.unreported_not_applicable_count,"
                        + " inventory_hash = EXCLUDED.inventory_hash,"
                        + " reported_installed_count = EXCLUDED.reported_installed_count,"
                        + " last_scan = EXCLUDED.last_scan, evaluated_at = EXCLUDED.evaluated_at,"
                        + " needs_evaluation = false, outcome_hash = EXCLUDED.outcome_hash")
                .bindArray("ids", String.class, column(judged, j -> j.input().instanceId()))
                .bindArray("oses", String.class, column(judged, j -> j.input().os()))
                .bindArray("groups", String.class, column(judged, j -> j.input().group()))
                .bindArray(
                        "baselines", String.class, column(judged, j -> j.input().baselineId()))
                .bindArray("snapshots", String.class, column(judged, PatchEvaluation.Judged::snapshotId))
                .bindArray("starts", String.class, column(judged, j -> j.input()
                        .operationStart()
                        .toString()))
                .bindArray("ends", String.class, column(judged, j -> j.input()
                        .operationEnd()
                        .toString()))
                .bindArray("installedOther", Integer.class, ints(judged, j -> j.counts()
                        .installedOther()))
                .bindArray(
                        "missing", Integer.class, ints(judged, j -> j.counts().missing()))
                .bindArray(
                        "critical", Integer.class, ints(judged, j -> j.counts().critical()))
                .bindArray(
                        "security", Integer.class, ints(judged, j -> j.counts().security()))
                .bindArray("other", Integer.class, ints(judged, j -> j.counts().other()))
                .bindArray("availableSecurity", Integer.class, ints(judged, j -> j.availableSecurityUpdates()))
                .bindArray(
                        "reboot",
                        Boolean.class,
                        judged.stream()
                                .map(j -> j.input().scan().rebootRequired())
                                .toList())
                .bindArray(
                        "statuses", String.class, column(judged, j -> j.counts().status()))
                .bindArray(
                        "installed", Integer.class, ints(judged, j -> j.counts().installed()))
                .bindArray("pendingReboot", Integer.class, ints(judged, j -> j.counts()
                        .pendingReboot()))
                .bindArray(
                        "rejected", Integer.class, ints(judged, j -> j.counts().rejected()))
                .bindArray("failed", Integer.class, ints(judged, j -> j.counts().failed()))
                .bindArray("notApplicable", Integer.class, ints(judged, j -> j.counts()
                        .notApplicable()))
                .bindArray("unreported", Integer.class, ints(judged, j -> j.judgement()
                        .unreportedNotApplicable()))
                .bindArray("inventoryHashes", String.class, column(judged, j -> j.input()
                        .inventoryHash()
                        .orElse(null)))
                .bindArray(
                        "reported", Integer.class, ints(judged, j -> j.input().reportedInstalledCount()))
                .bindArray("scans", String.class, column(judged, j -> j.input().scanJson()))
                .bindArray("evaluatedAt", String.class, column(judged, j -> j.input()
                        .evaluatedAt()
                        .toString()))
                .bindArray("outcomeHashes", String.class, column(judged, j -> j.input()
                        .outcomeHash()
                        .orElse(null)))
                .execute();
    }

    private static void replacePatches(Handle h, List<PatchEvaluation.Judged> judged) {
        h.createUpdate("DELETE FROM instance_patches WHERE instance_id = ANY(:ids)")
                .bindArray("ids", String.class, column(judged, j -> j.input().instanceId()))
                .execute();
        List<String> ids = new ArrayList<>();
        List<PatchStateVerdict> rows = new ArrayList<>();
        for (PatchEvaluation.Judged j : judged) {
            for (PatchStateVerdict v : j.rows()) {
                ids.add(j.input().instanceId());
                rows.add(v);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        h.createUpdate("INSERT INTO instance_patches (instance_id, title, kb_id, classification, severity, state,"
                        + " compliance_level, cve_ids, security, installed_time) SELECT * FROM unnest(:ids,"
                        + " :titles, :kbs, :classifications, :severities, :states, :levels, :cves, :securities,"
                        + " CAST(:installedTimes AS timestamptz[]))"
                        + " ON CONFLICT (instance_id, kb_id) DO NOTHING")
                .bindArray("ids", String.class, ids)
                .bindArray("titles", String.class, column(rows, PatchStateVerdict::title))
                .bindArray("kbs", String.class, column(rows, PatchStateVerdict::kbId))
                .bindArray("classifications", String.class, column(rows, PatchStateVerdict::classification))
                .bindArray("severities", String.class, column(rows, PatchStateVerdict::severity))
                .bindArray("states", String.class, column(rows, v -> v.state().name()))
                .bindArray("levels", String.class, column(rows, PatchStateVerdict::complianceLevel))
                .bindArray("cves", String.class, column(rows, v -> String.join(",", v.cves())))
                .bindArray(
                        "securities",
                        Boolean.class,
                        rows.stream().map(PatchStateVerdict::security).toList())
                .bindArray("installedTimes", String.class, column(rows, v -> v.installedTime()
                        .map(Instant::toString)
                        .orElse(null)))
                .execute();
    }

    static <T> List<Integer> ints(List<T> rows, ToIntFunction<T> value) {
        List<Integer> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(value.applyAsInt(r)));
        return out;
    }

    /** A column of strings for an array parameter (nulls allowed, which {@code Stream.toList} also keeps). */
    static <T> List<String> column(List<T> rows, Function<T, String> value) {
        List<String> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(value.apply(r)));
        return out;
    }
}
