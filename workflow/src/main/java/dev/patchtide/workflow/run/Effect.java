package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * What the host must do after a step, once the step's snapshot is stored. Each effect carries an id unique in its
 * execution, so a host that crashed after storing the step can do it again without doing it twice.
 */
public sealed interface Effect {
    /**
     * Call a task's resource. {@code resource} is the ARN without its pattern suffix; {@code pattern} tells how the
     * task ends: with the call's answer, with the job's end ({@code .sync}, {@code .sync:2}), or with a
     * {@code SendTask*} for {@code taskToken} ({@code .waitForTaskToken}, and activities). The host answers with
     * {@link Signal}s naming {@code taskId}.
     */
    record RunTask(
            String taskId,
            String stateName,
            String resource,
            Pattern pattern,
            JsonNode parameters,
            Optional<JsonNode> credentials,
            Optional<String> taskToken)
            implements Effect {}

    /** Stop a task that no longer matters (a sibling branch failed, the execution stopped, a timeout). */
    record CancelTask(String taskId) implements Effect {}

    /** Send {@link Signal.TimerFired} for {@code timerId} at {@code due}: waits, retry back-off, timeouts. */
    record StartTimer(String timerId, Instant due) implements Effect {}

    record CancelTimer(String timerId) implements Effect {}

    enum Pattern {
        REQUEST_RESPONSE,
        RUN_JOB,
        RUN_JOB_V2,
        WAIT_FOR_TASK_TOKEN,
        ACTIVITY
    }
}
