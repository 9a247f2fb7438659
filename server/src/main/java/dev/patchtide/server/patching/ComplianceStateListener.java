package dev.patchtide.server.patching;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that stores a patch evaluation (a scan report, or a re-evaluation after a
 * baseline or patch-group change), when an instance's patch compliance status changes (COMPLIANT and
 * NON_COMPLIANT, including its first scan). Work done with {@code handle} commits or
 * rolls back with the evaluation, so an event outbox written here is never lost nor sent for a state that
 * was not stored. A listener must not call back into the API.
 */
@FunctionalInterface
public interface ComplianceStateListener {
    ComplianceStateListener NONE = (handle, change) -> {};

    void complianceChanged(Handle handle, Change change);

    /**
     * Instances whose outcome (status, any count, baseline or patch group) changed, in the same
     * transaction; the compliance feature keeps them as its history.
     */
    default void outcomesChanged(Handle handle, Instant time, List<Outcome> outcomes) {}

    /** An instance's patch counts as stored after an evaluation (names as in DescribeInstancePatchStates). */
    record Outcome(
            String instanceId,
            String complianceStatus,
            String baselineId,
            String patchGroup,
            int installedCount,
            int installedOtherCount,
            int installedPendingRebootCount,
            int installedRejectedCount,
            int missingCount,
            int failedCount,
            int notApplicableCount,
            int criticalNonCompliantCount,
            int securityNonCompliantCount,
            int otherNonCompliantCount) {}

    /** Non-compliant patches of the instance by the compliance level the baseline gives them. */
    record SeverityCounts(
            int critical, int high, int medium, int low, int informational, int unspecified, int security) {

        /** The highest level with a non-compliant patch, as AWS's {@code severity}; UNSPECIFIED when none. */
        public String worst() {
            return critical > 0
                    ? "CRITICAL"
                    : high > 0
                            ? "HIGH"
                            : medium > 0
                                    ? "MEDIUM"
                                    : low > 0 ? "LOW" : informational > 0 ? "INFORMATIONAL" : "UNSPECIFIED";
        }
    }

    /** One instance's change of status, with what judged it and when. */
    record Change(
            String instanceId,
            Optional<String> oldStatus,
            String newStatus,
            String baselineId,
            String patchGroup,
            SeverityCounts nonCompliant,
            Instant time) {}
}
