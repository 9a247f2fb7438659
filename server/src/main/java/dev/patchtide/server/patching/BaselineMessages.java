package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of the patch-baseline actions, as in SSM's service model. */
final class BaselineMessages {
    private BaselineMessages() {}

    static final Pattern BASELINE_ID = Pattern.compile("^[a-zA-Z0-9_\\-:/]{20,128}$");
    static final Pattern BASELINE_NAME = Pattern.compile("^[a-zA-Z0-9_\\-.]{3,128}$");
    static final Pattern PATCH_GROUP = Pattern.compile("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");
    static final Set<String> OPERATING_SYSTEMS = Set.of(
            "WINDOWS",
            "AMAZON_LINUX",
            "AMAZON_LINUX_2",
            "AMAZON_LINUX_2022",
            "UBUNTU",
            "REDHAT_ENTERPRISE_LINUX",
            "SUSE",
            "CENTOS",
            "ORACLE_LINUX",
            "DEBIAN",
            "MACOS",
            "RASPBIAN",
            "ROCKY_LINUX",
            "ALMA_LINUX",
            "AMAZON_LINUX_2023");
    static final Set<String> COMPLIANCE_LEVELS =
            Set.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED");

    record PatchFilter(String key, List<String> values) {}

    record PatchFilterGroup(List<PatchFilter> patchFilters) {}

    record PatchRule(
            PatchFilterGroup patchFilterGroup,
            String complianceLevel,
            Integer approveAfterDays,
            String approveUntilDate,
            Boolean enableNonSecurity) {}

    record PatchRuleGroup(List<PatchRule> patchRules) {}

    record PatchSource(String name, List<String> products, String configuration) {}

    /** Everything a baseline says, stored as one document; absent members stay absent. */
    record Definition(
            String name,
            String operatingSystem,
            PatchFilterGroup globalFilters,
            PatchRuleGroup approvalRules,
            List<String> approvedPatches,
            String approvedPatchesComplianceLevel,
            Boolean approvedPatchesEnableNonSecurity,
            List<String> rejectedPatches,
            String rejectedPatchesAction,
            String description,
            List<PatchSource> sources,
            String availableSecurityUpdatesComplianceStatus) {}

