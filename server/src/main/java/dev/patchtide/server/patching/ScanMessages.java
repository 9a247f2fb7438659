package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The agent's scan report (Patchtide's own action) and the SSM patch-state shapes it feeds. */
final class ScanMessages {
    private ScanMessages() {}

    static final Pattern MANAGED_INSTANCE_ID = Pattern.compile("^mi-[0-9a-f]{17}$");

    /** AWS-RunPatchBaseline's operations and reboot options, as InstancePatchState names them. */
    static final java.util.Set<String> OPERATIONS = java.util.Set.of("Scan", "Install");

    static final java.util.Set<String> REBOOT_OPTIONS = java.util.Set.of("RebootIfNeeded", "NoReboot");

    /** AWS's SnapshotId: a GUID. */
    static final Pattern SNAPSHOT_ID =
            Pattern.compile("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$");

    record ReportedPatch(
            String name,
            String arch,
            String installedVersion,
            String availableVersion,
            String product,
            String classification,
            String severity,
            String priority,
            String section,
            Boolean security,
            String releaseDate,
            @com.fasterxml.jackson.annotation.JsonProperty("CVEIds") List<String> cveIds) {}

    /** An installed package; InstalledTime where the OS records it (rpm), else absent. */
    record ReportedPackage(String name, String arch, String version, Instant installedTime) {
        InstalledPackage toCore() {
            return new InstalledPackage(name, arch, version, Optional.ofNullable(installedTime));
        }
    }

