package dev.patchtide.server.windows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.CommandListener;
import dev.patchtide.server.windows.TaskMessages.TaskDefinition;
import dev.patchtide.server.windows.WindowLifecycles.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Follows the commands that window tasks sent: a command's end ends its task execution, and each of its
 * invocations is a task invocation (one per instance). Runs inside the commands feature's transaction.
 */
final class TaskCommands implements CommandListener {
    private final WindowEvents events;
    private final TaskLauncher launcher;
    private final Runnable wake;
    private final EarlyChanges early;

    TaskCommands(WindowEvents events, TaskLauncher launcher, Runnable wake, EarlyChanges early) {
        this.events = events;
        this.launcher = launcher;
        this.wake = wake;
        this.early = early;
    }

    private record Owner(
            String taskExecutionId,
            String executionId,
            String windowId,
            TaskState state,
            String definition,
            Instant start) {}

    private static Optional<Owner> owner(Handle h, String commandId) {
        return h.createQuery("SELECT t.task_execution_id, t.window_execution_id, e.window_id, t.status,"
                        + " t.definition::text AS definition, t.start_time FROM maintenance_window_task_executions t"
                        + " JOIN maintenance_window_executions e USING (window_execution_id)"
                        + " WHERE t.command_id = :c")
                .bind("c", commandId)
                .map((rs, ctx) -> new Owner(
                        rs.getString("task_execution_id"),
                        rs.getString("window_execution_id"),
                        rs.getString("window_id"),
                        TaskState.valueOf(rs.getString("status")),
                        rs.getString("definition"),
                        rs.getTimestamp("start_time") == null
                                ? null
                                : rs.getTimestamp("start_time").toInstant()))
                .findOne();
    }

    @Override
    public void commandChanged(Handle h, CommandChange change) {
        Optional<Owner> found = owner(h, change.commandId());
        if (found.isEmpty()) {
            early.hold(change);
            return;
        }
        Optional<TaskState> ended = WindowLifecycles.ofCommand(change.status());
        if (ended.isEmpty()) {
            return;
        }
        Owner o = found.get();
        TaskState to = ended.get();
        if (o.state().finished() || !WindowLifecycles.TASK.allows(o.state(), to)) {
            return;
        }
        boolean moved = WindowLifecycles.TASK.change(
                o.state(),
                to,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = :to,"
                                        + " status_details = :details, end_time = :now"
                                        + " WHERE task_execution_id = :id::uuid AND status = :from")
                                .bind("to", to.name())
                                .bind("details", TaskLauncher.clip(change.statusDetails()))
                                .bind("now", change.changedAt())
                                .bind("id", o.taskExecutionId())
                                .bind("from", o.state().name())
                                .execute()
                        == 1);
        if (moved) {
            events.taskChanged(
                    h, o.windowId(), o.executionId(), o.taskExecutionId(), to.name(), o.start(), change.changedAt());
            wake.run();
        }
    }

    @Override
    public void invocationChanged(Handle h, InvocationChange change) {
        Optional<Owner> found = owner(h, change.commandId());
        if (found.isEmpty()) {
            early.hold(change);
            return;
        }
        Owner o = found.get();
        String status = WindowLifecycles.invocationStatus(change.status());
        boolean ends = List.of("SUCCESS", "FAILED", "TIMED_OUT", "CANCELLED").contains(status);
        TaskDefinition d = launcher.definition(o.definition());
        Optional<String> targetId = d.targets() == null
                ? Optional.empty()
                : d.targets().stream()
                        .filter(t -> t.key().equals("WindowTargetIds")
                                && t.values() != null
                                && t.values().size() == 1)
                        .map(t -> t.values().get(0))
                        .findFirst();
        String owner = targetId.flatMap(id -> h.createQuery("SELECT owner_information FROM"
                                + " maintenance_window_targets WHERE window_target_id::text = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .findOne())
                .orElse(null);
        ObjectNode parameters = ApiJson.documents().createObjectNode();
        parameters.put("documentName", change.documentName());
        parameters.put("commandId", change.commandId());
        parameters.putArray("instanceIds").add(change.instanceId());
        Instant start = h.createQuery("INSERT INTO maintenance_window_task_invocations (invocation_id,"
                        + " task_execution_id, instance_id, window_target_id, owner_information, parameters, status,"
                        + " status_details, start_time, end_time) VALUES (:id::uuid, :task::uuid, :instance, :target,"
                        + " :owner, :parameters, :status, :details, :now, :end)"
                        + " ON CONFLICT (task_execution_id, instance_id) DO UPDATE SET status = EXCLUDED.status,"
                        + " status_details = EXCLUDED.status_details, end_time = EXCLUDED.end_time"
                        + " RETURNING start_time")
                .bind("id", UUID.randomUUID().toString())
                .bind("task", o.taskExecutionId())
                .bind("instance", change.instanceId())
                .bind("target", targetId.orElse(null))
                .bind("owner", owner)
                .bind("parameters", parameters.toString())
                .bind("status", status)
                .bind("details", TaskLauncher.clip(change.statusDetails()))
                .bind("now", change.changedAt())
                .bind("end", ends ? change.changedAt() : null)
                .map((rs, ctx) -> rs.getTimestamp(1).toInstant())
                .one();
        events.invocationChanged(
                h,
                new WindowEvents.InvocationEvent(
                        o.windowId(),
                        o.executionId(),
                        o.taskExecutionId(),
                        targetId.orElse(null),
                        owner,
                        status,
                        start,
                        ends ? change.changedAt() : null));
    }
}
