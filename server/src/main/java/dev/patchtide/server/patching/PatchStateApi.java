package dev.patchtide.server.patching;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
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
import org.jdbi.v3.core.statement.Query;

/** Scan reports in, and SSM's per-instance patch state out. */
final class PatchStateApi {
    private static final Map<String, String> PATCH_FILTER_COLUMNS =
            Map.of("Classification", "classification", "KBId", "kb_id", "Severity", "severity", "State", "state");

    private final BaselineStore store;
    private final ScanIngest ingest;

    private final String accountId;

    PatchStateApi(BaselineStore store, String accountId) {
        this.store = store;
        this.accountId = accountId;
        this.ingest = new ScanIngest(store);
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.PutPatchScanReport",
                PutPatchScanReportRequest.class,
                Access.adminOrOwnInstance(PutPatchScanReportRequest::instanceId),
                (q, who) -> ingest.ingest(q)));
        router.register(new Action<>(
                "Patchtide.GetComplianceReport",
                ComplianceReport.Request.class,
                Access.adminOnly(),
                (q, who) -> ComplianceReport.build(store.jdbi(), accountId, q.resourceId())));
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
                query -> query.bindArray("ids", String.class, q.instanceIds()),
                "patch-states",
                q.maxResults(),
                q.nextToken());
    }

    private DescribeInstancePatchStatesResult statesForGroup(DescribeInstancePatchStatesForPatchGroupRequest q) {
        StateFilters filters = StateFilters.of(q.filters());
        return statesWhere(
                "patch_group = :group" + filters.sql(),
                query -> {
                    query.bind("group", q.patchGroup());
                    filters.bind(query);
                },
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
            Query query = h.createQuery("SELECT * FROM instance_patch_states WHERE " + condition
                            + " AND instance_id > :after ORDER BY instance_id LIMIT :limit")
                    .bind("after", after)
                    .bind("limit", size + 1);
            binder.accept(query);
            return query.map((rs, ctx) -> new InstancePatchState(
                            rs.getString("instance_id"),
                            rs.getString("patch_group"),
                            rs.getString("baseline_id"),
                            rs.getString("snapshot_id"),
                            0,
                            rs.getInt("installed_other_count"),
                            0,
                            0,
                            rs.getInt("missing_count"),
                            0,
                            0,
                            rs.getInt("available_security_update_count"),
                            rs.getTimestamp("operation_start_time").toInstant(),
                            rs.getTimestamp("operation_end_time").toInstant(),
                            rs.getString("operation"),
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
        String after =
                PageToken.decode("patches/" + q.instanceId(), q.nextToken()).orElse("");
        StringBuilder sql =
                new StringBuilder("SELECT * FROM instance_patches WHERE instance_id = :id AND kb_id > :after");
        List<Map.Entry<String, List<String>>> binds = new ArrayList<>();
        for (BaselineMessages.PatchOrchestratorFilter f :
                q.filters() == null ? List.<BaselineMessages.PatchOrchestratorFilter>of() : q.filters()) {
            String column = PATCH_FILTER_COLUMNS.get(f.key());
            if (column == null) {
                throw new ApiException(
                        "InvalidFilter",
                        "Filter key " + f.key() + " isn't valid; use one of "
                                + PATCH_FILTER_COLUMNS.keySet().stream()
                                        .sorted()
                                        .toList());
            }
            String param = "f" + binds.size();
            // Values compare case-insensitively: AWS's own examples filter State on "Missing".
            sql.append(" AND upper(")
                    .append(column)
                    .append(") = ANY(:")
                    .append(param)
                    .append(")");
            binds.add(Map.entry(
                    param,
                    f.values() == null
                            ? List.of()
                            : f.values().stream()
                                    .map(v -> v.toUpperCase(java.util.Locale.ROOT))
                                    .toList()));
        }
        sql.append(" ORDER BY kb_id LIMIT :limit");
        boolean known = store.jdbi().withHandle(h -> h.createQuery(
                                "SELECT count(*) FROM managed_instances WHERE instance_id = :id AND deregistered_at IS NULL")
                        .bind("id", q.instanceId())
                        .mapTo(Integer.class)
                        .one())
                > 0;
        if (!known) {
            throw new ApiException("InvalidInstanceId", "Instance Id " + q.instanceId() + " isn't valid.");
        }
        List<String[]> rows = store.jdbi().withHandle(h -> {
            Query query = h.createQuery(sql.toString())
                    .bind("id", q.instanceId())
                    .bind("after", after)
                    .bind("limit", size + 1);
            binds.forEach(b -> query.bindArray(b.getKey(), String.class, b.getValue()));
            return query.map((rs, ctx) -> new String[] {
                        rs.getString("title"),
                        rs.getString("kb_id"),
                        rs.getString("classification"),
                        rs.getString("severity"),
                        rs.getString("state"),
                        rs.getString("cve_ids")
                    })
                    .list();
        });
        List<PatchComplianceData> patches = rows.stream()
                .limit(size)
                .map(r -> new PatchComplianceData(r[0], r[1], r[2], r[3], r[4], java.time.Instant.EPOCH, r[5]))
                .toList();
        String next = rows.size() > size ? PageToken.encode("patches/" + q.instanceId(), rows.get(size - 1)[1]) : null;
        return new DescribeInstancePatchesResult(patches, next);
    }
}
