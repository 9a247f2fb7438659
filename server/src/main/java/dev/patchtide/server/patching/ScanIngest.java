package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledJudgement;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.patching.ScanMessages.ReportedPackage;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;

/**
 * Takes agents' scans, many per transaction (see {@link ScanWriter}): resolves each one's inventory and list of
 * available updates (sent whole, or named by a hash the server already holds), answers a report whose outcome
 * cannot have changed by moving its scan times only, and judges and stores the others, so a report is stored
 * whole or not at all.
 */
final class ScanIngest {
    private final BaselineStore baselines;
    private final BaselineCache cache;
    private final InventoryStore inventories;
    private final PatchEvaluation evaluation;
    private final InstantSource clock;
    /** The patch group of each instance as last seen, for the unchanged reports' hashes. */
    private final PatchGroups patchGroups = new PatchGroups();
    /** The newest baseline configuration version seen; -1 before any. */
    private final AtomicLong knownVersion = new AtomicLong(-1);

    private Optional<ScanWriter> writer = Optional.empty();

    ScanIngest(BaselineStore baselines, InventoryStore inventories, PatchEvaluation evaluation, InstantSource clock) {
        this.baselines = baselines;
        this.cache = new BaselineCache(baselines);
        this.inventories = inventories;
        this.evaluation = evaluation;
        this.clock = clock;
    }

    /**
     * Stores the report through many-reports-a-transaction writers from now on; until then (and in tests
     * that build the feature without starting them) each report has a transaction of its own.
     */
    synchronized AutoCloseable startWriter(int writers, int maxBatch) {
        ScanWriter started = new ScanWriter(baselines.jdbi(), this::storeAll, writers, maxBatch);
        writer = Optional.of(started);
        return () -> {
            synchronized (this) {
                writer = Optional.empty();
            }
            started.close();
        };
    }

    PutPatchScanReportResult ingest(PutPatchScanReportRequest q) {
        Optional<ScanWriter> w;
        synchronized (this) {
            w = writer;
        }
        return w.map(running -> running.submit(q)).orElseGet(() -> baselines
                .jdbi()
                .inTransaction(h -> storeAll(h, List.of(q)))
                .getFirst()
                .result());
    }

    /**
     * Judges and stores reports inside the caller's transaction and answers each, in order. Reports for the
     * same instance are stored one after the other, in the order given.
     */
    List<ScanWriter.Answer> storeAll(Handle h, List<PutPatchScanReportRequest> reports) {
        // Every statement below finds its rows by key. On a young fleet the tables grow from nothing faster
        // than autovacuum's statistics follow, and plans chosen for "tiny" tables scan them whole for every
        // batch (seen: 13 ms a batch for a DELETE of nothing). Index access is never wrong here.
        h.execute("SET LOCAL enable_seqscan = off");
        ScanWriter.Answer[] answers = new ScanWriter.Answer[reports.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            pending.add(i);
        }
        while (!pending.isEmpty()) {
            // Each pass takes at most one report per instance; a second report of an instance waits a pass.
            Set<String> seen = new HashSet<>();
            List<Integer> pass = new ArrayList<>();
            List<Integer> later = new ArrayList<>();
            for (int i : pending) {
                (seen.add(reports.get(i).instanceId()) ? pass : later).add(i);
            }
            List<ScanWriter.Answer> passed =
                    storeDistinct(h, pass.stream().map(reports::get).toList());
            for (int k = 0; k < pass.size(); k++) {
                answers[pass.get(k)] = passed.get(k);
            }
            pending = later;
        }
        return List.of(answers);
    }