    record CreatePatchBaselineRequest(
            String operatingSystem,
            String name,
            PatchFilterGroup globalFilters,
            PatchRuleGroup approvalRules,
            List<String> approvedPatches,
            String approvedPatchesComplianceLevel,
            Boolean approvedPatchesEnableNonSecurity,
            List<String> rejectedPatches,
            String rejectedPatchesAction,
            String description,
            List<PatchSource> sources,
            String availableSecurityUpdatesComplianceStatus,
            String clientToken,
            List<Tag> tags)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name).length("clientToken", clientToken, 1, 64).size("tags", tags, 0, 1000);
            Tag.validate(tags, "tags", v);
            BaselineRules.validate(definition(), v);
        }

        Definition definition() {
            return new Definition(
                    name,
                    operatingSystem == null ? "WINDOWS" : operatingSystem,
                    globalFilters,
                    approvalRules,
                    approvedPatches == null ? List.of() : approvedPatches,
                    approvedPatchesComplianceLevel == null ? "UNSPECIFIED" : approvedPatchesComplianceLevel,
                    approvedPatchesEnableNonSecurity == null ? Boolean.FALSE : approvedPatchesEnableNonSecurity,
                    rejectedPatches == null ? List.of() : rejectedPatches,
                    rejectedPatchesAction == null ? "ALLOW_AS_DEPENDENCY" : rejectedPatchesAction,
                    description,
                    sources == null ? List.of() : sources,
                    availableSecurityUpdatesComplianceStatus);
        }
    }

    record UpdatePatchBaselineRequest(
            String baselineId,
            String name,
            PatchFilterGroup globalFilters,
            PatchRuleGroup approvalRules,
            List<String> approvedPatches,
            String approvedPatchesComplianceLevel,
            Boolean approvedPatchesEnableNonSecurity,
            List<String> rejectedPatches,
            String rejectedPatchesAction,
            String description,
            List<PatchSource> sources,
            String availableSecurityUpdatesComplianceStatus,
            Boolean replace)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            BaselineId.validate(baselineId, v);
            v.pattern("name", name, BASELINE_NAME);
        }
    }

    record BaselineIdRequest(String baselineId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            BaselineId.validate(baselineId, v);
        }
    }

    record BaselineIdResult(String baselineId) {}

    record PatchGroupRequest(String baselineId, String patchGroup) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            BaselineId.validate(baselineId, v);
            v.required("patchGroup", patchGroup)
                    .length("patchGroup", patchGroup, 1, 256)
                    .pattern("patchGroup", patchGroup, PATCH_GROUP);
        }
    }

    record PatchGroupResult(String baselineId, String patchGroup) {}

    record GetPatchBaselineForPatchGroupRequest(String patchGroup, String operatingSystem) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("patchGroup", patchGroup)
                    .length("patchGroup", patchGroup, 1, 256)
                    .pattern("patchGroup", patchGroup, PATCH_GROUP)
                    .oneOf("operatingSystem", operatingSystem, OPERATING_SYSTEMS);
        }
    }

    record GetPatchBaselineForPatchGroupResult(String baselineId, String patchGroup, String operatingSystem) {}

    record GetDefaultPatchBaselineRequest(String operatingSystem) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.oneOf("operatingSystem", operatingSystem, OPERATING_SYSTEMS);
        }
    }

    record GetDefaultPatchBaselineResult(String baselineId, String operatingSystem) {}

    record PatchOrchestratorFilter(String key, List<String> values) {}

    record DescribeRequest(List<PatchOrchestratorFilter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.range("maxResults", maxResults, 1, 100).size("filters", filters, 0, 5);
        }
    }

    record PatchBaselineIdentity(
            String baselineId,
            String baselineName,
            String operatingSystem,
            String baselineDescription,
            boolean defaultBaseline) {}

    record DescribePatchBaselinesResult(List<PatchBaselineIdentity> baselineIdentities, String nextToken) {}

    record PatchGroupPatchBaselineMapping(String patchGroup, PatchBaselineIdentity baselineIdentity) {}

    record DescribePatchGroupsResult(List<PatchGroupPatchBaselineMapping> mappings, String nextToken) {}

    record GetPatchBaselineResult(
            String baselineId,
            String name,
            String operatingSystem,
            PatchFilterGroup globalFilters,
            PatchRuleGroup approvalRules,
            List<String> approvedPatches,
            String approvedPatchesComplianceLevel,
            Boolean approvedPatchesEnableNonSecurity,
            List<String> rejectedPatches,
            String rejectedPatchesAction,
            List<String> patchGroups,
            Instant createdDate,
            Instant modifiedDate,
            String description,
            List<PatchSource> sources,
            String availableSecurityUpdatesComplianceStatus) {

        static GetPatchBaselineResult of(
                String id, Definition d, List<String> groups, Instant created, Instant modified) {
            return new GetPatchBaselineResult(
                    id,
                    d.name(),
                    d.operatingSystem(),
                    d.globalFilters(),
                    d.approvalRules(),
                    d.approvedPatches(),
                    d.approvedPatchesComplianceLevel(),
                    d.approvedPatchesEnableNonSecurity(),
                    d.rejectedPatches(),
                    d.rejectedPatchesAction(),
                    groups,
                    created,
                    modified,
                    d.description(),
                    d.sources(),
                    d.availableSecurityUpdatesComplianceStatus());
        }
    }

    /** Ours are pb- plus 17 hex digits; AWS-style ARNs of baselines are accepted too. */
    static final class BaselineId {
        private BaselineId() {}

        static void validate(String baselineId, Validation v) {
            v.required("baselineId", baselineId)
                    .length("baselineId", baselineId, 20, 128)
                    .pattern("baselineId", baselineId, BASELINE_ID);
        }
    }
}
