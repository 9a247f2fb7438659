package dev.patchtide.server.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.CommandNotifications;
import dev.patchtide.server.windows.TargetApi.Page;
import dev.patchtide.server.windows.TaskMessages.DescribeMaintenanceWindowTasksResult;
import dev.patchtide.server.windows.TaskMessages.DescribeRequest;
import dev.patchtide.server.windows.TaskMessages.MaintenanceWindowTask;
import dev.patchtide.server.windows.TaskMessages.MaintenanceWindowTaskDetail;
import dev.patchtide.server.windows.TaskMessages.RegisterTaskWithMaintenanceWindowRequest;
import dev.patchtide.server.windows.TaskMessages.RegisterTaskWithMaintenanceWindowResult;
import dev.patchtide.server.windows.TaskMessages.TaskDefinition;
import dev.patchtide.server.windows.TaskMessages.UpdateMaintenanceWindowTaskRequest;
import dev.patchtide.server.windows.TaskMessages.WindowTaskRequest;
import dev.patchtide.server.windows.TaskMessages.WindowTaskResult;
import dev.patchtide.server.windows.WindowMessages.Filter;
import dev.patchtide.server.windows.WindowMessages.Target;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** RegisterTaskWithMaintenanceWindow, Update…Task, Deregister…, Describe…Tasks and GetMaintenanceWindowTask. */
final class TaskApi {
    /** AWS's quota of tasks per maintenance window. */
    static final int MAX_TASKS = 20;

    private final Jdbi jdbi;
    private final InstantSource clock;

