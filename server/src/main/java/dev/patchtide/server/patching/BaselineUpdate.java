package dev.patchtide.server.patching;

import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.UpdatePatchBaselineRequest;
import java.util.List;

/**
 * UpdatePatchBaseline's two modes: by default only the members given change; with {@code Replace} the
 * members not given return to their defaults. The operating system never changes.
 */
final class BaselineUpdate {
    private BaselineUpdate() {}

    static Definition apply(Definition current, UpdatePatchBaselineRequest q) {
        boolean replace = Boolean.TRUE.equals(q.replace());
        return new Definition(
                pick(q.name(), current.name(), current.name()),
                current.operatingSystem(),
                pick(q.globalFilters(), current.globalFilters(), replace ? null : current.globalFilters()),
                pick(q.approvalRules(), current.approvalRules(), replace ? null : current.approvalRules()),
                pick(q.approvedPatches(), current.approvedPatches(), replace ? List.of() : current.approvedPatches()),
                pick(
                        q.approvedPatchesComplianceLevel(),
                        current.approvedPatchesComplianceLevel(),
                        replace ? "UNSPECIFIED" : current.approvedPatchesComplianceLevel()),
                pick(
                        q.approvedPatchesEnableNonSecurity(),
                        current.approvedPatchesEnableNonSecurity(),
                        replace ? Boolean.FALSE : current.approvedPatchesEnableNonSecurity()),
                pick(q.rejectedPatches(), current.rejectedPatches(), replace ? List.of() : current.rejectedPatches()),
                pick(
                        q.rejectedPatchesAction(),
                        current.rejectedPatchesAction(),
                        replace ? "ALLOW_AS_DEPENDENCY" : current.rejectedPatchesAction()),
                pick(q.description(), current.description(), replace ? null : current.description()),
                pick(q.sources(), current.sources(), replace ? List.of() : current.sources()),
                pick(
                        q.availableSecurityUpdatesComplianceStatus(),
                        current.availableSecurityUpdatesComplianceStatus(),
                        replace ? null : current.availableSecurityUpdatesComplianceStatus()));
    }

    /** The given value, else the value to keep (the current one, or the default when replacing). */
    private static <T> T pick(T given, T current, T whenAbsent) {
        return given != null ? given : whenAbsent;
    }
}
