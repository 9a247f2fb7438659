package dev.patchtide.agent.install;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.commands.PatchScans;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import dev.patchtide.agent.scan.RebootCheck;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One run of the patch step: its output, and the pieces RunPatchBaseline puts in order. */
final class PatchOperationRun {

    /** The server's install plan: the baseline it judged with and the updates to install. */
    record Plan(String baselineId, List<Planned> patches) {}

    record Planned(String id, PackageManager.Target target, String installedVersion) {}

    private final StepContext context;
    private final InstantSource clock;
    private final OverrideList overrideLists;
    private final PrintStream out;
    private final PrintStream err;
    private final Instant start;

    PatchOperationRun(StepContext context, InstantSource clock, OverrideList overrideLists) {
        this.context = context;
        this.clock = clock;
        this.overrideLists = overrideLists;
        this.out = new PrintStream(context.stdout(), true, StandardCharsets.UTF_8);
        this.err = new PrintStream(context.stderr(), true, StandardCharsets.UTF_8);
        this.start = clock.instant();
    }

    StepContext context() {
        return context;
    }

    void say(String line) {
        out.println(line);
    }

    private void error(String line) {
        err.println(line);
        out.println(line);
    }

    Optional<PatchBaselineInputs> inputs() {
        try {
            return Optional.of(PatchBaselineInputs.of(context.inputs()));
        } catch (PatchBaselineInputs.Invalid e) {
            error(e.getMessage());
            return Optional.empty();
        }
    }

    /** Cancelled or out of time: how the step ends then. */
    Optional<StepResult> stopped() {
        if (context.cancelled().getAsBoolean()) {
            say("The command was cancelled.");
            return Optional.of(new StepResult("Cancelled", -1, false));
        }
        if (!clock.instant().isBefore(context.deadline())) {
            say("The command's execution timeout ended the patch operation.");
            return Optional.of(new StepResult("TimedOut", -1, false));
        }
        return Optional.empty();
    }

    /** Scans and reports as {@code operation}; says what the server made of it. */
    boolean report(PatchBaselineInputs in, String operation) {
        PatchScans.PatchOperation op = new PatchScans.PatchOperation(
                operation,
                start,
                clock.instant(),
                in.rebootOption(),
                in.snapshotId(),
                in.installOverrideList().map(URI::toString));
        try {
            JsonNode verdict = context.scans().scanAndReport(op);
            say(operation + " reported: " + verdict.path("ComplianceStatus").asText("?") + ", "
                    + verdict.path("MissingCount").asInt() + " missing patch(es) (baseline "
                    + verdict.path("BaselineId").asText("?") + ").");
            return true;
        } catch (IOException | ApiCallException | RuntimeException e) {
            error("The patch scan (" + operation + ") failed: " + e.getMessage());
            return false;
        }
    }

    /** Asks the server which updates to install, after fetching the install override list if there is one. */
    Optional<Plan> plan(PatchBaselineInputs in) throws InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("InstanceId", context.instanceId());
        in.snapshotId().ifPresent(id -> request.put("SnapshotId", id));
        in.baselineOverride().ifPresent(b -> request.put("BaselineOverride", b));
        try {
            if (in.installOverrideList().isPresent()) {
                List<String> ids = overrideLists.fetch(in.installOverrideList().get());
                say("InstallOverrideList " + in.installOverrideList().get() + ": " + ids.size() + " patch id(s).");
                request.put("InstallOverridePatches", ids);
            }
            if (!in.excludePatches().isEmpty()) {
                request.put("ExcludePatches", in.excludePatches());
                say("Excluded: " + String.join(", ", in.excludePatches()));
            }
            JsonNode answer = context.api().call("Patchtide.GetPatchInstallPlan", request);
            List<Planned> patches = new ArrayList<>();
            for (JsonNode p : answer.path("Patches")) {
                patches.add(new Planned(
                        p.path("Id").asText(),
                        new PackageManager.Target(
                                p.path("Name").asText(),
                                p.path("Version").asText(),
                                p.path("Architecture").asText("")),
                        p.path("InstalledVersion").asText("")));
            }
            return Optional.of(new Plan(answer.path("BaselineId").asText(), List.copyOf(patches)));
        } catch (PatchBaselineInputs.Invalid e) {
            error(e.getMessage());
        } catch (IOException | ApiCallException e) {
            error("Could not get the install plan: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Whether the host needs a reboot now (a package asked for one, or Patchtide installed since boot). */
    boolean rebootPending() {
        try {
            RebootCheck.RebootStatus status = new RebootCheck(context.root()).check();
            if (status.required()) {
                say("Reboot pending: " + String.join("; ", status.reasons()) + ".");
            }
            return status.required();
        } catch (IOException e) {
            error("Could not tell whether a reboot is pending: " + e.getMessage());
            return false;
        }
    }

    /** Runs a hook's nested plan, if given; says how it ended. */
    boolean hook(String name, Optional<JsonNode> plan) throws InterruptedException {
        if (plan.isEmpty()) {
            return true;
        }
        say(name + ": running.");
        StepResult result = context.nested().run(plan.get());
        if (result.succeeded()) {
            say(name + ": succeeded.");
            return true;
        }
        error(name + " ended " + result.status() + " (exit code " + result.responseCode()
                + "): the remaining steps are skipped; the on-exit hook still runs.");
        return false;
    }

    /** Installs the plan with {@code manager} (see {@link PatchInstall}). */
    boolean install(Plan plan, PackageManager manager) throws InterruptedException {
        if (plan.patches().isEmpty()) {
            say("Nothing to install.");
            return true;
        }
        try {
            // the package manager's transient units, under systemd, are named after this command
            return Processes.forInvocation(
                    context.commandId(), () -> new PatchInstall(manager, out, err, context.stdout(), context.stderr())
                            .install(plan, context.root()));
        } catch (IOException e) {
            error("The install failed: " + e.getMessage());
            return false;
        }
    }
}
