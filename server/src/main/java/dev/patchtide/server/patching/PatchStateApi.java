package dev.patchtide.server.patching;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.patching.ScanMessages.DescribeInstancePatchStatesForPatchGroupRequest;
import dev.patchtide.server.patching.ScanMessages.DescribeInstancePatchStatesRequest;
import dev.patchtide.server.patching.ScanMessages.DescribeInstancePatchStatesResult;
import dev.patchtide.server.patching.ScanMessages.DescribeInstancePatchesRequest;
import dev.patchtide.server.patching.ScanMessages.DescribeInstancePatchesResult;
import dev.patchtide.server.patching.ScanMessages.InstancePatchState;
import dev.patchtide.server.patching.ScanMessages.PatchComplianceData;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.Query;

/** Scan reports in, and SSM's per-instance patch state out. */
final class PatchStateApi {
    private static final java.util.Set<String> PATCH_FILTER_KEYS =
            java.util.Set.of("Classification", "KBId", "Severity", "State");

    /**
     * What a describe shows, and nothing more: {@code SELECT *} also read last_scan (the stored scan, about
     * 10 kB of jsonb a row once detoasted and printed), half a megabyte a page that was parsed and thrown away.
     */
    private static final String STATE_COLUMNS = "instance_id, patch_group, baseline_id, snapshot_id,"
            + " operation_snapshot_id, installed_count, installed_other_count, installed_pending_reboot_count,"
            + " installed_rejected_count, missing_count, failed_count, not_applicable_count,"
            + " unreported_not_applicable_count, available_security_update_count, operation_start_time,"
            + " operation_end_time, operation, reboot_option, last_no_reboot_install_time, install_override_list,"
            + " critical_non_compliant_count, security_non_compliant_count, other_non_compliant_count";

    private final BaselineStore store;
    private final InventoryStore inventories;
    private final ScanIngest ingest;
    private final InstallPlan plans;
    private final String accountId;

    PatchStateApi(
            BaselineStore store,
            InventoryStore inventories,
            PatchEvaluation evaluation,
            java.time.InstantSource clock,
            String accountId) {
        this.store = store;
        this.inventories = inventories;
        this.accountId = accountId;
        this.ingest = new ScanIngest(store, inventories, evaluation, clock);
        this.plans = new InstallPlan(store, inventories, clock);
    }

