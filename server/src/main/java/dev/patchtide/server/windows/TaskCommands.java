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
        invocationsChanged(h, List.of(change));
    }

    /**
     * The changes of one command's invocations to one status (as the commands feature reports them): one task
     * invocation row each, written with one statement, and their events published together.
     */
    @Override
    public void invocationsChanged(Handle h, List<InvocationChange> changes) {
        InvocationChange first = changes.getFirst();
        boolean alike = changes.stream()
                .allMatch(c -> c.commandId().equals(first.commandId())
                        && c.status().equals(first.status())
                        && c.statusDetails().equals(first.statusDetails())
                        && c.changedAt().equals(first.changedAt()));
        if (!alike) {
            changes.forEach(c -> invocationsChanged(h, List.of(c)));
            return;
        }
        Optional<Owner> found = owner(h, first.commandId());
        if (found.isEmpty()) {
            changes.forEach(early::hold);
            return;
        }
        Owner o = found.get();
        String status = WindowLifecycles.invocationStatus(first.status());
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
        int n = changes.size();
        UUID[] ids = new UUID[n];
        String[] instances = new String[n];
        String[] parameters = new String[n];
        for (int i = 0; i < n; i++) {
            InvocationChange change = changes.get(i);
            ObjectNode p = ApiJson.documents().createObjectNode();
            p.put("documentName", change.documentName());
            p.put("commandId", change.commandId());
            p.putArray("instanceIds").add(change.instanceId());
            ids[i] = UUID.randomUUID();
            instances[i] = change.instanceId();
            parameters[i] = p.toString();
        }
        java.util.Map<String, Instant> starts = new java.util.HashMap<>();
        h.createQuery("INSERT INTO maintenance_window_task_invocations (invocation_id,"
                        + " task_execution_id, instance_id, window_target_id, owner_information, parameters, status,"
                        + " status_details, start_time, end_time) SELECT id, :task::uuid, instance, :target, :owner,"
                        + " parameters, :status, :details, :now, :end"
                        + " FROM unnest(:ids, :instances, :parameters) AS i(id, instance, parameters)"
                        + " ON CONFLICT (task_execution_id, instance_id) DO UPDATE SET status = EXCLUDED.status,"
                        + " status_details = EXCLUDED.status_details, end_time = EXCLUDED.end_time"
                        + " RETURNING instance_id, start_time")
                .bindArray("ids", UUID.class, (Object[]) ids)
                .bindArray("instances", String.class, (Object[]) instances)
                .bindArray("parameters", String.class, (Object[]) parameters)
                .bind("task", o.taskExecutionId())
                .bind("target", targetId.orElse(null))
                .bind("owner", owner)
                .bind("status", status)
                .bind("details", TaskLauncher.clip(first.statusDetails()))
                .bind("now", first.changedAt())
                .bind("end", ends ? first.changedAt() : null)
                .map((rs, ctx) ->
                        java.util.Map.entry(rs.getString(1), rs.getTimestamp(2).toInstant()))
                .forEach(e -> starts.put(e.getKey(), e.getValue()));
        events.invocationsChanged(
                h,
                changes.stream()
                        .map(change -> new WindowEvents.InvocationEvent(
                                o.windowId(),
                                o.executionId(),
                                o.taskExecutionId(),
                                targetId.orElse(null),
                                owner,
                                status,
                                starts.get(change.instanceId()),
                                ends ? change.changedAt() : null))
                        .toList());
    }
}
