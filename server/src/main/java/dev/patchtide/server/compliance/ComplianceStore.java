package dev.patchtide.server.compliance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceItem;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceItemEntry;
import dev.patchtide.server.compliance.ComplianceMessages.ExecutionSummary;
import dev.patchtide.server.compliance.ComplianceMessages.PutComplianceItemsRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * Stored compliance items (every type but Patch) and their per-resource summary rows, which are
 * rewritten in the same transaction as the items so listings never aggregate items.
 */
final class ComplianceStore {
    static final String RESOURCE_TYPE = "ManagedInstance";
    /** Systems Manager's limit on custom compliance types per resource. */
    static final int MAX_CUSTOM_TYPES = 10;
    /** The key of an item sent without an Id starts with this; clients' Ids may not. */
    static final String NO_ID_PREFIX = "\u0001";

    private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {};
    private static final String SEVERITY_ORDER =
            "ARRAY['CRITICAL','HIGH','MEDIUM','LOW','INFORMATIONAL','UNSPECIFIED']";

    private final Jdbi jdbi;
    private final ObjectMapper json = ApiJson.documents();

    ComplianceStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** Stores the items whole or not at all; returns false when ItemContentHash says nothing changed. */
    boolean put(PutComplianceItemsRequest q, boolean partial) {
        return jdbi.inTransaction(h -> {
            lockRegistered(h, q.resourceId());
            Optional<Optional<String>> stored = h.createQuery("SELECT item_content_hash FROM compliance_summaries"
                            + " WHERE resource_id = :r AND compliance_type = :t")
                    .bind("r", q.resourceId())
                    .bind("t", q.complianceType())
                    .map((rs, ctx) -> Optional.ofNullable(rs.getString(1)))
                    .findOne();
            if (q.itemContentHash() != null
                    && stored.isPresent()
                    && stored.get().equals(Optional.of(q.itemContentHash()))) {
                return false;
            }
            if (stored.isEmpty() && q.complianceType().startsWith("Custom:")) {
                int types = h.createQuery("SELECT count(*) FROM compliance_summaries WHERE resource_id = :r"
                                + " AND compliance_type LIKE 'Custom:%'")
                        .bind("r", q.resourceId())
                        .mapTo(Integer.class)
                        .one();
                if (types >= MAX_CUSTOM_TYPES) {
                    throw new ApiException.Invalid(
                            "ComplianceTypeCountLimitExceededException",
                            "Resource " + q.resourceId() + " already has " + types
                                    + " custom compliance types; you can specify a maximum of " + MAX_CUSTOM_TYPES
                                    + " different types.");
                }
            }
            if (!partial) {
                h.createUpdate("DELETE FROM compliance_items WHERE resource_id = :r AND compliance_type = :t")
                        .bind("r", q.resourceId())
                        .bind("t", q.complianceType())
                        .execute();
            }
            insertItems(h, q);
            refreshSummary(h, q);
            return true;
        });
    }

    private void insertItems(Handle h, PutComplianceItemsRequest q) {
        if (q.items().isEmpty()) {
            return;
        }
        ExecutionSummary e = q.executionSummary();
        PreparedBatch batch = h.prepareBatch("INSERT INTO compliance_items (resource_id, compliance_type, item_key,"
                + " item_id, title, severity, status, details, execution_time, execution_id, execution_type)"
                + " VALUES (:r, :t, :key, :id, :title, :severity, :status, CAST(:details AS jsonb), :time, :eid,"
                + " :etype) ON CONFLICT (resource_id, compliance_type, item_key) DO UPDATE SET"
                + " title = EXCLUDED.title, severity = EXCLUDED.severity, status = EXCLUDED.status,"
                + " details = EXCLUDED.details, execution_time = EXCLUDED.execution_time,"
                + " execution_id = EXCLUDED.execution_id, execution_type = EXCLUDED.execution_type");
        for (int i = 0; i < q.items().size(); i++) {
            ComplianceItemEntry item = q.items().get(i);
            batch.bind("r", q.resourceId())
                    .bind("t", q.complianceType())
                    .bind(
                            "key",
                            item.id() == null
                                    ? NO_ID_PREFIX + String.format(java.util.Locale.ROOT, "%05d", i)
                                    : item.id())
                    .bind("id", item.id())
                    .bind("title", item.title())
                    .bind("severity", item.severity())
                    .bind("status", item.status())
                    .bind("details", detailsJson(item.details()))
                    .bind("time", e.executionTime())
                    .bind("eid", e.executionId())
                    .bind("etype", e.executionType())
                    .add();
        }
        batch.execute();
    }

