package dev.patchtide.server.patching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.PatchState;
import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.core.patching.PatchStates;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Judges one instance's last scan with the baseline that applies to it now (its patch group's for its OS,
 * else the OS default) and stores the outcome: counts in instance_patch_states, the few verdicts that are
 * neither INSTALLED nor INSTALLED_OTHER in instance_patches, a history row when the outcome changed, and a
 * call to the listener when the status changed. Used by scan ingest and by re-evaluation alike.
 */
final class PatchEvaluation {
    private static final ObjectMapper JSON = ApiJson.mapper();

    /** The last scan minus the inventory: what re-evaluation needs besides the baseline. */
    record LastScan(
            String product,
            List<ReportedPatch> patches,
            boolean rebootRequired,
            List<String> rebootRequiredPackages,
            List<String> failedPackages) {}

    /** The instance as judged: its patch group, the baseline, and the judgement. */
    record Outcome(String patchGroup, String baselineId, String status, PatchStates.Judgement judgement) {}

    /** Counts as stored, compared to decide whether a history row is due. */
    record Counts(
            String status,
            String baselineId,
            String patchGroup,
            int installed,
            int installedOther,
            int pendingReboot,
            int rejected,
            int missing,
            int failed,
            int notApplicable,
            int critical,
            int security,
            int other) {}

    private final BaselineStore baselines;
    private final ComplianceStateListener listener;
    private final RebootStateListener rebootListener;

    PatchEvaluation(BaselineStore baselines, ComplianceStateListener listener) {
        this(baselines, listener, RebootStateListener.NONE);
    }

    PatchEvaluation(BaselineStore baselines, ComplianceStateListener listener, RebootStateListener rebootListener) {
        this.baselines = baselines;
        this.listener = listener;
        this.rebootListener = rebootListener;
    }

    /**
     * The baseline that applies to the instance now. Read without locking: a baseline change that commits
     * after this read marks the instance (whose state row the caller holds) for re-evaluation, so the
     * stale judgement is corrected; locking the baseline here would deadlock against that marking.
     */
    BaselineStore.Stored baselineFor(Handle h, String group, String os) {
        String id = baselines
                .baselineForGroup(h, group, os)
                .or(() -> baselines.defaultFor(h, os))
                .orElseThrow(() -> new ApiException("DoesNotExistException", "No patch baseline applies to " + os));
        return baselines.find(h, id, false).orElseThrow();
    }

    static PatchStates.Judgement judge(
            BaselineStore.Stored baseline, LastScan scan, List<InstalledPackage> inventory, LocalDate today) {
        return judge(BaselineSpecs.of(baseline.id(), baseline.definition()), scan, inventory, today);
    }

    static PatchStates.Judgement judge(
            BaselineSpec spec, LastScan scan, List<InstalledPackage> inventory, LocalDate today) {
        PatchStates.Scan coreScan = new PatchStates.Scan(
                scan.product(),
                scan.patches().stream().map(PatchEvaluation::toCore).toList(),
                inventory,
                scan.rebootRequired(),
                scan.rebootRequiredPackages(),
                scan.failedPackages());
        return PatchStates.judge(spec, coreScan, today);
    }

    /**
     * Judges and stores. {@code evaluatedAt}'s date is the day approval delays are counted to; {@code now}
     * (the server's clock) dates the history row and the listener's change; {@code inventoryHash} empty
     * means an older agent that sent only {@code reportedInstalledCount}.
     */
    Outcome evaluate(
            Handle h,
            String instanceId,
            String os,
            LastScan scan,
            Optional<String> inventoryHash,
            List<InstalledPackage> inventory,
            int reportedInstalledCount,
            Instant operationStart,
            Instant operationEnd,
            Instant evaluatedAt,
            Instant now) {
        String group = patchGroup(h, instanceId);
        BaselineStore.Stored baseline = baselineFor(h, group, os);
        return store(
                h,
                instanceId,
                os,
                group,
                baseline.id(),
                BaselineSpecs.of(baseline.id(), baseline.definition()),
                Optional.empty(),
                scan,
                inventoryHash,
                inventory,
                reportedInstalledCount,
                operationStart,
                operationEnd,
                evaluatedAt,
                now);
    }

