package dev.patchtide.server.patching;

import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.PatchFilterGroup;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Turns a stored baseline (API shapes) into the core evaluator's {@link BaselineSpec}. */
final class BaselineSpecs {
    private BaselineSpecs() {}

    static BaselineSpec of(String id, Definition d) {
        List<BaselineSpec.Rule> rules = d.approvalRules() == null
                        || d.approvalRules().patchRules() == null
                ? List.of()
                : d.approvalRules().patchRules().stream()
                        .map(r -> new BaselineSpec.Rule(
                                filters(r.patchFilterGroup()),
                                r.complianceLevel() == null ? "UNSPECIFIED" : r.complianceLevel(),
                                Optional.ofNullable(r.approveAfterDays()),
                                Optional.ofNullable(r.approveUntilDate()).map(LocalDate::parse),
                                Boolean.TRUE.equals(r.enableNonSecurity())))
                        .toList();
        return new BaselineSpec(
                id,
                filters(d.globalFilters()),
                rules,
                d.approvedPatches() == null ? List.of() : d.approvedPatches(),
                d.approvedPatchesComplianceLevel() == null ? "UNSPECIFIED" : d.approvedPatchesComplianceLevel(),
                Boolean.TRUE.equals(d.approvedPatchesEnableNonSecurity()),
                d.rejectedPatches() == null ? List.of() : d.rejectedPatches(),
                "BLOCK".equals(d.rejectedPatchesAction())
                        ? BaselineSpec.RejectedAction.BLOCK
                        : BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY);
    }

    private static List<BaselineSpec.Filter> filters(PatchFilterGroup group) {
        if (group == null || group.patchFilters() == null) {
            return List.of();
        }
        return group.patchFilters().stream()
                .map(f -> new BaselineSpec.Filter(f.key(), f.values()))
                .toList();
    }
}