    /**
     * Rewrites the resource's summary row for the type from its items; no items, no row. Its
     * OverallSeverity is the worst non-compliant item's, or for a compliant resource the worst item's.
     */
    private static void refreshSummary(Handle h, PutComplianceItemsRequest q) {
        h.createUpdate("DELETE FROM compliance_summaries WHERE resource_id = :r AND compliance_type = :t")
                .bind("r", q.resourceId())
                .bind("t", q.complianceType())
                .execute();
        StringBuilder counts = new StringBuilder();
        for (String status : List.of("COMPLIANT", "NON_COMPLIANT")) {
            for (String severity : ComplianceMessages.SEVERITIES) {
                counts.append(", count(*) FILTER (WHERE status = '")
                        .append(status)
                        .append("' AND severity = '")
                        .append(severity)
                        .append("')");
            }
        }
        String bySeverity = "array_agg(severity ORDER BY array_position(" + SEVERITY_ORDER + ", severity))";
        h.createUpdate("INSERT INTO compliance_summaries (resource_id, compliance_type, status, overall_severity,"
                        + " execution_time, execution_id, execution_type, item_content_hash, compliant_critical,"
                        + " compliant_high, compliant_medium, compliant_low, compliant_informational,"
                        + " compliant_unspecified, non_compliant_critical, non_compliant_high,"
                        + " non_compliant_medium, non_compliant_low, non_compliant_informational,"
                        + " non_compliant_unspecified)"
                        + " SELECT :r, :t,"
                        + " CASE WHEN bool_or(status = 'NON_COMPLIANT') THEN 'NON_COMPLIANT' ELSE 'COMPLIANT' END,"
                        + " coalesce((" + bySeverity + " FILTER (WHERE status = 'NON_COMPLIANT'))[1],"
                        + " (" + bySeverity + ")[1]),"
                        + " :time, :eid, :etype, :hash" + counts
                        + " FROM compliance_items WHERE resource_id = :r AND compliance_type = :t"
                        + " HAVING count(*) > 0")
                .bind("r", q.resourceId())
                .bind("t", q.complianceType())
                .bind("time", q.executionSummary().executionTime())
                .bind("eid", q.executionSummary().executionId())
                .bind("etype", q.executionSummary().executionType())
                .bind("hash", q.itemContentHash())
                .execute();
    }

    /** Drops an instance's stored compliance; runs inside its deregistration. */
    static void forget(Handle h, String instanceId) {
        h.createUpdate("DELETE FROM compliance_items WHERE resource_id = :r")
                .bind("r", instanceId)
                .execute();
        h.createUpdate("DELETE FROM compliance_summaries WHERE resource_id = :r")
                .bind("r", instanceId)
                .execute();
    }

    /** Locks a registered instance's row for the transaction, so puts on one resource run one at a time. */
    static void lockRegistered(Handle h, String resourceId) {
        h.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id"
                        + " AND deregistered_at IS NULL FOR UPDATE")
                .bind("id", resourceId)
                .mapTo(String.class)
                .findOne()
                .orElseThrow(() -> invalidResourceId(resourceId));
    }

    static ApiException invalidResourceId(String resourceId) {
        return new ApiException.Invalid(
                "InvalidResourceId", "Resource " + resourceId + " isn't a registered managed instance.");
    }

    /**
     * One page of a resource's stored items ordered by type and key, after ({@code afterType},
     * {@code afterKey}), matching the filters.
     */
    List<Stored> items(
            Handle h, String resourceId, String afterType, String afterKey, ComplianceFilters filters, int limit) {
        Query query = h.createQuery("SELECT * FROM compliance_items WHERE resource_id = :r"
                        + " AND (compliance_type, item_key) > (:afterType, :afterKey)" + filters.sql()
                        + " ORDER BY compliance_type, item_key LIMIT :limit")
                .bind("r", resourceId)
                .bind("afterType", afterType)
                .bind("afterKey", afterKey)
                .bind("limit", limit);
        filters.bind(query);
        return query.map((rs, ctx) -> toStored(rs)).list();
    }

    /** A stored item and its key (for paging). */
    record Stored(String key, ComplianceItem item) {}

    private Stored toStored(ResultSet rs) throws SQLException {
        return new Stored(
                rs.getString("item_key"),
                new ComplianceItem(
                        rs.getString("compliance_type"),
                        RESOURCE_TYPE,
                        rs.getString("resource_id"),
                        rs.getString("item_id"),
                        rs.getString("title"),
                        rs.getString("status"),
                        rs.getString("severity"),
                        new ExecutionSummary(
                                rs.getTimestamp("execution_time").toInstant(),
                                rs.getString("execution_id"),
                                rs.getString("execution_type")),
                        readDetails(rs.getString("details"))));
    }

    private String detailsJson(Map<String, String> details) {
        try {
            return json.writeValueAsString(details == null ? Map.of() : details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    private Map<String, String> readDetails(String text) {
        try {
            return json.readValue(text, DETAILS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("details column holds JSON objects of strings", e);
        }
    }

    /** The JSON size of one item as stored, for the size limits. */
    int sizeOf(ComplianceItemEntry item) {
        return (item.id() == null ? 0 : item.id().length())
                + (item.title() == null ? 0 : item.title().length())
                + detailsJson(item.details()).length();
    }
}
