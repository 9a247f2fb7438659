package dev.patchtide.server.windows;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.windows.ExecutionMessages.CancelMaintenanceWindowExecutionResult;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionTaskInvocationsRequest;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionTaskInvocationsResult;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionTasksRequest;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionTasksResult;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionsRequest;
import dev.patchtide.server.windows.ExecutionMessages.DescribeMaintenanceWindowExecutionsResult;
import dev.patchtide.server.windows.ExecutionMessages.ExecutionRequest;
import dev.patchtide.server.windows.ExecutionMessages.ExecutionTaskRequest;
import dev.patchtide.server.windows.ExecutionMessages.GetMaintenanceWindowExecutionResult;
import dev.patchtide.server.windows.ExecutionMessages.GetMaintenanceWindowExecutionTaskResult;
import dev.patchtide.server.windows.ExecutionMessages.InvocationRequest;
import dev.patchtide.server.windows.ExecutionMessages.MaintenanceWindowExecution;
import dev.patchtide.server.windows.ExecutionMessages.MaintenanceWindowExecutionTaskIdentity;
import dev.patchtide.server.windows.ExecutionMessages.MaintenanceWindowExecutionTaskInvocationIdentity;
import dev.patchtide.server.windows.TargetApi.Page;
import dev.patchtide.server.windows.TaskMessages.TaskDefinition;
import dev.patchtide.server.windows.WindowLifecycles.ExecutionState;
import dev.patchtide.server.windows.WindowMessages.Filter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The executions of windows, their task executions and invocations, and CancelMaintenanceWindowExecution. */
final class ExecutionApi {
    private final Jdbi jdbi;
    private final InstantSource clock;
    private final ExecutionRunner runner;
    private final Runnable wake;

