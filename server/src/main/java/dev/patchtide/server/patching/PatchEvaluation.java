package dev.patchtide.server.patching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.InstalledJudgement;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.PatchState;
import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.core.patching.PatchStates;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
            int other) {

        /** From a row of instance_patch_states. */
        static Counts read(ResultSet rs) throws SQLException {
            return new Counts(
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
                    rs.getInt("other_non_compliant_count"));
        }

        ComplianceStateListener.Outcome outcome(String instanceId) {
            return new ComplianceStateListener.Outcome(
                    instanceId,
                    status,
                    baselineId,
                    patchGroup,
                    installed,
                    installedOther,
                    pendingReboot,
                    rejected,
                    missing,
                    failed,
                    notApplicable,
                    critical,
                    security,
                    other);
        }
    }

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
                .orElseThrow(
                        () -> new ApiException.NotFound("DoesNotExistException", "No patch baseline applies to " + os));
        return baselines.find(h, id, false).orElseThrow();
    }

    static PatchStates.Judgement judge(
            BaselineStore.Stored baseline, LastScan scan, List<InstalledPackage> inventory, LocalDate today) {
        return judge(BaselineSpecs.of(baseline.id(), baseline.definition()), scan, inventory, today);
    }

    /** Every package's verdict, for listings. */
    static PatchStates.Judgement judge(
            BaselineSpec spec, LastScan scan, List<InstalledPackage> inventory, LocalDate today) {
        return PatchStates.judge(spec, coreScan(scan, inventory), today);
    }

    private static PatchStates.Scan coreScan(LastScan scan, List<InstalledPackage> inventory) {
        return new PatchStates.Scan(
                scan.product(),
                scan.patches().stream().map(PatchEvaluation::toCore).toList(),
                inventory,
                scan.rebootRequired(),
                scan.rebootRequiredPackages(),
                scan.failedPackages());
    }

    /**
     * Judges and stores one instance (re-evaluation). {@code evaluatedAt}'s date is the day approval delays are
     * counted to; {@code now} (the server's clock) dates the history row and the listener's change;
     * {@code inventoryHash} empty means an older agent that sent only {@code reportedInstalledCount}.
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
        Judged judged = judge(new Evaluation(
                instanceId,
                os,
                group,
                baseline.id(),
                BaselineSpecs.of(baseline.id(), baseline.definition()),
                Optional.empty(),
                scan,
                write(scan),
                OutcomeHash.patches(scan.patches()),
                inventoryHash,
                inventory,
                reportedInstalledCount,
                operationStart,
                operationEnd,
                evaluatedAt,
                Optional.empty(),
                false));
        Map<String, PatchStateRows.Stored> before = PatchStateRows.lock(h, List.of(instanceId));
        storeAll(h, List.of(judged), before, now);
        return judged.outcome();
    }

    /**
     * What a judgement is made from. {@code outcomeHash} is the hash of those inputs (see {@link ScanIngest}),
     * kept so an identical next report can skip judging; empty when the caller does not compute it
     * (re-evaluation), which makes the next report judge afresh. With {@code kept} (the stored installed part,
     * whose {@link KeptJudgement#key} is this evaluation's), {@code inventory} need hold only the packages the
     * updates name; without it, the whole inventory is judged. {@code scanStored}: {@code scanJson} is exactly what
     * the instance's row holds (re-evaluation, or a report whose scan came out as stored), so it is not rewritten.
     */
    record Evaluation(
            String instanceId,
            String os,
            String group,
            String baselineId,
            BaselineSpec spec,
            Optional<String> outcomeHash,
            LastScan scan,
            String scanJson,
            String patchesHash,
            Optional<String> inventoryHash,
            List<InstalledPackage> inventory,
            int reportedInstalledCount,
            Instant operationStart,
            Instant operationEnd,
            Instant evaluatedAt,
            Optional<InstalledJudgement> kept,
            boolean scanStored) {}

    /**
     * An evaluation with its verdicts and counts, ready to store; a new snapshot id names it. {@code installed}
     * is the installed part with its {@code installedKey}, kept for the next changed report.
     */
    record Judged(
            Evaluation input,
            String snapshotId,
            PatchStates.Judgement judgement,
            Counts counts,
            int availableSecurityUpdates,
            ComplianceStateListener.SeverityCounts severity,
            InstalledJudgement installed,
            String installedKey,
            Optional<KeptLines> namedLines) {

        Outcome outcome() {
            return new Outcome(input.group(), input.baselineId(), counts.status(), judgement);
        }

        /** The verdicts kept as rows: all but INSTALLED and INSTALLED_OTHER, which judging only counted. */
        List<PatchStateVerdict> rows() {
            return judgement.verdicts();
        }

        boolean rebootPending() {
            return input.scan().rebootRequired() || counts.pendingReboot() > 0;
        }
    }

    /** Judges without touching the database. */
    static Judged judge(Evaluation e) {
        // INSTALLED and INSTALLED_OTHER only counted: they are not stored as rows. The installed packages are
        // judged here only when no kept part fits (see KeptJudgement).
        PatchStates.Scan core = coreScan(e.scan(), e.inventory());
        InstalledJudgement installed = e.kept().orElseGet(() -> PatchStates.judgeInstalled(e.spec(), core));
        PatchStates.Judgement judgement = PatchStates.judgeUpdates(
                e.spec(),
                core,
                installed,
                e.evaluatedAt().atOffset(ZoneOffset.UTC).toLocalDate());
        Map<PatchState, Integer> n = judgement.counts();
        int installedOther =
                e.inventoryHash().isPresent() ? n.get(PatchState.INSTALLED_OTHER) : e.reportedInstalledCount();
        List<PatchStateVerdict> nonCompliant = judgement.verdicts().stream()
                .filter(v -> !v.state().compliant())
                .toList();
        ComplianceStateListener.SeverityCounts severity = severityCounts(nonCompliant);
        int other = (int) nonCompliant.stream()
                .filter(v -> !v.security() && !v.complianceLevel().equals("CRITICAL"))
                .count();
        Counts counts = new Counts(
                nonCompliant.isEmpty() ? "COMPLIANT" : "NON_COMPLIANT",
                e.baselineId(),
                e.group(),
                n.get(PatchState.INSTALLED),
                installedOther,
                n.get(PatchState.INSTALLED_PENDING_REBOOT),
                n.get(PatchState.INSTALLED_REJECTED),
                n.get(PatchState.MISSING),
                n.get(PatchState.FAILED),
                n.get(PatchState.NOT_APPLICABLE),
                severity.critical(),
                severity.security(),
                other);
        int availableSecurity = (int) e.scan().patches().stream()
                .filter(p -> Boolean.TRUE.equals(p.security()))
                .count();
        return new Judged(
                e,
                UUID.randomUUID().toString(),
                judgement,
                counts,
                availableSecurity,
                severity,
                installed,
                KeptJudgement.key(e.spec(), e.scan(), e.inventoryHash()),
                KeptLines.of(e.scan().patches(), e.inventoryHash(), e.inventory()));
    }

    /**
     * Stores judged instances whose state rows the caller locked ({@code before}, from
     * {@link PatchStateRows#lock}): a few statements for the whole list, then a history row where the outcome
     * changed and the listeners where the status or the pending reboot did.
     */
    void storeAll(Handle h, List<Judged> judged, Map<String, PatchStateRows.Stored> before, Instant now) {
        storeAll(h, judged, before, now, j -> now);
    }

    /** As above; {@code recordedAt} dates each changed outcome in the history (a scan's capture time). */
    void storeAll(
            Handle h,
            List<Judged> judged,
            Map<String, PatchStateRows.Stored> before,
            Instant now,
            java.util.function.Function<Judged, Instant> recordedAt) {
        if (judged.isEmpty()) {
            return;
        }
        PatchStateRows.write(h, judged, before);
        Map<Instant, List<ComplianceStateListener.Outcome>> changed = new java.util.TreeMap<>();
        for (Judged j : judged) {
            Optional<PatchStateRows.Stored> was =
                    Optional.ofNullable(before.get(j.input().instanceId()));
            if (was.isEmpty() || !was.get().counts().equals(j.counts())) {
                changed.computeIfAbsent(recordedAt.apply(j), t -> new ArrayList<>())
                        .add(j.counts().outcome(j.input().instanceId()));
            }
        }
        changed.forEach((time, outcomes) -> listener.outcomesChanged(h, time, outcomes));
        for (Judged j : judged) {
            Evaluation e = j.input();
            Optional<PatchStateRows.Stored> was = Optional.ofNullable(before.get(e.instanceId()));
            Optional<String> oldStatus = was.map(s -> s.counts().status());
            if (!oldStatus.equals(Optional.of(j.counts().status()))) {
                listener.complianceChanged(
                        h,
                        new ComplianceStateListener.Change(
                                e.instanceId(),
                                oldStatus,
                                j.counts().status(),
                                e.baselineId(),
                                e.group(),
                                j.severity(),
                                now));
            }
            boolean rebootCleared = !j.rebootPending()
                    && was.map(PatchStateRows.Stored::rebootPending).orElse(false);
            if (j.rebootPending() || rebootCleared) {
                rebootListener.rebootState(
                        h,
                        new RebootStateListener.RebootState(
                                e.instanceId(), j.rebootPending(), e.scan().rebootRequiredPackages(), now));
            }
        }
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

    /**
     * The instance's patch group: its "Patch Group" tag, or "PatchGroup" as SSM also accepts; "" for none. Kept
     * on the instance row by a trigger on the tags (V21).
     */
    static String patchGroup(Handle h, String instanceId) {
        return h.createQuery("SELECT patch_group FROM managed_instances WHERE instance_id = :id")
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
