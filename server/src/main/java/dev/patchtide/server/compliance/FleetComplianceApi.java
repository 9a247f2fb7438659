package dev.patchtide.server.compliance;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.compliance.FleetComplianceMessages.ComplianceSummary;
import dev.patchtide.server.compliance.FleetComplianceMessages.GetFleetComplianceSummaryRequest;
import dev.patchtide.server.compliance.FleetComplianceMessages.GetFleetComplianceSummaryResult;
import dev.patchtide.server.compliance.FleetComplianceMessages.InstanceCompliance;
import dev.patchtide.server.compliance.FleetComplianceMessages.ListInstanceComplianceRequest;
import dev.patchtide.server.compliance.FleetComplianceMessages.ListInstanceComplianceResult;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.fleet.Tag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Fleet-wide compliance for operators and the dashboard: {@code Patchtide.GetFleetComplianceSummary}
 * (counts, per patch group, from {@link FleetSummaryCache}) and {@code Patchtide.ListInstanceCompliance}
 * (instances with their counts and all their tags, filtered and paged by instance id).
 */
public final class FleetComplianceApi {
    private final Jdbi jdbi;
    private final PingStatusPolicy pingPolicy;
    private final InstantSource clock;
    private final FleetSummaryCache summaries;

    public FleetComplianceApi(Jdbi jdbi, PingStatusPolicy pingPolicy, InstantSource clock) {
        this.jdbi = jdbi;
        this.pingPolicy = pingPolicy;
        this.clock = clock;
        this.summaries = new FleetSummaryCache(jdbi, clock);
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.GetFleetComplianceSummary",
                GetFleetComplianceSummaryRequest.class,
                Access.adminOnly(),
                (q, who) -> summary(Optional.ofNullable(q.patchGroup()))));
        router.register(new Action<>(
                "Patchtide.ListInstanceCompliance",
                ListInstanceComplianceRequest.class,
                Access.adminOnly(),
                (q, who) -> list(q)));
    }

    public GetFleetComplianceSummaryResult summary(Optional<String> patchGroup) {
        FleetSummaryCache.Snapshot snapshot = summaries.get();
        List<ComplianceSummary> groups = patchGroup
                .map(g -> snapshot.groups().stream()
                        .filter(s -> s.patchGroup().equals(g))
                        .toList())
                .orElse(snapshot.groups());
        ComplianceSummary total = groups.stream().reduce(ComplianceSummary.empty(null), (a, b) -> a.plus(b, null));
        if (patchGroup.isPresent()) {
            total = groups.isEmpty() ? ComplianceSummary.empty(patchGroup.get()) : groups.getFirst();
        }
        return new GetFleetComplianceSummaryResult(total, groups, snapshot.takenAt());
    }

    public ListInstanceComplianceResult list(ListInstanceComplianceRequest q) {
        FleetComplianceQueries filters = FleetComplianceQueries.of(q.filters());
        int size = Objects.requireNonNullElse(q.maxResults(), 50);
        String after = PageToken.decode(filters.listing(), q.nextToken()).orElse("");
        String sql = filters.sql();
        Instant onlineSince = pingPolicy.onlineSince(clock.instant());
        List<InstanceCompliance> page = jdbi.withHandle(h -> {
            Query query = h.createQuery(sql)
                    .bind("after", after)
                    .bind("limit", size + 1)
                    .bind("onlineSince", onlineSince);
            filters.bind(query, sql);
            List<InstanceCompliance> rows = query.map((rs, ctx) -> row(rs)).list();
            Map<String, List<Tag>> tags = tagsOf(
                    h,
                    rows.stream()
                            .limit(size)
                            .map(InstanceCompliance::instanceId)
                            .toList());
            return rows.stream()
                    .map(r -> withTags(r, tags.getOrDefault(r.instanceId(), List.of())))
                    .toList();
        });
        if (page.size() <= size) {
            return new ListInstanceComplianceResult(page, null);
        }
        List<InstanceCompliance> shown = page.subList(0, size);
        return new ListInstanceComplianceResult(
                shown, PageToken.encode(filters.listing(), shown.getLast().instanceId()));
    }

    /** One registered instance's compliance with its tags, for the dashboard's drill-down. */
    public Optional<InstanceCompliance> instance(String instanceId) {
        return list(new ListInstanceComplianceRequest(
                        List.of(new FleetComplianceMessages.ComplianceFilter("InstanceIds", List.of(instanceId))),
                        1,
                        null))
                .instances()
                .stream()
                .findFirst();
    }

    public record PatchRow(
            String title,
            @JsonProperty("KBId") String kbId,
            String classification,
            String severity,
            String state,
            String complianceLevel,
            @JsonProperty("CVEIds") String cveIds) {}

    /**
     * The patches of the instance's last scan that make it non-compliant (missing, and failed or rejected
     * ones should scans ever report them), critical first.
     */
    public List<PatchRow> patches(String instanceId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM instance_patches WHERE instance_id = :id"
                        + " AND upper(state) IN ('MISSING', 'FAILED', 'INSTALLED_REJECTED')"
                        + " ORDER BY compliance_level <> 'CRITICAL', kb_id LIMIT :limit")
                .bind("id", instanceId)
                .bind("limit", limit)
                .map((rs, ctx) -> new PatchRow(
                        rs.getString("title"),
                        rs.getString("kb_id"),
                        rs.getString("classification"),
                        rs.getString("severity"),
                        rs.getString("state"),
                        rs.getString("compliance_level"),
                        rs.getString("cve_ids")))
                .list());
    }

    /** The tags of one page's instances, in one query. */
    private static Map<String, List<Tag>> tagsOf(Handle h, List<String> instanceIds) {
        Map<String, List<Tag>> byId = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return byId;
        }
        h.createQuery("SELECT resource_id, tag_key, tag_value FROM resource_tags WHERE resource_type ="
                        + " 'ManagedInstance' AND resource_id = ANY(:ids) ORDER BY resource_id, tag_key")
                .bindArray("ids", String.class, instanceIds)
                .map((rs, ctx) -> Map.entry(
                        rs.getString("resource_id"), new Tag(rs.getString("tag_key"), rs.getString("tag_value"))))
                .forEach(e -> byId.computeIfAbsent(e.getKey(), id -> new ArrayList<>())
                        .add(e.getValue()));
        return byId;
    }

    private static InstanceCompliance row(ResultSet rs) throws SQLException {
        Timestamp scanned = rs.getTimestamp("operation_end_time");
        return new InstanceCompliance(
                rs.getString("instance_id"),
                rs.getString("name"),
                rs.getString("computer_name"),
                rs.getString("ping_status"),
                rs.getString("patch_group"),
                rs.getString("baseline_id"),
                rs.getString("status"),
                integer(rs, "missing_count"),
                integer(rs, "critical_non_compliant_count"),
                integer(rs, "security_non_compliant_count"),
                integer(rs, "other_non_compliant_count"),
                integer(rs, "installed_other_count"),
                scanned == null ? null : rs.getBoolean("reboot_required"),
                scanned == null ? null : scanned.toInstant(),
                List.of());
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static InstanceCompliance withTags(InstanceCompliance r, List<Tag> tags) {
        return new InstanceCompliance(
                r.instanceId(),
                r.name(),
                r.computerName(),
                r.pingStatus(),
                r.patchGroup(),
                r.baselineId(),
                r.status(),
                r.missingCount(),
                r.criticalNonCompliantCount(),
                r.securityNonCompliantCount(),
                r.otherNonCompliantCount(),
                r.installedOtherCount(),
                r.rebootRequired(),
                r.lastScanTime(),
                List.copyOf(tags));
    }
}
