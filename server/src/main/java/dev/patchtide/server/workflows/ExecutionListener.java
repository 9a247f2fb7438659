package dev.patchtide.server.workflows;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Told when a STANDARD execution ends, inside the transaction that ends it: other features (window tasks, command
 * waits) follow executions they started without polling, and a crash loses neither the end nor what they did.
 */
public interface ExecutionListener {
    /**
     * @param status SUCCEEDED, FAILED, TIMED_OUT or ABORTED, as DescribeExecution reports it
     */
    record Ended(String executionArn, String status, String output, String error, String cause, Instant stoppedAt) {}

    void executionEnded(Handle handle, Ended execution);

    /** Several executions ended in one transaction (a group of starts): one call, so they can be looked up at once. */
    default void executionsEnded(Handle handle, List<Ended> executions) {
        executions.forEach(e -> executionEnded(handle, e));
    }
}
