package dev.patchtide.server.commands;

import dev.patchtide.server.lifecycle.Lifecycle;

/**
 * Where a command is, computed from its invocations as AWS computes it: Pending until something was sent,
 * In Progress until every invocation is final, then Success, Failed (MaxErrors or more errors, or nothing
 * deliverable), Execution/Delivery Timed Out, Incomplete (some did not succeed, too few to fail it) or
 * Cancelled. Each state carries AWS's {@code Status} and {@code StatusDetails}.
 */
enum CommandState {
    PENDING("Pending", "Pending"),
    IN_PROGRESS("InProgress", "In Progress"),
    CANCELLING("Cancelling", "Cancelling"),
    SUCCESS("Success", "Success"),
    FAILED("Failed", "Failed"),
    INCOMPLETE("Failed", "Incomplete"),
    EXECUTION_TIMED_OUT("TimedOut", "Execution Timed Out"),
    DELIVERY_TIMED_OUT("TimedOut", "Delivery Timed Out"),
    CANCELLED("Cancelled", "Cancelled");

    static final Lifecycle<CommandState> LIFECYCLE = Lifecycle.of("command", CommandState.class)
            .on("an agent received an invocation", PENDING, IN_PROGRESS)
            .on("CancelCommand before anything was sent", PENDING, CANCELLED)
            .on("delivery timeout before anything was sent", PENDING, DELIVERY_TIMED_OUT)
            .on("every target deregistered before anything was sent", PENDING, FAILED)
            .on("every invocation succeeded", IN_PROGRESS, SUCCESS)
            .on("MaxErrors or more invocations failed", IN_PROGRESS, FAILED)
            .on("MaxErrors or more invocations timed out running", IN_PROGRESS, EXECUTION_TIMED_OUT)
            .on("MaxErrors or more invocations were not delivered in time", IN_PROGRESS, DELIVERY_TIMED_OUT)
            .on("some invocations did not succeed, too few to fail it", IN_PROGRESS, INCOMPLETE)
            .on("CancelCommand while agents run it", IN_PROGRESS, CANCELLING)
            .on("CancelCommand when no agent was running it", IN_PROGRESS, CANCELLED)
            .on("the last running invocation ended", CANCELLING, CANCELLED)
            .build();

    private final String status;
    private final String details;

    CommandState(String status, String details) {
        this.status = status;
        this.details = details;
    }

    String status() {
        return status;
    }

    String details() {
        return details;
    }

    boolean isFinal() {
        return ordinal() >= SUCCESS.ordinal();
    }

    /** The state of a command whose invocations are as counted. */
    static CommandState of(Counts counts, int errorLimit, boolean cancelRequested) {
        int total = counts.total();
        int open = counts.open();
        if (open > 0) {
            if (cancelRequested && counts.withAgent() > 0) {
                return CANCELLING;
            }
            return counts.sent() > 0 ? IN_PROGRESS : PENDING;
        }
        if (cancelRequested) {
            return CANCELLED;
        }
        int threshold = Math.max(1, errorLimit);
        int errors = counts.of(InvocationState.FAILED) + counts.of(InvocationState.EXECUTION_TIMED_OUT);
        if (errors >= threshold) {
            return counts.of(InvocationState.EXECUTION_TIMED_OUT) > counts.of(InvocationState.FAILED)
                    ? EXECUTION_TIMED_OUT
                    : FAILED;
        }
        int deliverable = total - counts.of(InvocationState.UNDELIVERABLE);
        int deliveryTimedOut = counts.of(InvocationState.DELIVERY_TIMED_OUT);
        if (deliverable == 0) {
            return FAILED;
        }
        if (deliveryTimedOut >= threshold || deliveryTimedOut == deliverable) {
            return DELIVERY_TIMED_OUT;
        }
        return counts.of(InvocationState.SUCCESS) == deliverable ? SUCCESS : INCOMPLETE;
    }
}