    /**
     * A scan. Inventory (every installed package) is sent only when its InventoryHash is one the server may
     * not hold; otherwise the hash alone names it, and the server answers {@code InventoryRequired} if it
     * does not know it. Reports without either (older agents) give just InstalledCount.
     */
    record PutPatchScanReportRequest(
            String instanceId,
            String operatingSystem,
            String product,
            Instant operationStartTime,
            Instant operationEndTime,
            Integer installedCount,
            String inventoryHash,
            List<ReportedPackage> inventory,
            Boolean rebootRequired,
            List<String> rebootRequiredPackages,
            List<String> failedPackages,
            List<ReportedPatch> patches,
            String patchesHash,
            String operation,
            String rebootOption,
            String snapshotId,
            String installOverrideList)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.oneOf("operation", operation, OPERATIONS)
                    .oneOf("rebootOption", rebootOption, REBOOT_OPTIONS)
                    .pattern("snapshotId", snapshotId, SNAPSHOT_ID)
                    .length("installOverrideList", installOverrideList, 1, 256);
            v.required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, MANAGED_INSTANCE_ID)
                    .required("operatingSystem", operatingSystem)
                    .oneOf("operatingSystem", operatingSystem, BaselineMessages.OPERATING_SYSTEMS)
                    .required("operationStartTime", operationStartTime)
                    .required("operationEndTime", operationEndTime)
                    .range("installedCount", installedCount, 0, 1_000_000)
                    .length("product", product, 0, 128)
                    .pattern("inventoryHash", inventoryHash, SHA256)
                    .size("inventory", inventory, 0, 200_000)
                    .size("rebootRequiredPackages", rebootRequiredPackages, 0, 200_000)
                    .size("failedPackages", failedPackages, 0, 200_000)
                    .size("patches", patches, 0, 20_000)
                    .pattern("patchesHash", patchesHash, SHA256);
            if (patchesHash == null) {
                v.required("patches", patches);
            }
            if (inventoryHash == null) {
                v.required("installedCount", installedCount);
                v.check(inventory == null, "inventoryHash: required when inventory is given");
            }
            validateInventory(v);
            validateNames(v, "rebootRequiredPackages", rebootRequiredPackages);
            validateNames(v, "failedPackages", failedPackages);
            if (operationStartTime != null && operationEndTime != null) {
                v.check(
                        !operationEndTime.isBefore(operationStartTime),
                        "operationEndTime must not be before operationStartTime");
            }
            for (int i = 0; patches != null && i < patches.size(); i++) {
                ReportedPatch p = patches.get(i);
                String at = "patches." + (i + 1) + ".member";
                if (p == null) {
                    v.required(at, null);
                    continue;
                }
                v.required(at + ".name", p.name())
                        .length(at + ".name", p.name(), 1, 256)
                        .required(at + ".arch", p.arch())
                        .required(at + ".installedVersion", p.installedVersion())
                        .required(at + ".availableVersion", p.availableVersion())
                        .check(
                                p.releaseDate() == null || isDate(p.releaseDate()),
                                at + ".releaseDate: '" + p.releaseDate() + "' is not a YYYY-MM-DD date");
            }
        }

        /**
         * Checks each package cheaply (a first report carries ~1,500) and names one only when it is bad. That
         * inventoryHash is the inventory's SHA-256 is checked where the inventory is stored, from the same
         * canonical text that is stored (ScanIngest), not here: building it twice was a tenth of a first report.
         */
        private void validateInventory(Validation v) {
            if (inventory == null) {
                return;
            }
            for (int i = 0; i < inventory.size(); i++) {
                ReportedPackage p = inventory.get(i);
                boolean present = p != null && p.name() != null && p.arch() != null && p.version() != null;
                if (present
                        && !p.name().isEmpty()
                        && p.name().length() <= 256
                        && plain(p.name())
                        && plain(p.arch())
                        && plain(p.version())) {
                    continue;
                }
                String at = "inventory." + (i + 1) + ".member";
                if (!present) {
                    v.required(at + ".name", p == null ? null : p.name())
                            .required(at + ".arch", p == null ? null : p.arch())
                            .required(at + ".version", p == null ? null : p.version());
                    continue;
                }
                v.length(at + ".name", p.name(), 1, 256)
                        .check(
                                plain(p.name()) && plain(p.arch()) && plain(p.version()),
                                at + ": name, arch and version must not contain tabs or line breaks");
            }
        }
    }

    /** No tab or line break (they separate the stored inventory's fields); a loop, as it runs per package. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                return false;
            }
        }
        return true;
    }

    static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    private static void validateNames(Validation v, String field, List<String> names) {
        for (int i = 0; names != null && i < names.size(); i++) {
            v.required(field + "." + (i + 1) + ".member", names.get(i))
                    .length(field + "." + (i + 1) + ".member", names.get(i), 1, 512);
        }
    }

    private static boolean isDate(String text) {
        try {
            java.time.LocalDate.parse(text);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /**
     * {@code patchesHash} names the patch list judged: an agent whose next scan finds the same list may send
     * this hash instead of the list (the server answers {@code PatchesRequired} if it no longer holds it).
     */
    record PutPatchScanReportResult(
            String snapshotId,
            String baselineId,
            String complianceStatus,
            int missingCount,
            boolean inventoryStored,
            String patchesHash) {}

    record DescribeInstancePatchStatesRequest(List<String> instanceIds, String nextToken, Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("instanceIds", instanceIds)
                    .size("instanceIds", instanceIds, 0, 50)
                    .range("maxResults", maxResults, 10, 100);
        }
    }

    record InstancePatchStateFilter(String key, List<String> values, String type) {}

    record DescribeInstancePatchStatesForPatchGroupRequest(
            String patchGroup, List<InstancePatchStateFilter> filters, String nextToken, Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("patchGroup", patchGroup)
                    .length("patchGroup", patchGroup, 1, 256)
                    .size("filters", filters, 0, 4)
                    .range("maxResults", maxResults, 10, 100);
            for (int i = 0; filters != null && i < filters.size(); i++) {
                InstancePatchStateFilter f = filters.get(i);
                String at = "filters." + (i + 1) + ".member";
                v.required(at + ".key", f.key())
                        .required(at + ".values", f.values())
                        .size(at + ".values", f.values(), 1, 1)
                        .required(at + ".type", f.type())
                        .oneOf(
                                at + ".type",
                                f.type(),
                                java.util.Set.of("Equal", "NotEqual", "LessThan", "GreaterThan"));
            }
        }
    }

    record InstancePatchState(
            String instanceId,
            String patchGroup,
            String baselineId,
            String snapshotId,
            int installedCount,
            int installedOtherCount,
            int installedPendingRebootCount,
            int installedRejectedCount,
            int missingCount,
            int failedCount,
            int notApplicableCount,
            int unreportedNotApplicableCount,
            int availableSecurityUpdateCount,
            Instant operationStartTime,
            Instant operationEndTime,
            String operation,
            String rebootOption,
            Instant lastNoRebootInstallOperationTime,
            String installOverrideList,
            int criticalNonCompliantCount,
            int securityNonCompliantCount,
            int otherNonCompliantCount) {}

    record DescribeInstancePatchStatesResult(List<InstancePatchState> instancePatchStates, String nextToken) {}

    record DescribeInstancePatchesRequest(
            String instanceId,
            List<BaselineMessages.PatchOrchestratorFilter> filters,
            String nextToken,
            Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("instanceId", instanceId).range("maxResults", maxResults, 10, 100);
        }
    }

    record PatchComplianceData(
            String title,
            @com.fasterxml.jackson.annotation.JsonProperty("KBId") String kbId,
            String classification,
            String severity,
            String state,
            Instant installedTime,
            @com.fasterxml.jackson.annotation.JsonProperty("CVEIds") String cveIds) {}

    record DescribeInstancePatchesResult(List<PatchComplianceData> patches, String nextToken) {}
}
