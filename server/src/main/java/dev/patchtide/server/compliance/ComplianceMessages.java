package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of Systems Manager's compliance actions, with botocore's constraints. */
final class ComplianceMessages {
    private ComplianceMessages() {}

    static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED");
    static final List<String> STATUSES = List.of("COMPLIANT", "NON_COMPLIANT");
    static final Pattern MANAGED_INSTANCE_ID = Pattern.compile("^mi-[0-9a-f]{17}$");
    static final Pattern COMPLIANCE_TYPE = Pattern.compile("[A-Za-z0-9_\\-]\\w+|Custom:[a-zA-Z0-9_\\-]\\w+");
    static final Set<String> OPERATORS = Set.of("EQUAL", "NOT_EQUAL", "BEGIN_WITH", "LESS_THAN", "GREATER_THAN");
    static final int MAX_ITEMS = 10_000;

    record ExecutionSummary(Instant executionTime, String executionId, String executionType) {}

    record ComplianceItemEntry(String id, String title, String severity, String status, Map<String, String> details) {}

    record PutComplianceItemsRequest(
            String resourceId,
            String resourceType,
            String complianceType,
            ExecutionSummary executionSummary,
            List<ComplianceItemEntry> items,
            String itemContentHash,
            String uploadType)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceId", resourceId)
                    .length("resourceId", resourceId, 1, 100)
                    .required("resourceType", resourceType)
                    .length("resourceType", resourceType, 1, 50)
                    .required("complianceType", complianceType)
                    .length("complianceType", complianceType, 1, 100)
                    .pattern("complianceType", complianceType, COMPLIANCE_TYPE)
                    .required("executionSummary", executionSummary)
                    .required("items", items)
                    // Said without echoing the list, which can be long.
                    .check(
                            items == null || items.size() <= MAX_ITEMS,
                            "Value with " + (items == null ? 0 : items.size()) + " members at 'items' failed to"
                                    + " satisfy constraint: Member must have length less than or equal to "
                                    + MAX_ITEMS)
                    .length("itemContentHash", itemContentHash, 0, 256)
                    .oneOf("uploadType", uploadType, List.of("COMPLETE", "PARTIAL"));
            if (executionSummary != null) {
                v.required("executionSummary.executionTime", executionSummary.executionTime())
                        .length("executionSummary.executionId", executionSummary.executionId(), 0, 100)
                        .length("executionSummary.executionType", executionSummary.executionType(), 0, 50);
            }
            for (int i = 0; items != null && i < items.size(); i++) {
                ComplianceItemEntry item = items.get(i);
                String at = "items." + (i + 1) + ".member";
                if (item == null) {
                    v.required(at, null);
                    continue;
                }
                v.length(at + ".title", item.title(), 0, 500)
                        .required(at + ".severity", item.severity())
                        .oneOf(at + ".severity", item.severity(), SEVERITIES)
                        .required(at + ".status", item.status())
                        .oneOf(at + ".status", item.status(), STATUSES);
                if (item.details() != null) {
                    item.details().forEach((key, value) -> {
                        v.length(at + ".details.key", key, 1, 64);
                        v.length(at + ".details.value", value, 0, 4096);
                    });
                }
            }
        }
    }

    record Empty() {}

    record ComplianceStringFilter(String key, List<String> values, String type) {}

    /** Filters, as all three listings take them. */
    static void validateFilters(Validation v, List<ComplianceStringFilter> filters) {
        for (int i = 0; filters != null && i < filters.size(); i++) {
            ComplianceStringFilter f = filters.get(i);
            String at = "filters." + (i + 1) + ".member";
            if (f == null) {
                v.required(at, null);
                continue;
            }
            v.length(at + ".key", f.key(), 1, 200)
                    .size(at + ".values", f.values(), 1, 20)
                    .oneOf(at + ".type", f.type(), OPERATORS);
        }
    }

    record ListComplianceItemsRequest(
            List<ComplianceStringFilter> filters,
            List<String> resourceIds,
            List<String> resourceTypes,
            String nextToken,
            Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validateFilters(v, filters);
            v.size("resourceIds", resourceIds, 1, Integer.MAX_VALUE)
                    .size("resourceTypes", resourceTypes, 1, Integer.MAX_VALUE)
                    .range("maxResults", maxResults, 1, 50);
            for (int i = 0; resourceIds != null && i < resourceIds.size(); i++) {
                v.required("resourceIds." + (i + 1) + ".member", resourceIds.get(i))
                        .length("resourceIds." + (i + 1) + ".member", resourceIds.get(i), 1, 100);
            }
            for (int i = 0; resourceTypes != null && i < resourceTypes.size(); i++) {
                v.required("resourceTypes." + (i + 1) + ".member", resourceTypes.get(i))
                        .length("resourceTypes." + (i + 1) + ".member", resourceTypes.get(i), 1, 50);
            }
        }
    }

    record ComplianceItem(
            String complianceType,
            String resourceType,
            String resourceId,
            String id,
            String title,
            String status,
            String severity,
            ExecutionSummary executionSummary,
            Map<String, String> details) {}

    record ListComplianceItemsResult(List<ComplianceItem> complianceItems, String nextToken) {}

    /** ListResourceComplianceSummaries and ListComplianceSummaries take the same request. */
    record ListSummariesRequest(List<ComplianceStringFilter> filters, String nextToken, Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validateFilters(v, filters);
            v.range("maxResults", maxResults, 1, 50);
        }
    }

    record SeveritySummary(
            int criticalCount,
            int highCount,
            int mediumCount,
            int lowCount,
            int informationalCount,
            int unspecifiedCount) {}

    record CompliantSummary(int compliantCount, SeveritySummary severitySummary) {}

    record NonCompliantSummary(int nonCompliantCount, SeveritySummary severitySummary) {}

    record ResourceComplianceSummaryItem(
            String complianceType,
            String resourceType,
            String resourceId,
            String status,
            String overallSeverity,
            ExecutionSummary executionSummary,
            CompliantSummary compliantSummary,
            NonCompliantSummary nonCompliantSummary) {}

    record ListResourceComplianceSummariesResult(
            List<ResourceComplianceSummaryItem> resourceComplianceSummaryItems, String nextToken) {}

    record ComplianceSummaryItem(
            String complianceType, CompliantSummary compliantSummary, NonCompliantSummary nonCompliantSummary) {}

    record ListComplianceSummariesResult(List<ComplianceSummaryItem> complianceSummaryItems, String nextToken) {}
}
