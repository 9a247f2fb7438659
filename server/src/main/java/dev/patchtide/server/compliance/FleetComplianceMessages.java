package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.time.Instant;
import java.util.List;

/** Request and response shapes of Patchtide's fleet compliance actions, in AWS member naming. */
public final class FleetComplianceMessages {
    private FleetComplianceMessages() {}

    static final int MAX_PAGE = 100;

    public record GetFleetComplianceSummaryRequest(String patchGroup) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("patchGroup", patchGroup, 1, 256);
        }
    }

    /**
     * Compliance counts of a set of instances. Patch counts (critical, security, other) are sums over the
     * non-compliant instances, as DescribeInstancePatchStates reports them per instance; the
     * {@code InstancesWith…} members count instances, as DescribePatchGroupState does. Critical and
     * security overlap (a missing security patch may be critical); security plus other is all missing.
     */
    public record ComplianceSummary(
            String patchGroup,
            int instanceCount,
            int compliantCount,
            int nonCompliantCount,
            int notScannedCount,
            int instancesWithCriticalNonCompliantPatches,
            int instancesWithSecurityNonCompliantPatches,
            int instancesWithOtherNonCompliantPatches,
            long criticalNonCompliantCount,
            long securityNonCompliantCount,
            long otherNonCompliantCount) {

        static ComplianceSummary empty(String patchGroup) {
            return new ComplianceSummary(patchGroup, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        ComplianceSummary plus(ComplianceSummary o, String group) {
            return new ComplianceSummary(
                    group,
                    instanceCount + o.instanceCount,
                    compliantCount + o.compliantCount,
                    nonCompliantCount + o.nonCompliantCount,
                    notScannedCount + o.notScannedCount,
                    instancesWithCriticalNonCompliantPatches + o.instancesWithCriticalNonCompliantPatches,
                    instancesWithSecurityNonCompliantPatches + o.instancesWithSecurityNonCompliantPatches,
                    instancesWithOtherNonCompliantPatches + o.instancesWithOtherNonCompliantPatches,
                    criticalNonCompliantCount + o.criticalNonCompliantCount,
                    securityNonCompliantCount + o.securityNonCompliantCount,
                    otherNonCompliantCount + o.otherNonCompliantCount);
        }
    }

    /**
     * @param total the whole fleet, or the one patch group asked for
     * @param patchGroups per patch group, by name; instances in no patch group are under ""
     * @param generatedAt when these counts were taken: they may be up to {@link FleetSummaryCache#MAX_AGE} old
     */
    public record GetFleetComplianceSummaryResult(
            ComplianceSummary total, List<ComplianceSummary> patchGroups, Instant generatedAt) {}

    public record ComplianceFilter(String key, List<String> values) {}

    public record ListInstanceComplianceRequest(List<ComplianceFilter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.size("filters", filters, 0, 10).range("maxResults", maxResults, 1, MAX_PAGE);
            if (filters == null) {
                return;
            }
            for (int i = 0; i < filters.size(); i++) {
                ComplianceFilter f = filters.get(i);
                String at = "filters." + (i + 1) + ".member";
                if (f == null) {
                    v.required(at, null);
                    continue;
                }
                v.required(at + ".key", f.key())
                        .length(at + ".key", f.key(), 1, 163)
                        .required(at + ".values", f.values())
                        .size(at + ".values", f.values(), 1, 50);
                if (f.values() != null) {
                    for (String value : f.values()) {
                        v.required(at + ".values", value).length(at + ".values", value, 0, 256);
                    }
                }
            }
        }
    }

    /**
     * One instance's compliance. Counts, baseline and scan time are absent until its first scan; the patch
     * group is the one its last scan was judged by, or its current {@code Patch Group} tag before any scan.
     */
    public record InstanceCompliance(
            String instanceId,
            String name,
            String computerName,
            String pingStatus,
            String patchGroup,
            String baselineId,
            String status,
            Integer missingCount,
            Integer criticalNonCompliantCount,
            Integer securityNonCompliantCount,
            Integer otherNonCompliantCount,
            Integer installedOtherCount,
            Boolean rebootRequired,
            Instant lastScanTime,
            List<Tag> tags) {}

    public record ListInstanceComplianceResult(List<InstanceCompliance> instances, String nextToken) {}
}
