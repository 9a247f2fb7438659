package dev.patchtide.server.patching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.PatchState;
import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.InstallPlanMessages.GetPatchInstallPlanRequest;
import dev.patchtide.server.patching.InstallPlanMessages.GetPatchInstallPlanResult;
import dev.patchtide.server.patching.InstallPlanMessages.PlannedPatch;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * {@code Patchtide.GetPatchInstallPlan}: the updates an Install operation installs on an instance, with exact
 * versions, from its last scan: those its baseline (or the BaselineOverride, or the baseline as the SnapshotId
 * fixed it) judges MISSING or FAILED, or when an install override list is given, the available updates it
 * names; minus the exclusions. The agent installs exactly these and nothing else.
 */
final class InstallPlan {
    /** The BaselineId a plan made with a BaselineOverride reports. */
    static final String OVERRIDE = "BaselineOverride";

    /** How long a SnapshotId keeps its baseline (AWS: "might not remain in place for more than three days"). */
    static final java.time.Duration SNAPSHOT_LIFETIME = java.time.Duration.ofDays(3);

    private static final ObjectMapper JSON = ApiJson.mapper();

    private final BaselineStore store;
    private final InventoryStore inventories;
    private final InstantSource clock;

    InstallPlan(BaselineStore store, InventoryStore inventories, InstantSource clock) {
        this.store = store;
        this.inventories = inventories;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.GetPatchInstallPlan",
                GetPatchInstallPlanRequest.class,
                Access.adminOrOwnInstance(GetPatchInstallPlanRequest::instanceId),
                (q, who) -> plan(q)));
    }

    /** The baseline a plan judges with, and the day its approval delays are counted to. */
    private record Judging(String baselineId, BaselineSpec spec, LocalDate day) {}

    private record LastScan(String os, String group, Optional<String> scan, Optional<String> inventoryHash) {}

    GetPatchInstallPlanResult plan(GetPatchInstallPlanRequest q) {
        return store.jdbi().inTransaction(h -> {
            LastScan last = lastScan(h, q.instanceId());
            PatchEvaluation.LastScan scan = last.scan()
                    .map(PatchEvaluation::read)
                    .orElseThrow(() -> new ApiException.Conflict(
                            "PatchScanRequired",
                            "Instance " + q.instanceId() + " has not reported a patch scan; scan it first."));
            Judging judging = judging(h, q, last);
            List<ReportedPatch> chosen;
            if (q.installOverridePatches() != null) {
                chosen = scan.patches().stream()
                        .filter(p -> q.installOverridePatches().stream().anyMatch(id -> PatchIds.names(id, p)))
                        .toList();
            } else {
                List<InstalledPackage> inventory = last.inventoryHash()
                        .flatMap(hash -> inventories.read(h, hash))
                        .orElse(List.of());
                Set<String> missing =
                        PatchEvaluation.judge(judging.spec(), scan, inventory, judging.day()).verdicts().stream()
                                .filter(v -> v.state() == PatchState.MISSING || v.state() == PatchState.FAILED)
                                .map(PatchStateVerdict::kbId)
                                .collect(Collectors.toSet());
                chosen = scan.patches().stream()
                        .filter(p -> missing.contains(PatchIds.kbId(p)))
                        .toList();
            }
            List<String> excluded = q.excludePatches() == null ? List.of() : q.excludePatches();
            List<PlannedPatch> patches = chosen.stream()
                    .filter(p -> excluded.stream().noneMatch(id -> PatchIds.names(id, p)))
                    .map(InstallPlan::planned)
                    .distinct()
                    .sorted(Comparator.comparing(PlannedPatch::id))
                    .toList();
            return new GetPatchInstallPlanResult(judging.baselineId(), patches);
        });
    }

    private static LastScan lastScan(Handle h, String instanceId) {
        Optional<String> os = h.createQuery("SELECT s.operating_system FROM managed_instances i LEFT JOIN"
                        + " instance_patch_states s ON s.instance_id = i.instance_id WHERE i.instance_id = :id"
                        + " AND i.deregistered_at IS NULL")
                .bind("id", instanceId)
                .map((rs, ctx) -> Optional.ofNullable(rs.getString(1)))
                .findOne()
                .orElseThrow(() ->
                        new ApiException.NotFound("InvalidInstanceId", "Instance Id " + instanceId + " isn't valid."));
        if (os.isEmpty()) {
            return new LastScan("", "", Optional.empty(), Optional.empty());
        }
        return h.createQuery("SELECT operating_system, patch_group, last_scan, inventory_hash FROM"
                        + " instance_patch_states WHERE instance_id = :id")
                .bind("id", instanceId)
                .map((rs, ctx) -> new LastScan(
                        rs.getString(1),
                        rs.getString(2),
                        Optional.ofNullable(rs.getString(3)),
                        Optional.ofNullable(rs.getString(4))))
                .one();
    }

    private Judging judging(Handle h, GetPatchInstallPlanRequest q, LastScan last) {
        LocalDate today = clock.instant().atOffset(ZoneOffset.UTC).toLocalDate();
        if (q.baselineOverride() != null) {
            return new Judging(OVERRIDE, BaselineSpecs.of(OVERRIDE, override(q.baselineOverride(), last.os())), today);
        }
        String id = store.baselineForGroup(h, last.group(), last.os())
                .or(() -> store.defaultFor(h, last.os()))
                .orElseThrow(() -> new ApiException.NotFound(
                        "DoesNotExistException", "No patch baseline applies to " + last.os()));
        if (q.snapshotId() == null) {
            BaselineStore.Stored baseline = store.find(h, id, false).orElseThrow();
            return new Judging(id, BaselineSpecs.of(id, baseline.definition()), today);
        }
        return snapshot(h, q.snapshotId(), id);
    }

    /**
     * The baseline as the snapshot id fixed it: the first plan with this id takes the baseline as it is now
     * (and today as the day approval delays count to); later ones, on any server node, read what it took. As
     * at AWS, a snapshot lasts {@link #SNAPSHOT_LIFETIME}: the same id later takes a new one.
     */
    private Judging snapshot(Handle h, String snapshotId, String baselineId) {
        Instant now = clock.instant();
        // Snapshots are few (one per id and baseline, ids per maintenance-window run): a sweep here is cheap.
        h.createUpdate("DELETE FROM patch_baseline_snapshots WHERE taken_at < :expired")
                .bind("expired", now.minus(SNAPSHOT_LIFETIME))
                .execute();
        BaselineStore.Stored baseline = store.find(h, baselineId, false).orElseThrow();
        h.createUpdate("INSERT INTO patch_baseline_snapshots (snapshot_id, baseline_id, definition, taken_at)"
                        + " VALUES (:snapshot, :baseline, CAST(:definition AS jsonb), :now) ON CONFLICT DO NOTHING")
                .bind("snapshot", snapshotId)
                .bind("baseline", baselineId)
                .bind("definition", write(baseline.definition()))
                .bind("now", now)
                .execute();
        return h.createQuery("SELECT definition, taken_at FROM patch_baseline_snapshots"
                        + " WHERE snapshot_id = :snapshot AND baseline_id = :baseline")
                .bind("snapshot", snapshotId)
                .bind("baseline", baselineId)
                .map((rs, ctx) -> new Judging(
                        baselineId,
                        BaselineSpecs.of(baselineId, read(rs.getString(1))),
                        rs.getTimestamp(2).toInstant().atOffset(ZoneOffset.UTC).toLocalDate()))
                .one();
    }

    /** The override's baseline for {@code os}: the object itself, or the list's member for that system. */
    static Definition override(JsonNode override, String os) {
        JsonNode chosen = null;
        if (override.isObject()) {
            String named = override.path("OperatingSystem").asText(os);
            chosen = named.equals(os) ? override : null;
        } else {
            for (JsonNode member : override) {
                if (member.isObject()
                        && member.path("OperatingSystem").asText("").equals(os)) {
                    chosen = member;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw ApiException.validation(
                    "1 validation error detected: baselineOverride: holds no baseline for operating system " + os);
        }
        try {
            return JSON.treeToValue(chosen, Definition.class);
        } catch (JsonMappingException e) {
            String at = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex() + 1))
                    .collect(Collectors.joining("."));
            throw ApiException.validation("1 validation error detected: baselineOverride: member '" + at
                    + "' is unknown or of the wrong type");
        } catch (JsonProcessingException e) {
            throw ApiException.validation("1 validation error detected: baselineOverride: not a patch baseline");
        }
    }

    private static PlannedPatch planned(ReportedPatch p) {
        return new PlannedPatch(
                PatchIds.kbId(p),
                p.name(),
                p.availableVersion(),
                p.arch(),
                p.installedVersion(),
                orElse(p.classification(), p.section()),
                orElse(p.severity(), p.priority()));
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isEmpty() ? (fallback == null ? "" : fallback) : value;
    }

    private static String write(Definition d) {
        try {
            return JSON.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Definition read(String json) {
        try {
            return JSON.readValue(json, Definition.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored baseline snapshot is unreadable", e);
        }
    }
}
