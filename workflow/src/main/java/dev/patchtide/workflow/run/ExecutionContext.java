package dev.patchtide.workflow.run;

import java.time.Instant;

/** What the context object's {@code $$.Execution} and {@code $$.StateMachine} say of one execution. */
public record ExecutionContext(
        String executionArn,
        String executionName,
        String roleArn,
        Instant startTime,
        String stateMachineArn,
        String stateMachineName,
        int redriveCount) {}
