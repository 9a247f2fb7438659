package dev.patchtide.server.compliance;

import dev.patchtide.server.compliance.ComplianceMessages.ComplianceSummaryItem;
import dev.patchtide.server.compliance.ComplianceMessages.CompliantSummary;
import dev.patchtide.server.compliance.ComplianceMessages.ExecutionSummary;
import dev.patchtide.server.compliance.ComplianceMessages.NonCompliantSummary;
import dev.patchtide.server.compliance.ComplianceMessages.ResourceComplianceSummaryItem;
import dev.patchtide.server.compliance.ComplianceMessages.SeveritySummary;
import dev.patchtide.server.patching.PatchComplianceItems;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The two summary listings, over the per-resource summary table: rows of stored types are written with
 * their items; Patch rows are copied from the patching feature's summaries and refreshed, before each
 * listing and in its transaction, for just the instances whose patch execution changed since. Filtering,
 * ordering and counting happen in the database, on indexed columns.
 */
final class SummaryQueries {
    /** Filter keys both summary listings accept, and their columns. */
    static final Map<String, String> FILTER_COLUMNS = Map.of(
            "ComplianceType", "compliance_type",
            "Status", "status",
            "OverallSeverity", "overall_severity",
            "ResourceId", "resource_id",
            "ResourceType", "'" + ComplianceStore.RESOURCE_TYPE + "'",
            "ExecutionId", "execution_id",
            "ExecutionType", "execution_type");

    private static final String COLUMNS = "resource_id, compliance_type, status, overall_severity, execution_time,"
            + " execution_id, execution_type, compliant_critical, compliant_high, compliant_medium, compliant_low,"
            + " compliant_informational, compliant_unspecified, non_compliant_critical, non_compliant_high,"
            + " non_compliant_medium, non_compliant_low, non_compliant_informational, non_compliant_unspecified";
    private static final String PATCH = "'" + PatchComplianceItems.COMPLIANCE_TYPE + "'";
    private static final String DROP_STALE_PATCH_ROWS = "DELETE FROM compliance_summaries c"
            + " WHERE c.compliance_type = " + PATCH + " AND NOT EXISTS (SELECT 1 FROM ("
            + PatchComplianceItems.EXECUTIONS_SQL + ") e"
            + " WHERE e.resource_id = c.resource_id AND e.execution_id = c.execution_id)";
    private static final String ADD_MISSING_PATCH_ROWS = "INSERT INTO compliance_summaries (" + COLUMNS + ")"
            + " SELECT " + COLUMNS + " FROM (" + PatchComplianceItems.SUMMARIES_SQL + ") p"
            + " WHERE p.resource_id IN (SELECT e.resource_id FROM (" + PatchComplianceItems.EXECUTIONS_SQL
            + ") e WHERE NOT EXISTS (SELECT 1 FROM compliance_summaries c WHERE c.resource_id = e.resource_id"
            + " AND c.compliance_type = " + PATCH + "))"
            + " ON CONFLICT (resource_id, compliance_type) DO NOTHING";

    private final Jdbi jdbi;

    SummaryQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Summaries ordered by resource and type, after ({@code afterResource}, {@code afterType}). */
    List<ResourceComplianceSummaryItem> resourceSummaries(
            ComplianceFilters filters, String afterResource, String afterType, int limit) {
        refreshPatchRows();
        return jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT * FROM compliance_summaries WHERE resource_id >= :afterResource"
                            + " AND (resource_id > :afterResource OR compliance_type > :afterType)" + filters.sql()
                            + " ORDER BY resource_id, compliance_type LIMIT :limit")
                    .bind("afterResource", afterResource)
                    .bind("afterType", afterType)
                    .bind("limit", limit);
            filters.bind(query);
            return query.map((rs, ctx) -> toResourceSummary(rs)).list();
        });
    }

    /**
     * Per compliance type after {@code afterType}, at most {@code limit} types: how many resources are
     * compliant and non-compliant, each broken down by the resources' overall severity.
     */
    List<ComplianceSummaryItem> typeSummaries(ComplianceFilters filters, String afterType, int limit) {
        record Count(String type, String status, String severity, int resources) {}
        refreshPatchRows();
        List<Count> counts = jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT compliance_type, status, overall_severity, count(*) AS resources"
                            + " FROM compliance_summaries WHERE compliance_type > :afterType" + filters.sql()
                            + " GROUP BY compliance_type, status, overall_severity ORDER BY compliance_type")
                    .bind("afterType", afterType);
            filters.bind(query);
            return query.map((rs, ctx) -> new Count(
                            rs.getString("compliance_type"),
                            rs.getString("status"),
                            rs.getString("overall_severity"),
                            rs.getInt("resources")))
                    .list();
        });
        Map<String, Map<String, Integer>> compliant = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> nonCompliant = new LinkedHashMap<>();
        for (Count c : counts) {
            compliant.computeIfAbsent(c.type(), t -> new LinkedHashMap<>());
            nonCompliant.computeIfAbsent(c.type(), t -> new LinkedHashMap<>());
            (c.status().equals("COMPLIANT") ? compliant : nonCompliant)
                    .get(c.type())
                    .merge(c.severity(), c.resources(), Integer::sum);
        }
        List<ComplianceSummaryItem> items = new ArrayList<>();
        for (String type : compliant.keySet()) {
            if (items.size() == limit) {
                break;
            }
            Map<String, Integer> ok = compliant.get(type);
            Map<String, Integer> notOk = nonCompliant.get(type);
            items.add(new ComplianceSummaryItem(
                    type,
                    new CompliantSummary(total(ok), severities(ok)),
                    new NonCompliantSummary(total(notOk), severities(notOk))));
        }
        return items;
    }

    /**
     * Brings the Patch rows up to the instances' latest scans, in a transaction of its own; cheap when few
     * scans came in since the last listing. One refresh at a time, so concurrent ones never deadlock.
     */
    private void refreshPatchRows() {
        jdbi.useTransaction(h -> {
            h.createQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext('compliance-patch-summaries'))")
                    .mapTo(Integer.class)
                    .one();
            h.createUpdate(DROP_STALE_PATCH_ROWS).execute();
            h.createUpdate(ADD_MISSING_PATCH_ROWS).execute();
        });
    }

    private static int total(Map<String, Integer> bySeverity) {
        return bySeverity.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static SeveritySummary severities(Map<String, Integer> bySeverity) {
        return new SeveritySummary(
                bySeverity.getOrDefault("CRITICAL", 0),
                bySeverity.getOrDefault("HIGH", 0),
                bySeverity.getOrDefault("MEDIUM", 0),
                bySeverity.getOrDefault("LOW", 0),
                bySeverity.getOrDefault("INFORMATIONAL", 0),
                bySeverity.getOrDefault("UNSPECIFIED", 0));
    }

    private static ResourceComplianceSummaryItem toResourceSummary(ResultSet rs) throws SQLException {
        SeveritySummary ok = severities(rs, "compliant_");
        SeveritySummary notOk = severities(rs, "non_compliant_");
        return new ResourceComplianceSummaryItem(
                rs.getString("compliance_type"),
                ComplianceStore.RESOURCE_TYPE,
                rs.getString("resource_id"),
                rs.getString("status"),
                rs.getString("overall_severity"),
                new ExecutionSummary(
                        rs.getTimestamp("execution_time").toInstant(),
                        rs.getString("execution_id"),
                        rs.getString("execution_type")),
                new CompliantSummary(sum(ok), ok),
                new NonCompliantSummary(sum(notOk), notOk));
    }

    private static SeveritySummary severities(ResultSet rs, String prefix) throws SQLException {
        return new SeveritySummary(
                rs.getInt(prefix + "critical"),
                rs.getInt(prefix + "high"),
                rs.getInt(prefix + "medium"),
                rs.getInt(prefix + "low"),
                rs.getInt(prefix + "informational"),
                rs.getInt(prefix + "unspecified"));
    }

    private static int sum(SeveritySummary s) {
        return s.criticalCount()
                + s.highCount()
                + s.mediumCount()
                + s.lowCount()
                + s.informationalCount()
                + s.unspecifiedCount();
    }
}
