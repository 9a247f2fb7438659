package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;

/** What the host tells a running execution. Signals for a task or timer the execution no longer waits for are ignored. */
public sealed interface Signal {
    /** An activity worker took the task ({@code GetActivityTask}), or an integration started a job. */
    record TaskStarted(String taskId, String workerName) implements Signal {}

    /** A {@code .sync} job was submitted; {@code output} is the submission's answer. */
    record TaskSubmitted(String taskId, JsonNode output) implements Signal {}

    record TaskSucceeded(String taskId, JsonNode output) implements Signal {}

    record TaskFailed(String taskId, String error, String cause) implements Signal {}

    record TaskHeartbeat(String taskId) implements Signal {}

    record TimerFired(String timerId) implements Signal {}

    /** {@code StopExecution}. */
    record Stop(String error, String cause) implements Signal {}
}
