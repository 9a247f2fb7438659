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
 * The two summary listings, over one relation: the stored per-resource summary rows of custom types
 * plus the Patch summaries the patching feature computes. Filtering, ordering and counting happen in the
 * database, on indexed columns.
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
    private static final String ALL_SUMMARIES =
            "(SELECT " + COLUMNS + " FROM compliance_summaries UNION ALL " + PatchComplianceItems.SUMMARIES_SQL + ") s";

    private final Jdbi jdbi;

    SummaryQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Summaries ordered by resource and type, after ({@code afterResource}, {@code afterType}). */
    List<ResourceComplianceSummaryItem> resourceSummaries(
            ComplianceFilters filters, String afterResource, String afterType, int limit) {
        return jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT * FROM " + ALL_SUMMARIES + " WHERE resource_id >= :afterResource"
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
        List<Count> counts = jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT compliance_type, status, overall_severity, count(*) AS resources"
                            + " FROM " + ALL_SUMMARIES + " WHERE compliance_type > :afterType" + filters.sql()
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
