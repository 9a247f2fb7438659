package dev.patchtide.agent.commands;

/**
 * Runs one kind of step of a command's plan (an {@code Action} such as {@code aws:runShellScript}).
 *
 * <p>The plan is the JSON the server resolved from the command's document: {@code {"Steps": [{"Name": ...,
 * "Action": ..., "Inputs": {...}}, ...]}}, parameters already substituted. Actions and their inputs:
 *
 * <ul>
 *   <li>{@code aws:runShellScript}: {@code RunCommand} (array of lines, run as one script by
 *       {@code /bin/sh}), optional {@code WorkingDirectory}, {@code TimeoutSeconds}.
 *   <li>{@code aws:runDocument}: {@code DocumentName}, {@code Plan} (the nested document's resolved plan).
 *   <li>{@code patchtide:runPatchBaseline}: {@code Operation} (Scan|Install), {@code SnapshotId},
 *       {@code RebootOption} (RebootIfNeeded|NoReboot), {@code InstallOverrideList} (https URL or ""),
 *       {@code BaselineOverride} (JSON text or ""), {@code ExcludePatches} (array), and for
 *       AWS-RunPatchBaselineWithHooks {@code PreInstallHook}, {@code PostInstallHook}, {@code OnExitHook}
 *       (nested plans, absent when not given).
 * </ul>
 */
public interface Plugin {

    /** The {@code Action} this plugin runs. */
    String action();

    /** Runs the step; returns its outcome. Throws only when interrupted (the agent is stopping). */
    StepResult run(StepContext context) throws InterruptedException;

    /**
     * Called instead of {@link #run} when the agent starts again after the reboot this very step asked for
     * ({@link StepResult#rebootRequested()}): finishes the step (a patch install rescans and reports).
     */
    default StepResult resumeAfterReboot(StepContext context) throws InterruptedException {
        return StepResult.success();
    }
}
