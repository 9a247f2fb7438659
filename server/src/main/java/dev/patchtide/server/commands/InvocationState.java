package dev.patchtide.server.commands;

import dev.patchtide.server.lifecycle.Lifecycle;
import java.util.EnumSet;
import java.util.Set;

/**
 * Where one invocation (a command on one instance) is. QUEUED waits for rate control, RELEASED may be handed to
 * its agent (both are AWS's Pending), DELIVERED was handed out (InProgress), CANCELLING was handed out and then
 * cancelled. The rest are final. Each state carries AWS's {@code Status} and {@code StatusDetails}.
 */
enum InvocationState {
    QUEUED("Pending", "Pending"),
    RELEASED("Pending", "Pending"),
    DELIVERED("InProgress", "In Progress"),
    CANCELLING("Cancelling", "Cancelling"),
    SUCCESS("Success", "Success"),
    FAILED("Failed", "Failed"),
    EXECUTION_TIMED_OUT("TimedOut", "Execution Timed Out"),
    DELIVERY_TIMED_OUT("TimedOut", "Delivery Timed Out"),
    CANCELLED("Cancelled", "Cancelled"),
    // Cancelled by the system once the command's errors exceeded MaxErrors.
    TERMINATED("Cancelled", "Terminated"),
    // The instance was deregistered before its agent received the invocation.
    UNDELIVERABLE("Failed", "Undeliverable");

    static final Set<InvocationState> UNDELIVERED = EnumSet.of(QUEUED, RELEASED);
    static final Set<InvocationState> IN_FLIGHT = EnumSet.of(RELEASED, DELIVERED, CANCELLING);
    static final Set<InvocationState> WITH_AGENT = EnumSet.of(DELIVERED, CANCELLING);

    static final Lifecycle<InvocationState> LIFECYCLE = Lifecycle.of("invocation", InvocationState.class)
            .on("released by rate control", QUEUED, RELEASED)
            .on("delivery timeout before release", QUEUED, DELIVERY_TIMED_OUT)
            .on("delivery timeout before the agent took it", RELEASED, DELIVERY_TIMED_OUT)
            .on("MaxErrors exceeded before release", QUEUED, TERMINATED)
            .on("MaxErrors exceeded before the agent took it", RELEASED, TERMINATED)
            .on("CancelCommand before release", QUEUED, CANCELLED)
            .on("CancelCommand before the agent took it", RELEASED, CANCELLED)
            .on("instance deregistered before release", QUEUED, UNDELIVERABLE)
            .on("instance deregistered before the agent took it", RELEASED, UNDELIVERABLE)
            .on("agent received it", RELEASED, DELIVERED)
            .on("agent reported Success", DELIVERED, SUCCESS)
            .on("agent reported Failed", DELIVERED, FAILED)
            .on("agent reported TimedOut", DELIVERED, EXECUTION_TIMED_OUT)
            .on("agent reported Cancelled", DELIVERED, CANCELLED)
            .on("agent silent past the command's expiry", DELIVERED, DELIVERY_TIMED_OUT)
            .on("CancelCommand while the agent runs it", DELIVERED, CANCELLING)
            .on("agent reported Cancelled, or went silent", CANCELLING, CANCELLED)
            .on("agent finished with Success before the cancel", CANCELLING, SUCCESS)
            .on("agent finished with Failed before the cancel", CANCELLING, FAILED)
            .on("agent timed out before the cancel", CANCELLING, EXECUTION_TIMED_OUT)
            .build();

    private final String status;
    private final String details;

    InvocationState(String status, String details) {
        this.status = status;
        this.details = details;
    }

    /** AWS's {@code Status}. */
    String status() {
        return status;
    }

    /** AWS's {@code StatusDetails}. */
    String details() {
        return details;
    }

    boolean isFinal() {
        return ordinal() >= SUCCESS.ordinal();
    }

    /** Counts in ErrorCount and against MaxErrors. */
    boolean isError() {
        return this == FAILED || this == EXECUTION_TIMED_OUT;
    }

    /** The final state an agent's {@code Status} names, or empty for InProgress. */
    static java.util.Optional<InvocationState> reported(String agentStatus) {
        return switch (agentStatus) {
            case "Success" -> java.util.Optional.of(SUCCESS);
            case "Failed" -> java.util.Optional.of(FAILED);
            case "TimedOut" -> java.util.Optional.of(EXECUTION_TIMED_OUT);
            case "Cancelled" -> java.util.Optional.of(CANCELLED);
            default -> java.util.Optional.empty();
        };
    }
}
