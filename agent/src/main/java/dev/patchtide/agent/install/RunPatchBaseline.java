package dev.patchtide.agent.install;

import dev.patchtide.agent.commands.Plugin;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code patchtide:runPatchBaseline}, the step of AWS-RunPatchBaseline and AWS-RunPatchBaselineWithHooks.
 *
 * <p>Scan: scans and reports. Install, in AWS-RunPatchBaselineWithHooks' order: scan and report; ask the server
 * for the plan (exactly the approved missing updates, with versions); if nothing is missing and no reboot is
 * due, straight to the on-exit hook; else the pre-install hook, the install, a rescan and report, the
 * post-install hook; then with RebootIfNeeded and a reboot due, the reboot (the runner's), after which
 * {@link #resumeAfterReboot} reports again and runs the on-exit hook; otherwise the on-exit hook now. A failed
 * step (hook, scan, plan or install) skips to the on-exit hook, which always runs, and fails the step, as AWS
 * documents for its hooks.
 */
public final class RunPatchBaseline implements Plugin {
    public static final String ACTION = "patchtide:runPatchBaseline";

    private final Function<Path, PackageManager> managers;
    private final OverrideList overrideLists;
    private final InstantSource clock;

    public RunPatchBaseline() {
        this(PackageManager::forHost, OverrideList.standard(), InstantSource.system());
    }

    RunPatchBaseline(Function<Path, PackageManager> managers, OverrideList overrideLists, InstantSource clock) {
        this.managers = managers;
        this.overrideLists = overrideLists;
        this.clock = clock;
    }

    @Override
    public String action() {
        return ACTION;
    }

    @Override
    public StepResult run(StepContext context) throws InterruptedException {
        PatchOperationRun run = new PatchOperationRun(context, clock, overrideLists);
        Optional<PatchBaselineInputs> inputs = run.inputs();
        if (inputs.isEmpty()) {
            return StepResult.failed(1);
        }
        PatchBaselineInputs in = inputs.get();
        if (!in.install()) {
            return run.report(in, PatchBaselineInputs.SCAN) ? StepResult.success() : StepResult.failed(1);
        }
        return install(run, in);
    }

    private StepResult install(PatchOperationRun run, PatchBaselineInputs in) throws InterruptedException {
        if (!run.report(in, PatchBaselineInputs.SCAN)) {
            return onExit(run, in, false);
        }
        Optional<PatchOperationRun.Plan> plan = run.plan(in);
        if (plan.isEmpty()) {
            return onExit(run, in, false);
        }
        boolean pending = run.rebootPending();
        if (plan.get().patches().isEmpty() && (!pending || !in.rebootIfNeeded())) {
            run.say("No approved patch is missing" + (pending ? "; a reboot is pending (NoReboot)." : "."));
            return onExit(run, in, run.report(in, PatchBaselineInputs.INSTALL));
        }
        Optional<StepResult> stopped = run.stopped();
        if (stopped.isPresent()) {
            return stopped.get();
        }
        if (!run.hook("PreInstallHook", in.preInstallHook())) {
            return onExit(run, in, false);
        }
        boolean installed = run.install(plan.get(), managers.apply(run.context().root()));
        boolean reported = run.report(in, PatchBaselineInputs.INSTALL);
        if (!installed || !reported) {
            return onExit(run, in, false);
        }
        if (!run.hook("PostInstallHook", in.postInstallHook())) {
            return onExit(run, in, false);
        }
        if (run.rebootPending()) {
            if (in.rebootIfNeeded()) {
                run.say("A reboot is required to finish patching (RebootIfNeeded): rebooting; the patch state is"
                        + " reported again after it.");
                return new StepResult("Success", 0, true);
            }
            run.say("NoReboot: the patches installed stay InstalledPendingReboot until the host reboots.");
        }
        return onExit(run, in, true);
    }

    /** After the reboot this step asked for: the installed patches are in effect; report them, then on-exit. */
    @Override
    public StepResult resumeAfterReboot(StepContext context) throws InterruptedException {
        PatchOperationRun run = new PatchOperationRun(context, clock, overrideLists);
        Optional<PatchBaselineInputs> inputs = run.inputs();
        if (inputs.isEmpty()) {
            return StepResult.failed(1);
        }
        run.say("The host rebooted to finish patching.");
        return onExit(run, inputs.get(), run.report(inputs.get(), PatchBaselineInputs.INSTALL));
    }

    /** The on-exit hook runs whatever happened before; the step succeeds only if everything did. */
    private static StepResult onExit(PatchOperationRun run, PatchBaselineInputs in, boolean ok)
            throws InterruptedException {
        Optional<StepResult> stopped = run.stopped();
        if (stopped.isPresent()) {
            return stopped.get();
        }
        boolean hook = run.hook("OnExitHook", in.onExitHook());
        return ok && hook ? StepResult.success() : StepResult.failed(1);
    }
}
