package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * What a step gets to run with.
 *
 * @param inputs the step's {@code Inputs} from the plan
 * @param deadline when the command's execution timeout ends the step ({@code TimedOut})
 * @param stdout where the step writes its standard output (kept in full, reported to the server)
 * @param stderr likewise for standard error
 * @param cancelled true once the command was cancelled: a step stops at once and returns Cancelled
 * @param nested runs a nested plan (aws:runDocument, patch hooks) with the same outputs and deadline
 * @param api the agent's signed client of the server, as this instance
 * @param root the host's file tree ("/" except in tests)
 * @param scans scans the host for patches and reports the result, as the agent's own scans do
 * @param restartGuard records, before a step does something that may stop the agent itself (replacing its own
 *     package), that the agent starting next resumes this step ({@link Plugin#resumeAfterReboot}) instead of
 *     reporting it Failed as a crash
 */
public record StepContext(
        String commandId,
        String instanceId,
        String stepName,
        JsonNode inputs,
        Instant deadline,
        OutputStream stdout,
        OutputStream stderr,
        BooleanSupplier cancelled,
        NestedPlans nested,
        ApiClient api,
        Path root,
        PatchScans scans,
        RestartGuard restartGuard) {

    /** As before the restart guard: a step that cannot be resumed after the agent's own restart. */
    public StepContext(
            String commandId,
            String instanceId,
            String stepName,
            JsonNode inputs,
            Instant deadline,
            OutputStream stdout,
            OutputStream stderr,
            BooleanSupplier cancelled,
            NestedPlans nested,
            ApiClient api,
            Path root,
            PatchScans scans) {
        this(
                commandId,
                instanceId,
                stepName,
                inputs,
                deadline,
                stdout,
                stderr,
                cancelled,
                nested,
                api,
                root,
                scans,
                RestartGuard.UNAVAILABLE);
    }

    /** See {@link StepContext#restartGuard()}. */
    @FunctionalInterface
    public interface RestartGuard {
        /** For a step of a nested plan, which the runner cannot resume by itself. */
        RestartGuard UNAVAILABLE = () -> false;

        /** Records it durably; false when this step cannot be resumed (it runs inside a nested plan). */
        boolean resumeIfAgentRestarts() throws IOException;
    }

    /** Runs a nested plan; returns the outcome of its last step that did not succeed, else success. */
    @FunctionalInterface
    public interface NestedPlans {
        StepResult run(JsonNode plan) throws InterruptedException;
    }
}
