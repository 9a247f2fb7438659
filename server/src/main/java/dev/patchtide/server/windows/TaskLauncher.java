package dev.patchtide.server.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.commands.CommandLauncher;
import dev.patchtide.server.commands.CommandListener;
import dev.patchtide.server.commands.CommandSpec;
import dev.patchtide.server.windows.ExecutionRunner.Execution;
import dev.patchtide.server.windows.ExecutionRunner.TaskRow;
import dev.patchtide.server.windows.TaskMessages.RunCommand;
import dev.patchtide.server.windows.TaskMessages.TaskDefinition;
import dev.patchtide.server.windows.WindowLifecycles.TaskState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/** Starts, cancels and closes one task execution of a window run, through the commands feature. */
final class TaskLauncher {
    /** StatusDetails holds at most 250 characters in SSM's model. */
    private static final int MAX_DETAILS = 250;

    private static final Principal WINDOWS = new Principal.Admin("");

    private final Supplier<CommandLauncher> commands;
    private final WindowEvents events;
    private final TaskTargets targets;
    private final EarlyChanges early;
    private final ObjectMapper json = ApiJson.mapper();
    private CommandListener listener;
    private TaskWorkflows workflows;

    TaskLauncher(Supplier<CommandLauncher> commands, WindowEvents events, TaskTargets targets, EarlyChanges early) {
        this.commands = commands;
        this.events = events;
        this.targets = targets;
        this.early = early;
    }

    /** Who runs STEP_FUNCTIONS tasks. */
    void workflowsBy(TaskWorkflows workflows) {
        this.workflows = workflows;
    }

    /** Where changes reported during a send are replayed once the task knows its command. */
    void replayTo(CommandListener listener) {
        this.listener = listener;
    }

    TaskDefinition definition(String stored) {
        try {
            return json.readValue(stored, TaskDefinition.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored window task cannot be read", e);
        }
    }

    boolean cancelsAtCutoff(TaskRow t) {
        return "CANCEL_TASK".equals(definition(t.definition()).cutoffBehavior());
    }

    /** Sends the task's command; a command SendCommand would refuse fails the task with its message. */
    void start(Handle h, Execution e, TaskRow t, Instant now) {
        TaskDefinition d = definition(t.definition());
        if (TaskWorkflows.serves(d)) {
            workflows.start(h, e, t, d, now);
            return;
        }
        RunCommand rc = d.taskInvocationParameters() == null
                        || d.taskInvocationParameters().runCommand() == null
                ? new RunCommand(null, null, null, null, null, null, null, null, null, null, null)
                : d.taskInvocationParameters().runCommand();
        EarlyChanges.Held<String> sent;
        String savepoint = "window_task_" + t.id().replace('-', '_');
        h.savepoint(savepoint);
        try {
            TaskTargets.Resolved resolved = targets.resolve(h, e.windowId(), d.targets());
            if (resolved.isEmpty()) {
                throw ApiException.validation("The task's targets name no registered target of the window.");
            }
            CommandSpec spec = new CommandSpec(
                    d.taskArn(),
                    Optional.ofNullable(rc.documentVersion()),
                    rc.parameters() == null ? Map.of() : rc.parameters(),
                    resolved.instanceIds(),
                    resolved.targets(),
                    d.maxConcurrency() == null ? "50" : d.maxConcurrency(),
                    d.maxErrors() == null ? "0" : d.maxErrors(),
                    Optional.ofNullable(rc.timeoutSeconds()),
                    Optional.ofNullable(rc.comment()),
                    Optional.ofNullable(rc.notificationConfig()).map(TaskMessages.NotificationConfig::toSpec),
                    Optional.ofNullable(rc.serviceRoleArn() != null ? rc.serviceRoleArn() : d.serviceRoleArn()));
            sent = early.during(() -> commands.get().send(h, spec, WINDOWS));
            h.releaseSavepoint(savepoint);
        } catch (ApiException refused) {
            // Undoes what the refused send wrote; JDBI forgets the savepoint with it.
            h.rollbackToSavepoint(savepoint);
            finishUnstarted(h, e, t, TaskState.FAILED, refused.getMessage(), now);
            return;
        }
        String commandId = sent.value();
        boolean moved = WindowLifecycles.TASK.change(
                TaskState.PENDING,
                TaskState.IN_PROGRESS,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = 'IN_PROGRESS',"
                                        + " command_id = :command, start_time = :now"
                                        + " WHERE task_execution_id = :id::uuid AND status = 'PENDING'")
                                .bind("command", commandId)
                                .bind("now", now)
                                .bind("id", t.id())
                                .execute()
                        == 1);
        if (moved) {
            events.taskChanged(h, e.windowId(), e.id(), t.id(), "IN_PROGRESS", now, null);
            sent.replay(h, listener);
        }
    }

    /** Ends a task that never started (cutoff, cancelled execution, refused command). */
    boolean finishUnstarted(Handle h, Execution e, TaskRow t, TaskState to, String details, Instant now) {
        boolean moved = WindowLifecycles.TASK.change(
                TaskState.PENDING,
                to,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = :to,"
                                        + " status_details = :details, start_time = :now, end_time = :now"
                                        + " WHERE task_execution_id = :id::uuid AND status = 'PENDING'")
                                .bind("to", to.name())
                                .bind("details", clip(details))
                                .bind("now", now)
                                .bind("id", t.id())
                                .execute()
                        == 1);
        if (moved) {
            events.taskChanged(h, e.windowId(), e.id(), t.id(), to.name(), now, now);
        }
        return moved;
    }

    /** Cancels a running task's command (or execution); its own status changes finish the task. */
    boolean cancel(Handle h, Execution e, TaskRow t, Instant now) {
        if (TaskWorkflows.serves(definition(t.definition()))) {
            workflows.cancel(t);
        } else {
            commands.get().cancel(h, t.commandId());
        }
        // The cancel may already have ended the task (told through the listener): move only what still runs.
        boolean moved = WindowLifecycles.TASK.change(
                TaskState.IN_PROGRESS,
                TaskState.CANCELLING,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = 'CANCELLING'"
                                        + " WHERE task_execution_id = :id::uuid AND status = 'IN_PROGRESS'")
                                .bind("id", t.id())
                                .execute()
                        == 1);
        if (moved) {
            events.taskChanged(h, e.windowId(), e.id(), t.id(), "CANCELLING", t.start(), null);
        }
        return true;
    }

    static String clip(String details) {
        if (details == null || details.length() <= MAX_DETAILS) {
            return details;
        }
        return details.substring(0, MAX_DETAILS - 3) + "...";
    }
}
