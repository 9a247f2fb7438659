package dev.patchtide.server.patching;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.List;

/** {@code Patchtide.GetPatchInstallPlan}: what an Install operation installs on one instance. */
final class InstallPlanMessages {
    private InstallPlanMessages() {}

    /**
     * @param baselineOverride AWS's BaselineOverride: one baseline object, or the list AWS-RunPatchBaseline's
     *     BaselineOverride file holds (the one for the instance's operating system applies)
     * @param installOverridePatches the ids of an InstallOverrideList: when given, these updates are installed
     *     instead of the baseline's approved ones
     * @param excludePatches ids never installed (Patchtide's exclusion list)
     */
    record GetPatchInstallPlanRequest(
            String instanceId,
            String snapshotId,
            JsonNode baselineOverride,
            List<String> installOverridePatches,
            List<String> excludePatches)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, ScanMessages.MANAGED_INSTANCE_ID)
                    .pattern("snapshotId", snapshotId, ScanMessages.SNAPSHOT_ID)
                    .size("installOverridePatches", installOverridePatches, 0, 10_000)
                    .size("excludePatches", excludePatches, 0, 10_000);
            ids(v, "installOverridePatches", installOverridePatches);
            ids(v, "excludePatches", excludePatches);
            v.check(
                    baselineOverride == null || baselineOverride.isObject() || baselineOverride.isArray(),
                    "baselineOverride: must be a baseline object or a list of them");
        }

        private static void ids(Validation v, String field, List<String> ids) {
            for (int i = 0; ids != null && i < ids.size(); i++) {
                v.required(field + "." + (i + 1) + ".member", ids.get(i))
                        .length(field + "." + (i + 1) + ".member", ids.get(i), 1, 256);
            }
        }
    }

    /** One update to install, with the exact version the package manager must install. */
    record PlannedPatch(
            String id,
            String name,
            String version,
            String architecture,
            String installedVersion,
            String classification,
            String severity) {}

    record GetPatchInstallPlanResult(String baselineId, List<PlannedPatch> patches) {}
}