    /**
     * One report per instance: those that change nothing but their times are answered first, without locks
     * ({@link UnchangedReports}); the others take the locked way, a few statements for the whole list.
     */
    private List<ScanWriter.Answer> storeDistinct(Handle h, List<PutPatchScanReportRequest> reports) {
        Map<Integer, ScanWriter.Answer> unchanged = answerUnchanged(h, reports);
        if (unchanged.isEmpty()) {
            return storeLocked(h, reports);
        }
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            if (!unchanged.containsKey(i)) {
                rest.add(i);
            }
        }
        List<ScanWriter.Answer> locked = rest.isEmpty()
                ? List.of()
                : storeLocked(h, rest.stream().map(reports::get).toList());
        ScanWriter.Answer[] answers = new ScanWriter.Answer[reports.size()];
        unchanged.forEach((i, a) -> answers[i] = a);
        for (int k = 0; k < rest.size(); k++) {
            answers[rest.get(k)] = locked.get(k);
        }
        return List.of(answers);
    }

    /**
     * The reports that name their inventory and patch list by hash (an agent's way of saying "as before") and
     * whose stored outcome stands: only their times move, in one UPDATE that checks the rows itself
     * ({@link UnchangedReports#touch}). Any other report, and any whose row that UPDATE leaves alone, is left out
     * (answered by the locked way, which decides everything again).
     */
    private Map<Integer, ScanWriter.Answer> answerUnchanged(Handle h, List<PutPatchScanReportRequest> reports) {
        List<Integer> byHash = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            PutPatchScanReportRequest q = reports.get(i);
            if (q.patches() == null
                    && q.patchesHash() != null
                    && q.inventory() == null
                    && operation(q).noRebootInstall() == null) {
                byHash.add(i);
                if (patchGroups.get(q.instanceId()) == null) {
                    unknown.add(q.instanceId());
                }
            }
        }
        if (byHash.isEmpty()) {
            return Map.of();
        }
        // After a start every instance is unknown: one read for those, as every batch took before the cache.
        Map<String, Optional<String>> read = patchGroups.read(h, unknown);
        long known = knownVersion.get();
        long version = known >= 0 ? known : version(h);
        List<UnchangedReports.Touch> touches = touches(h, reports, byHash, read, version, known >= 0);
        if (touches == null) {
            // A baseline not cached at the version last seen: resolved again at the version read now.
            version = version(h);
            touches = touches(h, reports, byHash, read, version, false);
        }
        Map<String, Integer> indexById = new HashMap<>();
        for (int i : byHash) {
            indexById.put(reports.get(i).instanceId(), i);
        }
        Map<Integer, ScanWriter.Answer> answers = new HashMap<>();
        UnchangedReports.touch(h, touches, version).forEach((id, kept) -> {
            int i = indexById.get(id);
            answers.put(
                    i,
                    new ScanWriter.Stored(new PutPatchScanReportResult(
                            kept.snapshotId(),
                            kept.baselineId(),
                            kept.status(),
                            kept.missing(),
                            false,
                            reports.get(i).patchesHash())));
        });
        return answers;
    }

    /**
     * What the UPDATE of the unchanged reports must find, each outcome hash computed with the instance's group as
     * last seen ({@code read} now, else {@link #patchGroups}) and the baseline at {@code version}; null if
     * {@code cachedOnly} and a baseline is not cached at that version (then {@code version} is not known to be
     * this transaction's, and must not key a baseline read now: see {@link BaselineCache}).
     */
    private List<UnchangedReports.Touch> touches(
            Handle h,
            List<PutPatchScanReportRequest> reports,
            List<Integer> byHash,
            Map<String, Optional<String>> read,
            long version,
            boolean cachedOnly) {
        List<UnchangedReports.Touch> touches = new ArrayList<>(byHash.size());
        for (int i : byHash) {
            PutPatchScanReportRequest q = reports.get(i);
            Optional<String> group = read.get(q.instanceId());
            if (group == null) {
                group = patchGroups.get(q.instanceId());
            }
            if (group == null) {
                continue; // not a live instance: the locked way refuses it
            }
            BaselineCache.Resolved baseline;
            if (cachedOnly) {
                baseline = cache.cached(group.orElse(null), q.operatingSystem(), version);
                if (baseline == null) {
                    return null;
                }
            } else {
                try {
                    baseline = cache.resolve(h, group.orElse(null), q.operatingSystem(), version);
                } catch (ApiException noBaseline) {
                    continue;
                }
            }
            touches.add(new UnchangedReports.Touch(
                    q.instanceId(),
                    group,
                    q.operationStartTime(),
                    q.operationEndTime(),
                    OutcomeHash.of(q, q.patchesHash(), group.orElse(null), baseline),
                    q.patchesHash(),
                    q.inventoryHash(),
                    operation(q)));
        }
        return touches;
    }

    /** The configuration version, read in this transaction; the newest seen is kept for the unchanged reports. */
    private long version(Handle h) {
        long version = BaselineCache.version(h);
        knownVersion.accumulateAndGet(version, Math::max);
        return version;
    }

    /** Same inputs as the stored judgement, which still stands: the same outcome. */
    private static boolean sameOutcome(
            boolean needsEvaluation,
            Optional<String> storedInventoryHash,
            Optional<String> storedPatchesHash,
            Optional<String> storedOutcomeHash,
            PutPatchScanReportRequest q,
            String patchesHash,
            String outcomeHash) {
        return !needsEvaluation
                && storedInventoryHash.equals(Optional.ofNullable(q.inventoryHash()))
                && storedPatchesHash.equals(Optional.of(patchesHash))
                && storedOutcomeHash.equals(Optional.of(outcomeHash));
    }

    /** The locked way: every case (see {@link #storeDistinct}). */
    private List<ScanWriter.Answer> storeLocked(Handle h, List<PutPatchScanReportRequest> reports) {
        Instant now = clock.instant();
        List<String> ids = reports.stream()
                .map(PutPatchScanReportRequest::instanceId)
                .sorted()
                .toList();
        // The live instances, locked, with their patch groups (kept on the row from the tags, V21).
        Map<String, String> groups = new HashMap<>();
        h.createQuery("SELECT instance_id, patch_group FROM managed_instances"
                        + " WHERE instance_id = ANY(:ids) AND deregistered_at IS NULL ORDER BY instance_id FOR UPDATE")
                .bind("ids", PatchStateRows.texts(ids))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> groups.put(e.getKey(), e.getValue()));
        Set<String> live = groups.keySet();
        groups.forEach(patchGroups::put);
        ids.stream().filter(id -> !live.contains(id)).forEach(patchGroups::forget);
        Map<String, PatchStateRows.Stored> before = PatchStateRows.lock(h, live);
        long version = version(h);

        ScanWriter.Answer[] answers = new ScanWriter.Answer[reports.size()];
        List<PatchStateRows.Times> unchanged = new ArrayList<>();
        Set<Integer> superseded = new HashSet<>();
        List<Changed> changed = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            PutPatchScanReportRequest q = reports.get(i);
            if (!live.contains(q.instanceId())) {
                answers[i] = refused(new ApiException.NotFound(
                        "InvalidInstanceId", "Instance Id " + q.instanceId() + " isn't valid."));
                continue;
            }
            Optional<PatchStateRows.Stored> previous = Optional.ofNullable(before.get(q.instanceId()));
            if (previous.isPresent() && previous.get().operationEnd().isAfter(q.operationEndTime())) {
                // A report an agent kept while the server was away arrives after a newer one: it is history, not
                // the present. The newer state stays; the answer is that state's verdict. No PatchesHash, so
                // the agent does not pair its older list with the server's newer one.
                PatchStateRows.Stored p = previous.get();
                answers[i] = new ScanWriter.Stored(new PutPatchScanReportResult(
                        p.snapshotId(),
                        p.counts().baselineId(),
                        p.counts().status(),
                        p.counts().missing(),
                        false,
                        null));
                superseded.add(i);
                continue;
            }
            if (q.patches() == null
                    && !previous.flatMap(PatchStateRows.Stored::patchesHash).equals(Optional.of(q.patchesHash()))) {
                answers[i] = refused(new ApiException.Conflict(
                        "PatchesRequired",
                        "The server does not hold the patch list with PatchesHash " + q.patchesHash() + " for "
                                + q.instanceId() + "; send the report again with its Patches."));
                continue;
            }
            String group = groups.get(q.instanceId());
            BaselineCache.Resolved baseline;
            try {
                baseline = cache.resolve(h, group, q.operatingSystem(), version);
            } catch (ApiException noBaseline) {
                answers[i] = new ScanWriter.Refused(noBaseline);
                continue;
            }
            String patchesHash = q.patches() != null ? OutcomeHash.patches(q.patches()) : q.patchesHash();
            String outcomeHash = OutcomeHash.of(q, patchesHash, group, baseline);
            if (previous.isPresent()
                    && sameOutcome(
                            previous.get().needsEvaluation(),
                            previous.get().inventoryHash(),
                            previous.get().patchesHash(),
                            previous.get().outcomeHash(),
                            q,
                            patchesHash,
                            outcomeHash)) {
                // Same inputs, same judgement: only the scan's times move. The snapshot id stays, so caches
                // keyed on it (the compliance summary) see nothing new; no row rewrite, history or event.
                unchanged.add(new PatchStateRows.Times(q.instanceId(), q.operationStartTime(), q.operationEndTime()));
                PatchStateRows.Stored p = previous.get();
                answers[i] = new ScanWriter.Stored(new PutPatchScanReportResult(
                        p.snapshotId(),
                        p.counts().baselineId(),
                        p.counts().status(),
                        p.counts().missing(),
                        q.inventory() != null,
                        patchesHash));
                continue;
            }
            changed.add(new Changed(i, q, group, baseline, patchesHash, outcomeHash));
        }
        PatchStateRows.touch(h, unchanged);

        // A report that named its patch list by hash but must be judged again (its baseline, day or inventory
        // changed) is judged with the list stored from the scan that sent it.
        Map<String, String> storedScans = PatchStateRows.storedScans(
                h,
                changed.stream()
                        .filter(c -> c.q().patches() == null)
                        .map(c -> c.q().instanceId())
                        .toList());
        // Where the installed packages were judged from the same inputs before, that part is kept and only the
        // update list is judged, with the few installed packages it names (see KeptJudgement).
        Map<Integer, PatchEvaluation.LastScan> scans = new HashMap<>();
        Map<Integer, String> scanJsons = new HashMap<>();
        Set<Integer> scanStored = new HashSet<>();
        Map<Integer, InstalledJudgement> kept = new HashMap<>();
        List<InventoryStore.Named> named = new ArrayList<>();
        for (Changed c : changed) {
            PutPatchScanReportRequest q = c.q();
            String stored = storedScans.get(q.instanceId());
            List<ReportedPatch> patches = q.patches() != null
                    ? q.patches()
                    : PatchEvaluation.read(stored).patches();
            PatchEvaluation.LastScan scan = lastScan(q, patches);
            scans.put(c.index(), scan);
            String json = PatchEvaluation.write(scan);
            scanJsons.put(c.index(), json);
            if (json.equals(stored)) {
                scanStored.add(c.index()); // the row holds this scan already: not written again
            }
            if (q.inventory() != null) {
                continue;
            }
            String key = KeptJudgement.key(c.baseline().spec(), scan, Optional.ofNullable(q.inventoryHash()));
            // The row must still refer to that inventory (the key says which one it was judged from): then the
            // inventory row cannot be gone, and its kept lines and the reference written back stay valid.
            Optional.ofNullable(before.get(q.instanceId()))
                    .filter(p -> p.inventoryHash().equals(Optional.ofNullable(q.inventoryHash())))
                    .flatMap(p -> p.kept(key))
                    .ifPresent(k -> {
                        kept.put(c.index(), k);
                        if (q.inventoryHash() != null) {
                            Set<String> names = new TreeSet<>();
                            patches.forEach(p -> names.add(p.name()));
                            named.add(new InventoryStore.Named(q.instanceId(), q.inventoryHash(), names));
                        }
                    });
        }
        Map<String, List<InstalledPackage>> inventoriesByHash = inventories(h, changed, kept.keySet(), answers, now);
        Map<String, List<InstalledPackage>> namedById = inventories.findNamed(h, named);
        List<PatchEvaluation.Judged> judged = new ArrayList<>();
        for (Changed c : changed) {
            PutPatchScanReportRequest q = c.q();
            if (answers[c.index()] != null) {
                continue; // refused above
            }
            List<InstalledPackage> inventory = List.of();
            if (q.inventoryHash() != null) {
                inventory = kept.containsKey(c.index())
                        ? namedById.get(q.instanceId())
                        : inventoriesByHash.get(q.inventoryHash());
                if (inventory == null) {
                    answers[c.index()] = refused(new ApiException.Conflict(
                            "InventoryRequired",
                            "The server does not hold the inventory with InventoryHash " + q.inventoryHash()
                                    + "; send the report again with its Inventory."));
                    continue;
                }
            }
            Optional<InstalledJudgement> installed = Optional.ofNullable(kept.get(c.index()));
            installed.ifPresent(k -> KeptJudgement.REUSED.increment());
            PatchEvaluation.Judged j = PatchEvaluation.judge(evaluation(
                    c,
                    scans.get(c.index()),
                    scanJsons.get(c.index()),
                    scanStored.contains(c.index()),
                    inventory,
                    installed));
            judged.add(j);
            answers[c.index()] = new ScanWriter.Stored(new PutPatchScanReportResult(
                    j.snapshotId(),
                    c.baseline().baseline().id(),
                    j.counts().status(),
                    j.counts().missing(),
                    q.inventory() != null,
                    c.patchesHash()));
        }
        // Each outcome goes into the compliance history at the time its scan was taken (a report kept by the
        // agent while the server was away arrives hours late), never later than now (a host clock ahead).
        evaluation.storeAll(h, judged, before, now, j -> capturedAt(j.input().operationEnd(), now));
        List<PatchStateRows.Operation> operations = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            if (answers[i] instanceof ScanWriter.Stored && !superseded.contains(i)) {
                // Most reports are the agent's periodic scans, alike: the UPDATE (and its round trip) is skipped
                // when no row would change. The rows are locked, so what was read is what is there; a row first
                // stored by this batch holds what its INSERT wrote.
                PatchStateRows.Operation op = operation(reports.get(i));
                PatchStateRows.Operation stored = Optional.ofNullable(before.get(op.instanceId()))
                        .map(PatchStateRows.Stored::operation)
                        .orElseGet(() -> PatchStateRows.Operation.firstScan(op.instanceId()));
                if (op.changes(stored)) {
                    operations.add(op);
                }
            }
        }
        PatchStateRows.operations(h, operations);
        for (PatchEvaluation.Judged j : judged) {
            Optional<String> old = Optional.ofNullable(before.get(j.input().instanceId()))
                    .flatMap(PatchStateRows.Stored::inventoryHash);
            old.filter(hash -> !j.input().inventoryHash().equals(Optional.of(hash)))
                    .ifPresent(hash -> inventories.releaseIfUnused(h, hash));
        }
        return List.of(answers);
    }

    static Instant capturedAt(Instant operationEnd, Instant now) {
        return operationEnd.isAfter(now) ? now : operationEnd;
    }

    /** A report without an Operation is the agent's own periodic scan: a Scan. */
    private static PatchStateRows.Operation operation(PutPatchScanReportRequest q) {
        String operation = Objects.requireNonNullElse(q.operation(), "Scan");
        boolean noRebootInstall = operation.equals("Install") && "NoReboot".equals(q.rebootOption());
        return new PatchStateRows.Operation(
                q.instanceId(),
                operation,
                q.rebootOption(),
                q.snapshotId(),
                q.installOverrideList(),
                noRebootInstall ? q.operationStartTime() : null);
    }

    /** A report whose outcome may differ from the stored one: it is judged. */
    private record Changed(
            int index,
            PutPatchScanReportRequest q,
            String group,
            BaselineCache.Resolved baseline,
            String patchesHash,
            String outcomeHash) {}

    /**
     * The whole inventories the changed reports need (not those with a kept installed judgement): those sent are
     * checked against their InventoryHash and stored, the others read; all share-locked. A report whose inventory
     * is not what its hash says is refused.
     */
    private Map<String, List<InstalledPackage>> inventories(
            Handle h, List<Changed> changed, Set<Integer> kept, ScanWriter.Answer[] answers, Instant now) {
        Map<String, InventoryStore.Canonical> sent = new HashMap<>();
        Set<String> named = new HashSet<>();
        for (Changed c : changed) {
            PutPatchScanReportRequest q = c.q();
            if (q.inventory() == null) {
                if (q.inventoryHash() != null && !kept.contains(c.index())) {
                    named.add(q.inventoryHash());
                }
                continue;
            }
            if (sent.containsKey(q.inventoryHash())) {
                continue;
            }
            InventoryStore.Canonical inventory = InventoryStore.Canonical.of(
                    q.inventory().stream().map(ReportedPackage::toCore).toList());
            if (inventory.hash().equals(q.inventoryHash())) {
                sent.put(q.inventoryHash(), inventory);
            } else {
                answers[c.index()] = refused(ApiException.validation("1 validation error detected: inventoryHash: "
                        + q.inventoryHash() + " is not the SHA-256 of the inventory sent (" + inventory.hash() + ")"));
            }
        }
        inventories.putAll(h, sent.values(), now);
        named.removeAll(sent.keySet());
        Map<String, List<InstalledPackage>> out = new HashMap<>(inventories.findAll(h, named));
        sent.forEach((hash, inventory) -> out.put(hash, inventory.packages()));
        return out;
    }

    private static PatchEvaluation.LastScan lastScan(PutPatchScanReportRequest q, List<ReportedPatch> patches) {
        return new PatchEvaluation.LastScan(
                product(q.product(), patches),
                patches,
                Boolean.TRUE.equals(q.rebootRequired()),
                Objects.requireNonNullElse(q.rebootRequiredPackages(), List.of()),
                Objects.requireNonNullElse(q.failedPackages(), List.of()));
    }

    /**
     * Without an inventory (older agents) the reported count stands in for it. With a kept installed judgement,
     * {@code inventory} is only the packages the updates name.
     */
    private static PatchEvaluation.Evaluation evaluation(
            Changed c,
            PatchEvaluation.LastScan scan,
            String scanJson,
            boolean scanStored,
            List<InstalledPackage> inventory,
            Optional<InstalledJudgement> kept) {
        PutPatchScanReportRequest q = c.q();
        Instant end = q.operationEndTime();
        return new PatchEvaluation.Evaluation(
                q.instanceId(),
                q.operatingSystem(),
                c.group(),
                c.baseline().baseline().id(),
                c.baseline().spec(),
                Optional.of(c.outcomeHash()),
                scan,
                scanJson,
                c.patchesHash(),
                Optional.ofNullable(q.inventoryHash()),
                inventory,
                q.installedCount() != null
                        ? q.installedCount()
                        : kept.map(InstalledJudgement::packages).orElse(inventory.size()),
                q.operationStartTime(),
                end,
                end,
                kept,
                scanStored);
    }

    private static ScanWriter.Refused refused(ApiException why) {
        return new ScanWriter.Refused(why);
    }

    /** The PRODUCT installed packages are filed under: the report's, else that of its first update. */
    private static String product(String reported, List<ReportedPatch> patches) {
        if (reported != null) {
            return reported;
        }
        return patches.stream()
                .map(ReportedPatch::product)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse("");
    }
}
