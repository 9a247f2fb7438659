package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;

/**
 * One family of task resources ({@code aws-sdk:ssm:*}, {@code sns:publish}, ...). A call runs on the effect
 * worker's thread inside the transaction that consumes the task's outbox row and feeds its answer back, so what
 * the call writes to this server's database commits together with that, or not at all. An {@link #outward()}
 * family reaches outside this server (HTTP): its call runs outside any transaction, at most once (see
 * {@link OutwardCalls}).
 */
interface Integration {
    boolean serves(String resource);

    /**
     * Makes the call and answers its result.
     *
     * @throws StatesError the task's failure, named as AWS names this family's errors
     */
    JsonNode call(Effect.RunTask task);

    /** The call, for families that need to know which execution makes it. */
    default JsonNode call(String executionArn, Effect.RunTask task) {
        return call(task);
    }

    /** True when the call leaves this server, so it must not run inside a transaction nor twice. */
    default boolean outward() {
        return false;
    }
}
