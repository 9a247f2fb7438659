package dev.patchtide.server.windows;

import dev.patchtide.server.lifecycle.Lifecycle;

/**
 * The states of a window execution and of its task executions, with AWS's names, and the only moves between
 * them. A SKIPPED_OVERLAPPING execution is born finished (its window was still running) and never moves.
 */
final class WindowLifecycles {
    private WindowLifecycles() {}

    enum ExecutionState {
        PENDING,
        IN_PROGRESS,
        SUCCESS,
        FAILED,
        TIMED_OUT,
        CANCELLING,
        CANCELLED,
        SKIPPED_OVERLAPPING;

        boolean open() {
            return this == PENDING || this == IN_PROGRESS || this == CANCELLING;
        }
    }

    enum TaskState {
        PENDING,
        IN_PROGRESS,
        SUCCESS,
        FAILED,
        TIMED_OUT,
        CANCELLING,
        CANCELLED;

        boolean finished() {
            return this == SUCCESS || this == FAILED || this == TIMED_OUT || this == CANCELLED;
        }
    }

    static final Lifecycle<ExecutionState> EXECUTION = Lifecycle.of("window execution", ExecutionState.class)
            .on("first tasks start", ExecutionState.PENDING, ExecutionState.IN_PROGRESS)
            .on("every task succeeded", ExecutionState.IN_PROGRESS, ExecutionState.SUCCESS)
            .on("a task failed", ExecutionState.IN_PROGRESS, ExecutionState.FAILED)
            .on("a task timed out or the cutoff came first", ExecutionState.IN_PROGRESS, ExecutionState.TIMED_OUT)
            .on("tasks were cancelled at the cutoff", ExecutionState.IN_PROGRESS, ExecutionState.CANCELLED)
            .on("CancelMaintenanceWindowExecution", ExecutionState.PENDING, ExecutionState.CANCELLING)
            .on("CancelMaintenanceWindowExecution", ExecutionState.IN_PROGRESS, ExecutionState.CANCELLING)
            .on("running tasks ended after the cancel", ExecutionState.CANCELLING, ExecutionState.CANCELLED)
            .build();

    static final Lifecycle<TaskState> TASK = Lifecycle.of("window task execution", TaskState.class)
            .on("command sent", TaskState.PENDING, TaskState.IN_PROGRESS)
            .on("command refused", TaskState.PENDING, TaskState.FAILED)
            .on("cutoff before it started", TaskState.PENDING, TaskState.TIMED_OUT)
            .on("execution cancelled before it started", TaskState.PENDING, TaskState.CANCELLED)
            .on("command succeeded", TaskState.IN_PROGRESS, TaskState.SUCCESS)
            .on("command failed", TaskState.IN_PROGRESS, TaskState.FAILED)
            .on("command timed out", TaskState.IN_PROGRESS, TaskState.TIMED_OUT)
            .on("command cancelled", TaskState.IN_PROGRESS, TaskState.CANCELLED)
            .on("cutoff with CANCEL_TASK, or execution cancelled", TaskState.IN_PROGRESS, TaskState.CANCELLING)
            .on("command cancelled", TaskState.CANCELLING, TaskState.CANCELLED)
            .on("command succeeded before the cancel reached it", TaskState.CANCELLING, TaskState.SUCCESS)
            .on("command failed before the cancel reached it", TaskState.CANCELLING, TaskState.FAILED)
            .on("command timed out before the cancel reached it", TaskState.CANCELLING, TaskState.TIMED_OUT)
            .build();

    /** A command's final status (AWS's words) as a task execution's state; empty while it runs. */
    static java.util.Optional<TaskState> ofCommand(String status) {
        return java.util.Optional.ofNullable(
                switch (status) {
                    case "Success" -> TaskState.SUCCESS;
                    case "Failed" -> TaskState.FAILED;
                    case "TimedOut" -> TaskState.TIMED_OUT;
                    case "Cancelled" -> TaskState.CANCELLED;
                    default -> null;
                });
    }

    /** A command invocation's status (AWS's words) as a window invocation's status. */
    static String invocationStatus(String status) {
        return switch (status) {
            case "Pending", "Delayed" -> "PENDING";
            case "InProgress" -> "IN_PROGRESS";
            case "Success" -> "SUCCESS";
            case "Cancelling" -> "CANCELLING";
            case "Cancelled" -> "CANCELLED";
            case "TimedOut" -> "TIMED_OUT";
            default -> "FAILED";
        };
    }
}