    /**
     * Judges with an already resolved baseline and stores. {@code outcomeHash} is the hash of what the
     * judgement was made from (see {@link ScanIngest}), kept so an identical next report can skip all this;
     * empty when the caller does not compute it (re-evaluation), which makes the next report judge afresh.
     */
    Outcome store(
            Handle h,
            String instanceId,
            String os,
            String group,
            String baselineId,
            BaselineSpec spec,
            Optional<String> outcomeHash,
            LastScan scan,
            Optional<String> inventoryHash,
            List<InstalledPackage> inventory,
            int reportedInstalledCount,
            Instant operationStart,
            Instant operationEnd,
            Instant evaluatedAt,
            Instant now) {
        PatchStates.Judgement judgement = judge(
                spec, scan, inventory, evaluatedAt.atOffset(ZoneOffset.UTC).toLocalDate());
        Map<PatchState, Integer> n = judgement.counts();
        int installedOther = inventoryHash.isPresent() ? n.get(PatchState.INSTALLED_OTHER) : reportedInstalledCount;
        List<PatchStateVerdict> nonCompliant = judgement.verdicts().stream()
                .filter(v -> !v.state().compliant())
                .toList();
        int critical = (int) nonCompliant.stream()
                .filter(v -> v.complianceLevel().equals("CRITICAL"))
                .count();
        int security =
                (int) nonCompliant.stream().filter(PatchStateVerdict::security).count();
        int other = (int) nonCompliant.stream()
                .filter(v -> !v.security() && !v.complianceLevel().equals("CRITICAL"))
                .count();
        String status = nonCompliant.isEmpty() ? "COMPLIANT" : "NON_COMPLIANT";
        Counts counts = new Counts(
                status,
                baselineId,
                group,
                n.get(PatchState.INSTALLED),
                installedOther,
                n.get(PatchState.INSTALLED_PENDING_REBOOT),
                n.get(PatchState.INSTALLED_REJECTED),
                n.get(PatchState.MISSING),
                n.get(PatchState.FAILED),
                n.get(PatchState.NOT_APPLICABLE),
                critical,
                security,
                other);
        Optional<Counts> before = stored(h, instanceId);
        boolean rebootPending = scan.rebootRequired() || counts.pendingReboot() > 0;
        boolean rebootCleared = !rebootPending && before.isPresent() && rebootWasPending(h, instanceId);
        h.createUpdate("INSERT INTO instance_patch_states (instance_id, operating_system, patch_group, baseline_id,"
                        + " snapshot_id, operation, operation_start_time, operation_end_time, installed_other_count,"
                        + " missing_count, critical_non_compliant_count, security_non_compliant_count,"
                        + " other_non_compliant_count, available_security_update_count, reboot_required,"
                        + " compliance_status, installed_count, installed_pending_reboot_count,"
                        + " installed_rejected_count, failed_count, not_applicable_count,"
                        + " unreported_not_applicable_count, inventory_hash, reported_installed_count, last_scan,"
                        + " evaluated_at, needs_evaluation, outcome_hash) VALUES (:id, :os, :group, :baseline, :snapshot, 'Scan',"
                        + " :start, :end, :installedOther, :missing, :critical, :security, :other,"
                        + " :availableSecurity, :reboot, :status, :installed, :pendingReboot, :rejected, :failed,"
                        + " :notApplicable, :unreported, :hash, :reported, :scan::jsonb, :evaluatedAt, false,"
                        + " :outcomeHash)"
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
                .bind("id", instanceId)
                .bind("os", os)
                .bind("group", group)
                .bind("baseline", baselineId)
                .bind("snapshot", UUID.randomUUID().toString())
                .bind("start", operationStart)
                .bind("end", operationEnd)
                .bind("installedOther", installedOther)
                .bind("missing", counts.missing())
                .bind("critical", critical)
                .bind("security", security)
                .bind("other", other)
                .bind("availableSecurity", (int) scan.patches().stream()
                        .filter(p -> Boolean.TRUE.equals(p.security()))
                        .count())
                .bind("reboot", scan.rebootRequired())
                .bind("status", status)
                .bind("installed", counts.installed())
                .bind("pendingReboot", counts.pendingReboot())
                .bind("rejected", counts.rejected())
                .bind("failed", counts.failed())
                .bind("notApplicable", counts.notApplicable())
                .bind("unreported", judgement.unreportedNotApplicable())
                .bind("hash", inventoryHash.orElse(null))
                .bind("reported", reportedInstalledCount)
                .bind("scan", write(scan))
                .bind("evaluatedAt", evaluatedAt)
                .bind("outcomeHash", outcomeHash.orElse(null))
                .execute();
        storeVerdicts(h, instanceId, judgement.verdicts());
        if (before.isEmpty() || !before.get().equals(counts)) {
            ComplianceHistory.record(h, instanceId, now, counts);
        }
        Optional<String> oldStatus = before.map(Counts::status);
        if (!oldStatus.equals(Optional.of(status))) {
            listener.complianceChanged(
                    h,
                    new ComplianceStateListener.Change(
                            instanceId, oldStatus, status, baselineId, group, severityCounts(nonCompliant), now));
        }
        if (rebootPending || rebootCleared) {
            rebootListener.rebootState(
                    h,
                    new RebootStateListener.RebootState(instanceId, rebootPending, scan.rebootRequiredPackages(), now));
        }
        return new Outcome(group, baselineId, status, judgement);
    }

    /** Read before the new evaluation is stored (the caller holds the row). */
    private static boolean rebootWasPending(Handle h, String instanceId) {
        return h.createQuery("SELECT reboot_required OR installed_pending_reboot_count > 0"
                        + " FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", instanceId)
                .mapTo(Boolean.class)
                .one();
    }

    private static ComplianceStateListener.SeverityCounts severityCounts(List<PatchStateVerdict> nonCompliant) {
        java.util.function.ToIntFunction<String> level = l -> (int)
                nonCompliant.stream().filter(v -> v.complianceLevel().equals(l)).count();
        return new ComplianceStateListener.SeverityCounts(
                level.applyAsInt("CRITICAL"),
                level.applyAsInt("HIGH"),
                level.applyAsInt("MEDIUM"),
                level.applyAsInt("LOW"),
                level.applyAsInt("INFORMATIONAL"),
                level.applyAsInt("UNSPECIFIED"),
                (int) nonCompliant.stream().filter(PatchStateVerdict::security).count());
    }

    private static void storeVerdicts(Handle h, String instanceId, List<PatchStateVerdict> verdicts) {
        h.createUpdate("DELETE FROM instance_patches WHERE instance_id = :id")
                .bind("id", instanceId)
                .execute();
        // One statement for all the rows (arrays unnested), not one per row: the rows were most of the
        // database's time per report (see bench/README.md).
        List<PatchStateVerdict> rows = verdicts.stream()
                .filter(v -> v.state() != PatchState.INSTALLED && v.state() != PatchState.INSTALLED_OTHER)
                .toList();
        if (rows.isEmpty()) {
            return;
        }
        h.createUpdate("INSERT INTO instance_patches (instance_id, title, kb_id, classification, severity, state,"
                        + " compliance_level, cve_ids, security, installed_time) SELECT :id, t.* FROM unnest("
                        + ":titles, :kbs, :classifications, :severities, :states, :levels, :cves, :securities,"
                        + " CAST(:installedTimes AS timestamptz[])) AS t"
                        + " ON CONFLICT (instance_id, kb_id) DO NOTHING")
                .bind("id", instanceId)
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

    private static List<String> column(
            List<PatchStateVerdict> rows, java.util.function.Function<PatchStateVerdict, String> value) {
        return rows.stream().map(value).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
    }

    private static Optional<Counts> stored(Handle h, String instanceId) {
        return h.createQuery("SELECT * FROM instance_patch_states WHERE instance_id = :id FOR UPDATE")
                .bind("id", instanceId)
                .map((rs, ctx) -> new Counts(
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
                        rs.getInt("other_non_compliant_count")))
                .findOne();
    }

    /** The instance's patch group: its "Patch Group" tag, or "PatchGroup" as SSM also accepts. */
    static String patchGroup(Handle h, String instanceId) {
        return h.createQuery("SELECT tag_value FROM resource_tags WHERE resource_type = 'ManagedInstance'"
                        + " AND resource_id = :id AND tag_key IN ('Patch Group', 'PatchGroup')"
                        + " ORDER BY tag_key = 'Patch Group' DESC LIMIT 1")
                .bind("id", instanceId)
                .mapTo(String.class)
                .findOne()
                .orElse("");
    }

    static String write(LastScan scan) {
        try {
            return JSON.writeValueAsString(scan);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LastScan read(String json) {
        try {
            return JSON.readValue(json, LastScan.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored scan is unreadable", e);
        }
    }

    static AvailablePatch toCore(ReportedPatch p) {
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
