package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;

/**
 * One family of task resources ({@code aws-sdk:ssm:*}, {@code sns:publish}, ...). A call runs on the effect
 * worker's thread inside the transaction that consumes the task's outbox row and feeds its answer back, so what
 * the call writes to this server's database commits together with that, or not at all.
 */
interface Integration {
    boolean serves(String resource);

    /**
     * Makes the call and answers its result.
     *
     * @throws StatesError the task's failure, named as AWS names this family's errors
     */
    JsonNode call(Effect.RunTask task);

    /** The call for a task of {@code executionArn}: for families whose tasks the execution waits on ({@code .sync}). */
    default JsonNode call(Effect.RunTask task, String executionArn) {
        return call(task);
    }
}