    TaskApi(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.RegisterTaskWithMaintenanceWindow",
                RegisterTaskWithMaintenanceWindowRequest.class,
                Access.adminOnly(),
                (q, who) -> register(q)));
        router.register(new Action<>(
                "AmazonSSM.UpdateMaintenanceWindowTask",
                UpdateMaintenanceWindowTaskRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AmazonSSM.DeregisterTaskFromMaintenanceWindow",
                WindowTaskRequest.class,
                Access.adminOnly(),
                (q, who) -> deregister(q)));
        router.register(new Action<>(
                "AmazonSSM.GetMaintenanceWindowTask",
                WindowTaskRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> {
                    WindowRow.require(h, q.windowId(), false);
                    TaskDefinition d = require(h, q.windowId(), q.windowTaskId());
                    return MaintenanceWindowTaskDetail.of(
                            q.windowId(), q.windowTaskId().toLowerCase(), d);
                })));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowTasks",
                DescribeRequest.class,
                Access.adminOnly(),
                (q, who) -> describe(q)));
    }

    static String write(TaskDefinition d) {
        try {
            return ApiJson.mapper().writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static TaskDefinition read(String text) {
        try {
            return ApiJson.mapper().readValue(text, TaskDefinition.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored window task cannot be read", e);
        }
    }

    /** What a task may be; checked against its window (its targets, AllowUnassociatedTargets). */
    private static void check(Handle h, WindowRow w, TaskDefinition d) {
        switch (d.taskType()) {
            case "RUN_COMMAND" -> {}
            case "STEP_FUNCTIONS" -> {
                TaskWorkflows.check(d);
                return;
            }
            default ->
                throw new ApiException.Invalid(
                        "FeatureNotAvailableException",
                        d.taskType() + " tasks are not available in Patchtide. Use RUN_COMMAND.");
        }
        if (d.targets().isEmpty()) {
            throw ApiException.validation("1 validation error detected: Value at 'targets' failed to satisfy"
                    + " constraint: a RUN_COMMAND task must name WindowTargetIds or InstanceIds");
        }
        Validation v = new Validation();
        v.required("maxConcurrency", d.maxConcurrency()).required("maxErrors", d.maxErrors());
        v.throwIfInvalid();
        for (int i = 0; i < d.targets().size(); i++) {
            Target t = d.targets().get(i);
            String at = "targets." + (i + 1) + ".member";
            List<String> values = t.values() == null ? List.of() : t.values();
            if (values.isEmpty()) {
                throw ApiException.validation("1 validation error detected: Value at '" + at + ".values' failed to"
                        + " satisfy constraint: Member must name at least one value");
            }
            switch (t.key()) {
                case "WindowTargetIds" -> {
                    for (String id : values) {
                        boolean known = WindowMessages.UUID.matcher(id).matches()
                                && TargetApi.query(h, "window_target_id::text = lower(:v)", id)
                                        .filter(r -> r.windowId().equals(w.windowId()))
                                        .isPresent();
                        if (!known) {
                            throw WindowRow.notFound(
                                    "Target " + Validation.clip(id) + " of maintenance window " + w.windowId());
                        }
                    }
                }
                case "InstanceIds" -> {
                    if (!w.allowUnassociatedTargets()) {
                        throw ApiException.validation("1 validation error detected: Value 'InstanceIds' at '" + at
                                + ".key' failed to satisfy constraint: the window does not allow unassociated"
                                + " targets; register the instances as window targets and use WindowTargetIds");
                    }
                }
                default ->
                    throw ApiException.validation("1 validation error detected: Value '"
                            + Validation.clip(t.key()) + "' at '" + at
                            + ".key' failed to satisfy constraint: Member must be WindowTargetIds or InstanceIds");
            }
        }
    }

    private RegisterTaskWithMaintenanceWindowResult register(RegisterTaskWithMaintenanceWindowRequest q) {
        TaskDefinition d = q.definition();
        String id = jdbi.inTransaction(h -> {
            WindowRow w = WindowRow.require(h, q.windowId(), true);
            requireNotificationTopic(h, d);
            if (q.clientToken() != null) {
                Optional<String[]> earlier = h.createQuery("SELECT window_task_id::text, window_id, definition::text"
                                + " FROM maintenance_window_tasks WHERE client_token = :t")
                        .bind("t", q.clientToken())
                        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                        .findOne();
                if (earlier.isPresent()) {
                    if (!earlier.get()[1].equals(q.windowId())
                            || !read(earlier.get()[2]).equals(d)) {
                        throw new ApiException.Conflict(
                                "IdempotentParameterMismatch",
                                "ClientToken " + Validation.clip(q.clientToken())
                                        + " was used before with different parameters.");
                    }
                    return earlier.get()[0];
                }
            }
            check(h, w, d);
            int count = h.createQuery("SELECT count(*) FROM maintenance_window_tasks WHERE window_id = :w")
                    .bind("w", q.windowId())
                    .mapTo(Integer.class)
                    .one();
            if (count >= MAX_TASKS) {
                throw new ApiException.LimitExceeded(
                        "ResourceLimitExceededException",
                        "A maintenance window can have at most " + MAX_TASKS + " tasks.");
            }
            String taskId = UUID.randomUUID().toString();
            h.createUpdate("INSERT INTO maintenance_window_tasks (window_task_id, window_id, priority, definition,"
                            + " client_token, created_at) VALUES (:id::uuid, :w, :priority, :d::jsonb, :token, :now)")
                    .bind("id", taskId)
                    .bind("w", q.windowId())
                    .bind("priority", d.priority())
                    .bind("d", write(d))
                    .bind("token", q.clientToken())
                    .bind("now", clock.instant())
                    .execute();
            return taskId;
        });
        return new RegisterTaskWithMaintenanceWindowResult(id);
    }

    private static TaskDefinition require(Handle h, String windowId, String taskId) {
        return h.createQuery("SELECT definition::text FROM maintenance_window_tasks WHERE window_id = :w"
                        + " AND window_task_id::text = lower(:id)")
                .bind("w", windowId)
                .bind("id", taskId)
                .mapTo(String.class)
                .findOne()
                .map(TaskApi::read)
                .orElseThrow(() -> WindowRow.notFound("Task " + taskId + " of maintenance window " + windowId));
    }

    /** A Run Command task's notifications go to a topic of this server, checked as SendCommand checks it. */
    private static void requireNotificationTopic(Handle h, TaskDefinition d) {
        if (d.taskInvocationParameters() != null
                && d.taskInvocationParameters().runCommand() != null
                && d.taskInvocationParameters().runCommand().notificationConfig() != null) {
            CommandNotifications.requireTopic(
                    h,
                    d.taskInvocationParameters()
                            .runCommand()
                            .notificationConfig()
                            .toSpec(),
                    "taskInvocationParameters.runCommand.notificationConfig");
        }
    }

    private MaintenanceWindowTaskDetail update(UpdateMaintenanceWindowTaskRequest q) {
        boolean replace = Boolean.TRUE.equals(q.replace());
        return jdbi.inTransaction(h -> {
            WindowRow w = WindowRow.require(h, q.windowId(), true);
            TaskDefinition t = require(h, q.windowId(), q.windowTaskId());
            TaskDefinition d = new TaskDefinition(
                    q.targets() != null ? q.targets() : t.targets(),
                    q.taskArn() != null ? q.taskArn() : t.taskArn(),
                    pick(q.serviceRoleArn(), t.serviceRoleArn(), replace),
                    t.taskType(),
                    pick(q.taskParameters(), t.taskParameters(), replace),
                    pick(q.taskInvocationParameters(), t.taskInvocationParameters(), replace),
                    q.priority() != null ? q.priority() : replace ? Integer.valueOf(1) : t.priority(),
                    pick(q.maxConcurrency(), t.maxConcurrency(), replace),
                    pick(q.maxErrors(), t.maxErrors(), replace),
                    pick(q.loggingInfo(), t.loggingInfo(), replace),
                    pick(q.name(), t.name(), replace),
                    pick(q.description(), t.description(), replace),
                    q.cutoffBehavior() != null ? q.cutoffBehavior() : replace ? "CONTINUE_TASK" : t.cutoffBehavior(),
                    pick(q.alarmConfiguration(), t.alarmConfiguration(), replace));
            requireNotificationTopic(h, d);
            check(h, w, d);
            h.createUpdate("UPDATE maintenance_window_tasks SET priority = :priority, definition = :d::jsonb"
                            + " WHERE window_task_id = :id::uuid")
                    .bind("priority", d.priority())
                    .bind("d", write(d))
                    .bind("id", q.windowTaskId())
                    .execute();
            return MaintenanceWindowTaskDetail.of(q.windowId(), q.windowTaskId().toLowerCase(), d);
        });
    }

    private static <T> T pick(T given, T current, boolean replace) {
        return given != null || replace ? given : current;
    }

    private WindowTaskResult deregister(WindowTaskRequest q) {
        jdbi.useTransaction(h -> {
            WindowRow.require(h, q.windowId(), true);
            require(h, q.windowId(), q.windowTaskId());
            h.createUpdate("DELETE FROM maintenance_window_tasks WHERE window_task_id = :id::uuid")
                    .bind("id", q.windowTaskId())
                    .execute();
        });
        return new WindowTaskResult(q.windowId(), q.windowTaskId().toLowerCase());
    }

    private DescribeMaintenanceWindowTasksResult describe(DescribeRequest q) {
        Predicate<MaintenanceWindowTask> keep = t -> true;
        FilterKeys once = new FilterKeys("ValidationException");
        for (Filter f : q.filters() == null ? List.<Filter>of() : q.filters()) {
            once.once(f.key());
            List<String> values = f.values() == null ? List.of() : f.values();
            Predicate<MaintenanceWindowTask> p =
                    switch (f.key()) {
                        case "WindowTaskId" -> t -> values.contains(t.windowTaskId());
                        case "TaskArn" -> t -> values.contains(t.taskArn());
                        case "Priority" -> t -> values.contains(String.valueOf(t.priority()));
                        case "TaskType" -> t -> values.contains(t.type());
                        default ->
                            throw ApiException.validation("The filter key " + Validation.clip(f.key())
                                    + " isn't valid; valid keys are WindowTaskId, TaskArn, Priority and TaskType.");
                    };
            keep = keep.and(p);
        }
        Predicate<MaintenanceWindowTask> filter = keep;
        List<MaintenanceWindowTask> all = jdbi.withHandle(h -> {
            WindowRow.require(h, q.windowId(), false);
            return h
                    .createQuery("SELECT window_task_id::text AS id, definition::text AS d FROM"
                            + " maintenance_window_tasks WHERE window_id = :w ORDER BY priority, window_task_id")
                    .bind("w", q.windowId())
                    .map((rs, ctx) -> Map.entry(rs.getString("id"), rs.getString("d")))
                    .list()
                    .stream()
                    .map(e -> MaintenanceWindowTask.of(q.windowId(), e.getKey(), read(e.getValue())))
                    .toList();
        });
        Page<MaintenanceWindowTask> page = Page.of(
                all.stream().filter(filter).toList(),
                MaintenanceWindowTask::windowTaskId,
                "window-tasks",
                q.maxResults(),
                q.nextToken());
        return new DescribeMaintenanceWindowTasksResult(page.items(), page.nextToken());
    }
}
