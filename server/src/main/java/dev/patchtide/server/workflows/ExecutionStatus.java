package dev.patchtide.server.workflows;

import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.workflow.run.Outcome;

/** A durable execution's status, as DescribeExecution reports it, and the only moves between them. */
enum ExecutionStatus {
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    ABORTED;

    static final Lifecycle<ExecutionStatus> LIFECYCLE = Lifecycle.of("workflow execution", ExecutionStatus.class)
            .on("the last state succeeded", RUNNING, SUCCEEDED)
            .on("an uncaught error or a Fail state", RUNNING, FAILED)
            .on("the execution's TimeoutSeconds passed", RUNNING, TIMED_OUT)
            .on("StopExecution", RUNNING, ABORTED)
            .build();

    static ExecutionStatus of(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Succeeded s -> SUCCEEDED;
            case Outcome.Failed f -> FAILED;
            case Outcome.TimedOut t -> TIMED_OUT;
            case Outcome.Aborted a -> ABORTED;
        };
    }
}
