package dev.patchtide.core.patching;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** What the evaluator needs of a patch baseline, free of the API's shapes. */
public record BaselineSpec(
        String id,
        List<Filter> globalFilters,
        List<Rule> rules,
        List<String> approvedPatches,
        String approvedPatchesComplianceLevel,
        boolean approvedPatchesEnableNonSecurity,
        List<String> rejectedPatches,
        RejectedAction rejectedPatchesAction) {

    public enum RejectedAction {
        ALLOW_AS_DEPENDENCY,
        BLOCK
    }

    /** A patch filter: the patch's attribute for {@code key} must match one of the values (globs allowed). */
    public record Filter(String key, List<String> values) {}

    public record Rule(
            List<Filter> filters,
            String complianceLevel,
            Optional<Integer> approveAfterDays,
            Optional<LocalDate> approveUntilDate,
            boolean enableNonSecurity) {}
}