    ExecutionApi(Jdbi jdbi, InstantSource clock, ExecutionRunner runner, Runnable wake) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.runner = runner;
        this.wake = wake;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowExecutions",
                DescribeMaintenanceWindowExecutionsRequest.class,
                Access.adminOnly(),
                (q, who) -> executions(q)));
        router.register(new Action<>(
                "AmazonSSM.GetMaintenanceWindowExecution",
                ExecutionRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> {
                    MaintenanceWindowExecution e = execution(h, q.windowExecutionId(), false);
                    List<String> taskIds = ExecutionRunner.tasksOf(h, e.windowExecutionId()).stream()
                            .map(ExecutionRunner.TaskRow::id)
                            .toList();
                    return new GetMaintenanceWindowExecutionResult(
                            e.windowExecutionId(), taskIds, e.status(), e.statusDetails(), e.startTime(), e.endTime());
                })));
        router.register(new Action<>(
                "AmazonSSM.CancelMaintenanceWindowExecution",
                ExecutionRequest.class,
                Access.adminOnly(),
                (q, who) -> cancel(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowExecutionTasks",
                DescribeMaintenanceWindowExecutionTasksRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> {
                    execution(h, q.windowExecutionId(), false);
                    Predicate<MaintenanceWindowExecutionTaskIdentity> keep = statusFilter(q.filters(), t -> t.status());
                    List<MaintenanceWindowExecutionTaskIdentity> all = tasks(h, q.windowExecutionId(), null).stream()
                            .filter(keep)
                            .toList();
                    Page<MaintenanceWindowExecutionTaskIdentity> page = Page.of(
                            all,
                            MaintenanceWindowExecutionTaskIdentity::taskExecutionId,
                            "window-execution-tasks",
                            q.maxResults(),
                            q.nextToken());
                    return new DescribeMaintenanceWindowExecutionTasksResult(page.items(), page.nextToken());
                })));
        router.register(new Action<>(
                "AmazonSSM.GetMaintenanceWindowExecutionTask",
                ExecutionTaskRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> task(h, q.windowExecutionId(), q.taskId()))));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindowExecutionTaskInvocations",
                DescribeMaintenanceWindowExecutionTaskInvocationsRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> {
                    task(h, q.windowExecutionId(), q.taskId());
                    Predicate<MaintenanceWindowExecutionTaskInvocationIdentity> keep =
                            statusFilter(q.filters(), MaintenanceWindowExecutionTaskInvocationIdentity::status);
                    List<MaintenanceWindowExecutionTaskInvocationIdentity> all =
                            invocations(h, q.windowExecutionId(), q.taskId(), null).stream()
                                    .filter(keep)
                                    .toList();
                    Page<MaintenanceWindowExecutionTaskInvocationIdentity> page = Page.of(
                            all,
                            MaintenanceWindowExecutionTaskInvocationIdentity::invocationId,
                            "window-invocations",
                            q.maxResults(),
                            q.nextToken());
                    return new DescribeMaintenanceWindowExecutionTaskInvocationsResult(page.items(), page.nextToken());
                })));
        router.register(new Action<>(
                "AmazonSSM.GetMaintenanceWindowExecutionTaskInvocation",
                InvocationRequest.class,
                Access.adminOnly(),
                (q, who) -> jdbi.withHandle(h -> {
                    task(h, q.windowExecutionId(), q.taskId());
                    return invocations(h, q.windowExecutionId(), q.taskId(), q.invocationId()).stream()
                            .findFirst()
                            .orElseThrow(() -> WindowRow.notFound("Invocation " + q.invocationId()));
                })));
    }

    private static Instant time(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static MaintenanceWindowExecution execution(Handle h, String id, boolean lock) {
        return h.createQuery("SELECT window_id, window_execution_id::text AS id, status, status_details, start_time,"
                        + " end_time FROM maintenance_window_executions WHERE window_execution_id::text = lower(:id)"
                        + (lock ? " FOR UPDATE" : ""))
                .bind("id", id)
                .map((rs, ctx) -> new MaintenanceWindowExecution(
                        rs.getString("window_id"),
                        rs.getString("id"),
                        rs.getString("status"),
                        rs.getString("status_details"),
                        time(rs, "start_time"),
                        time(rs, "end_time")))
                .findOne()
                .orElseThrow(() -> WindowRow.notFound("Maintenance window execution " + id));
    }

    private DescribeMaintenanceWindowExecutionsResult executions(DescribeMaintenanceWindowExecutionsRequest q) {
        Instant before = null;
        Instant after = null;
        FilterKeys once = new FilterKeys("ValidationException");
        for (Filter f : q.filters() == null ? List.<Filter>of() : q.filters()) {
            once.once(f.key());
            if (f.values() == null || f.values().size() != 1) {
                throw ApiException.validation("The filter " + Validation.clip(f.key()) + " takes one value.");
            }
            Instant at;
            try {
                at = OffsetDateTime.parse(f.values().get(0)).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.validation("The filter " + Validation.clip(f.key())
                        + " takes an ISO-8601 date and time such as 2026-03-29T00:00:00Z.");
            }
            switch (f.key()) {
                case "ExecutionStartsBefore" -> before = at;
                case "ExecutionStartsAfter" -> after = at;
                default ->
                    throw ApiException.validation("The filter key " + Validation.clip(f.key())
                            + " isn't valid; valid keys are ExecutionStartsBefore and ExecutionStartsAfter.");
            }
        }
        Instant startsBefore = before;
        Instant startsAfter = after;
        List<MaintenanceWindowExecution> all = jdbi.withHandle(h -> h.createQuery("SELECT window_id,"
                        + " window_execution_id::text AS id, status, status_details, start_time, end_time"
                        + " FROM maintenance_window_executions WHERE window_id = :w"
                        + " AND (CAST(:before AS timestamptz) IS NULL OR start_time < :before)"
                        + " AND (CAST(:after AS timestamptz) IS NULL OR start_time > :after)"
                        + " ORDER BY start_time DESC, window_execution_id")
                .bind("w", q.windowId())
                .bind("before", startsBefore)
                .bind("after", startsAfter)
                .map((rs, ctx) -> new MaintenanceWindowExecution(
                        rs.getString("window_id"),
                        rs.getString("id"),
                        rs.getString("status"),
                        rs.getString("status_details"),
                        time(rs, "start_time"),
                        time(rs, "end_time")))
                .list());
        Page<MaintenanceWindowExecution> page = Page.of(
                all, MaintenanceWindowExecution::windowExecutionId, "window-executions", q.maxResults(), q.nextToken());
        return new DescribeMaintenanceWindowExecutionsResult(page.items(), page.nextToken());
    }

    private static <T> Predicate<T> statusFilter(List<Filter> filters, java.util.function.Function<T, String> status) {
        Predicate<T> keep = t -> true;
        FilterKeys once = new FilterKeys("ValidationException");
        for (Filter f : filters == null ? List.<Filter>of() : filters) {
            once.once(f.key());
            if (!f.key().equals("Status")) {
                throw ApiException.validation(
                        "The filter key " + Validation.clip(f.key()) + " isn't valid; the valid key is Status.");
            }
            List<String> values = f.values() == null ? List.of() : f.values();
            keep = keep.and(t -> values.contains(status.apply(t)));
        }
        return keep;
    }

    private static List<MaintenanceWindowExecutionTaskIdentity> tasks(Handle h, String executionId, String taskId) {
        return ExecutionRunner.tasksOf(h, executionId.toLowerCase()).stream()
                .filter(t -> taskId == null || t.id().equalsIgnoreCase(taskId))
                .map(t -> {
                    TaskDefinition d = TaskApi.read(t.definition());
                    Instant[] times = h.createQuery(
                                    "SELECT start_time, end_time FROM maintenance_window_task_executions"
                                            + " WHERE task_execution_id = :id::uuid")
                            .bind("id", t.id())
                            .map((rs, ctx) -> new Instant[] {time(rs, "start_time"), time(rs, "end_time")})
                            .one();
                    String details = h.createQuery("SELECT status_details FROM maintenance_window_task_executions"
                                    + " WHERE task_execution_id = :id::uuid")
                            .bind("id", t.id())
                            .mapTo(String.class)
                            .one();
                    return new MaintenanceWindowExecutionTaskIdentity(
                            executionId.toLowerCase(),
                            t.id(),
                            t.state().name(),
                            details,
                            times[0],
                            times[1],
                            d.taskArn(),
                            d.taskType(),
                            d.alarmConfiguration());
                })
                .toList();
    }

    private static GetMaintenanceWindowExecutionTaskResult task(Handle h, String executionId, String taskId) {
        execution(h, executionId, false);
        MaintenanceWindowExecutionTaskIdentity t = tasks(h, executionId, taskId).stream()
                .findFirst()
                .orElseThrow(() -> WindowRow.notFound("Task execution " + taskId + " of execution " + executionId));
        String stored = h.createQuery(
                        "SELECT definition::text FROM maintenance_window_task_executions WHERE task_execution_id = :id::uuid")
                .bind("id", t.taskExecutionId())
                .mapTo(String.class)
                .one();
        TaskDefinition d = TaskApi.read(stored);
        return new GetMaintenanceWindowExecutionTaskResult(
                t.windowExecutionId(),
                t.taskExecutionId(),
                d.taskArn(),
                d.serviceRoleArn(),
                d.taskType(),
                d.taskParameters() == null ? null : List.of(d.taskParameters()),
                d.priority(),
                d.maxConcurrency(),
                d.maxErrors(),
                t.status(),
                t.statusDetails(),
                t.startTime(),
                t.endTime(),
                d.alarmConfiguration());
    }

    private static List<MaintenanceWindowExecutionTaskInvocationIdentity> invocations(
            Handle h, String executionId, String taskId, String invocationId) {
        return h.createQuery("SELECT i.invocation_id::text AS id, i.instance_id, i.window_target_id,"
                        + " i.owner_information, i.parameters, i.status, i.status_details, i.start_time, i.end_time,"
                        + " t.command_id, t.definition ->> 'TaskType' AS task_type"
                        + " FROM maintenance_window_task_invocations i JOIN maintenance_window_task_executions t"
                        + " USING (task_execution_id) WHERE t.task_execution_id::text = lower(:task)"
                        + " AND t.window_execution_id::text = lower(:execution)"
                        + " AND (CAST(:invocation AS text) IS NULL OR i.invocation_id::text = lower(:invocation))"
                        + " ORDER BY i.start_time, i.invocation_id")
                .bind("task", taskId)
                .bind("execution", executionId)
                .bind("invocation", invocationId)
                .map((rs, ctx) -> new MaintenanceWindowExecutionTaskInvocationIdentity(
                        executionId.toLowerCase(),
                        taskId.toLowerCase(),
                        rs.getString("id"),
                        rs.getString("command_id"),
                        rs.getString("task_type"),
                        rs.getString("parameters"),
                        rs.getString("status"),
                        rs.getString("status_details"),
                        time(rs, "start_time"),
                        time(rs, "end_time"),
                        rs.getString("owner_information"),
                        rs.getString("window_target_id")))
                .list();
    }

    /** Moves the execution to CANCELLING; the runner cancels its tasks and ends it as CANCELLED. */
    private CancelMaintenanceWindowExecutionResult cancel(ExecutionRequest q) {
        Instant now = clock.instant();
        String id = jdbi.inTransaction(h -> {
            MaintenanceWindowExecution e = execution(h, q.windowExecutionId(), true);
            ExecutionState state = ExecutionState.valueOf(e.status());
            if (WindowLifecycles.EXECUTION.allows(state, ExecutionState.CANCELLING)) {
                runner.move(
                        h,
                        new ExecutionRunner.Execution(e.windowExecutionId(), e.windowId(), state, now, e.startTime()),
                        ExecutionState.CANCELLING,
                        "Cancelled by CancelMaintenanceWindowExecution.",
                        now);
            }
            return e.windowExecutionId();
        });
        wake.run();
        return new CancelMaintenanceWindowExecutionResult(id);
    }
}
