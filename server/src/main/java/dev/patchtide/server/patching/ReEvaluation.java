package dev.patchtide.server.patching;

import org.jdbi.v3.core.Handle;

/**
 * Marks instances whose stored scan must be judged again, in the transaction of the change that calls for
 * it; {@link ReEvaluationWorker} does the judging. Marking more than strictly needed is harmless.
 */
final class ReEvaluation {
    private ReEvaluation() {}

    /** The baseline changed or went away: every instance it judged. */
    static int markBaseline(Handle h, String baselineId) {
        return mark(h, "baseline_id = :v", "v", baselineId);
    }

    /** The OS default changed: every instance of that OS (those in a patch group with its own baseline stay as they are). */
    static int markOperatingSystem(Handle h, String os) {
        return mark(h, "operating_system = :v", "v", os);
    }

    /** A patch group got or lost its baseline for an OS: its instances of that OS. */
    static int markGroup(Handle h, String group, String os) {
        return h.createUpdate("UPDATE instance_patch_states SET needs_evaluation = true WHERE patch_group = :g"
                        + " AND operating_system = :os AND NOT needs_evaluation")
                .bind("g", group)
                .bind("os", os)
                .execute();
    }

    /** The instance's Patch Group tag changed. */
    static int markInstance(Handle h, String instanceId) {
        return mark(h, "instance_id = :v", "v", instanceId);
    }

    private static int mark(Handle h, String condition, String name, String value) {
        return h.createUpdate("UPDATE instance_patch_states SET needs_evaluation = true WHERE " + condition
                        + " AND NOT needs_evaluation")
                .bind(name, value)
                .execute();
    }
}