    AutoCloseable startWriter(int writers, int maxBatch) {
        return ingest.startWriter(writers, maxBatch);
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.PutPatchScanReport",
                PutPatchScanReportRequest.class,
                Access.adminOrOwnInstance(PutPatchScanReportRequest::instanceId),
                (q, who) -> ingest.ingest(q)));
        plans.routes(router);
        router.register(new Action<>(
                "AmazonSSM.DescribeInstancePatchStates",
                DescribeInstancePatchStatesRequest.class,
                Access.adminOnly(),
                (q, who) -> states(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeInstancePatchStatesForPatchGroup",
                DescribeInstancePatchStatesForPatchGroupRequest.class,
                Access.adminOnly(),
                (q, who) -> statesForGroup(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeInstancePatches",
                DescribeInstancePatchesRequest.class,
                Access.adminOnly(),
                (q, who) -> patches(q)));
    }

    private DescribeInstancePatchStatesResult states(DescribeInstancePatchStatesRequest q) {
        return statesWhere(
                "instance_id = ANY(:ids)",
                query -> query.bind("ids", PatchStateRows.texts(q.instanceIds())),
                "patch-states",
                q.maxResults(),
                q.nextToken());
    }

    private DescribeInstancePatchStatesResult statesForGroup(DescribeInstancePatchStatesForPatchGroupRequest q) {
        StateFilters filters = StateFilters.of(q.filters());
        return statesWhere(
                "patch_group = :group" + filters.sql(),
                query -> query.bind("group", q.patchGroup()),
                "patch-states/" + q.patchGroup(),
                q.maxResults(),
                q.nextToken());
    }

    private DescribeInstancePatchStatesResult statesWhere(
            String condition,
            java.util.function.Consumer<Query> binder,
            String listing,
            Integer maxResults,
            String nextToken) {
        int size = Objects.requireNonNullElse(maxResults, 50);
        String after = PageToken.decode(listing, nextToken).orElse("");
        List<InstancePatchState> page = store.jdbi().withHandle(h -> {
            Query query = h.createQuery("SELECT " + STATE_COLUMNS + " FROM instance_patch_states WHERE " + condition
                            + " AND instance_id > :after ORDER BY instance_id LIMIT :limit")
                    .bind("after", after)
                    .bind("limit", size + 1);
            binder.accept(query);
            return query.map((rs, ctx) -> new InstancePatchState(
                            rs.getString("instance_id"),
                            rs.getString("patch_group"),
                            rs.getString("baseline_id"),
                            Objects.requireNonNullElse(
                                    rs.getString("operation_snapshot_id"), rs.getString("snapshot_id")),
                            rs.getInt("installed_count"),
                            rs.getInt("installed_other_count"),
                            rs.getInt("installed_pending_reboot_count"),
                            rs.getInt("installed_rejected_count"),
                            rs.getInt("missing_count"),
                            rs.getInt("failed_count"),
                            rs.getInt("not_applicable_count"),
                            rs.getInt("unreported_not_applicable_count"),
                            rs.getInt("available_security_update_count"),
                            rs.getTimestamp("operation_start_time").toInstant(),
                            rs.getTimestamp("operation_end_time").toInstant(),
                            rs.getString("operation"),
                            rs.getString("reboot_option"),
                            Optional.ofNullable(rs.getTimestamp("last_no_reboot_install_time"))
                                    .map(java.sql.Timestamp::toInstant)
                                    .orElse(null),
                            rs.getString("install_override_list"),
                            rs.getInt("critical_non_compliant_count"),
                            rs.getInt("security_non_compliant_count"),
                            rs.getInt("other_non_compliant_count")))
                    .list();
        });
        String next = page.size() > size
                ? PageToken.encode(listing, page.get(size - 1).instanceId())
                : null;
        return new DescribeInstancePatchStatesResult(page.subList(0, Math.min(size, page.size())), next);
    }

    private DescribeInstancePatchesResult patches(DescribeInstancePatchesRequest q) {
        int size = Objects.requireNonNullElse(q.maxResults(), 50);
        String listing = "patches/" + q.instanceId();
        String after = PageToken.decode(listing, q.nextToken()).orElse("");
        Map<String, List<String>> filters = new java.util.HashMap<>();
        FilterKeys keys = new FilterKeys("InvalidFilter");
        for (BaselineMessages.PatchOrchestratorFilter f :
                q.filters() == null ? List.<BaselineMessages.PatchOrchestratorFilter>of() : q.filters()) {
            if (!PATCH_FILTER_KEYS.contains(f.key())) {
                throw new ApiException.Invalid(
                        "InvalidFilter",
                        "Filter key " + f.key() + " isn't valid; use one of "
                                + PATCH_FILTER_KEYS.stream().sorted().toList());
            }
            keys.once(f.key());
            // Values compare case-insensitively; State also as AWS's examples write it (InstalledOther).
            filters.computeIfAbsent(f.key(), k -> new ArrayList<>())
                    .addAll(
                            f.values() == null
                                    ? List.of()
                                    : f.values().stream()
                                            .map(v -> normalize(f.key(), v))
                                            .toList());
        }
        List<PatchComplianceData> all = store.jdbi().inTransaction(h -> {
            boolean known = h.createQuery("SELECT count(*) FROM managed_instances WHERE instance_id = :id"
                                    + " AND deregistered_at IS NULL")
                            .bind("id", q.instanceId())
                            .mapTo(Integer.class)
                            .one()
                    > 0;
            if (!known) {
                throw new ApiException.NotFound("InvalidInstanceId", "Instance Id " + q.instanceId() + " isn't valid.");
            }
            return PatchList.of(h, store, inventories, q.instanceId());
        });
        List<PatchComplianceData> matching = all.stream()
                .filter(p -> p.kbId().compareTo(after) > 0)
                .filter(p -> matches(filters, "Classification", p.classification())
                        && matches(filters, "KBId", p.kbId())
                        && matches(filters, "Severity", p.severity())
                        && matches(filters, "State", p.state()))
                .limit(size + 1L)
                .toList();
        String next = matching.size() > size
                ? PageToken.encode(listing, matching.get(size - 1).kbId())
                : null;
        return new DescribeInstancePatchesResult(matching.subList(0, Math.min(size, matching.size())), next);
    }

    private static boolean matches(Map<String, List<String>> filters, String key, String value) {
        List<String> wanted = filters.get(key);
        return wanted == null || wanted.contains(normalize(key, value));
    }

    /** Upper case; for State also without separators, so "InstalledOther" and "INSTALLED_OTHER" are one value. */
    private static String normalize(String key, String value) {
        String upper = value == null ? "" : value.toUpperCase(java.util.Locale.ROOT);
        return key.equals("State") ? upper.replace("_", "") : upper;
    }
}
