package dev.patchtide.server.windows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.windows.ExecutionRunner.Execution;
import dev.patchtide.server.windows.ExecutionRunner.TaskRow;
import dev.patchtide.server.windows.TaskMessages.StepFunctions;
import dev.patchtide.server.windows.TaskMessages.TaskDefinition;
import dev.patchtide.server.windows.WindowLifecycles.TaskState;
import dev.patchtide.server.workflows.ExecutionListener;
import dev.patchtide.server.workflows.WorkflowRuns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * STEP_FUNCTIONS window tasks: a task execution starts one STANDARD execution of the task's state machine with
 * TaskInvocationParameters.StepFunctions (pseudo parameters substituted), and its one invocation follows that
 * execution to its end. The task execution's {@code command_id} holds the execution's ARN: it is what AWS shows as
 * the invocation's ExecutionId, and it is unique as a command id is. Cutoff with CANCEL_TASK and
 * CancelMaintenanceWindowExecution stop the execution; its end (ABORTED) then ends the task as CANCELLED.
 */
final class TaskWorkflows implements ExecutionListener {
    static final String TYPE = "STEP_FUNCTIONS";

    private static final Pattern STATE_MACHINE = Pattern.compile(
            "arn:aws[a-z-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}(:[A-Za-z0-9_-]+)?");

    private final WindowEvents events;
    private final TaskLauncher launcher;
    private final Runnable wake;
    private volatile Optional<WorkflowRuns> runs = Optional.empty();

    /** Ends told while this thread was starting an execution, before its task knew the execution's ARN. */
    private final ThreadLocal<List<Ended>> endedDuringStart = new ThreadLocal<>();

    TaskWorkflows(WindowEvents events, TaskLauncher launcher, Runnable wake) {
        this.events = events;
        this.launcher = launcher;
        this.wake = wake;
    }

    void use(WorkflowRuns workflows) {
        this.runs = Optional.of(workflows);
        workflows.addListener(this);
    }

    static boolean serves(TaskDefinition d) {
        return TYPE.equals(d.taskType());
    }

    /** What RegisterTaskWithMaintenanceWindow and UpdateMaintenanceWindowTask accept for this type. */
    static void check(TaskDefinition d) {
        if (d.targets() != null && !d.targets().isEmpty()) {
            // AWS would run the machine once per target; Patchtide runs it once per window execution.
            throw new ApiException.Invalid(
                    "FeatureNotAvailableException",
                    "STEP_FUNCTIONS tasks run once per window execution on Patchtide: register the task without"
                            + " Targets.");
        }
        if (!STATE_MACHINE.matcher(d.taskArn()).matches()) {
            throw ApiException.validation("1 validation error detected: Value at 'taskArn' failed to satisfy"
                    + " constraint: a STEP_FUNCTIONS task's TaskArn must be a state machine ARN"
                    + " (arn:aws:states:<region>:<account>:stateMachine:<name>)");
        }
    }

    /** The pseudo parameters AWS substitutes that mean something for a task without targets. */
    static String substitute(String text, Map<String, String> values) {
        String out = text;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{{" + v.getKey() + "}}", v.getValue());
        }
        return out;
    }

    void start(Handle h, Execution e, TaskRow t, TaskDefinition d, Instant now) {
        StepFunctions p = d.taskInvocationParameters() == null
                        || d.taskInvocationParameters().stepFunctions() == null
                ? new StepFunctions(null, null)
                : d.taskInvocationParameters().stepFunctions();
        String invocationId = UUID.randomUUID().toString();
        String windowTaskId = h.createQuery("SELECT window_task_id::text FROM maintenance_window_task_executions"
                        + " WHERE task_execution_id = :id::uuid")
                .bind("id", t.id())
                .mapTo(String.class)
                .one();
        Map<String, String> pseudo = new LinkedHashMap<>();
        pseudo.put("WINDOW_ID", e.windowId());
        pseudo.put("WINDOW_EXECUTION_ID", e.id());
        pseudo.put("WINDOW_TASK_ID", windowTaskId);
        pseudo.put("TASK_EXECUTION_ID", t.id());
        pseudo.put("INVOCATION_ID", invocationId);
        String input = p.input() == null ? "{}" : substitute(p.input(), pseudo);
        // The task execution's id names the execution unless the task names it: unique per run, as AWS needs.
        String name = p.name() == null ? t.id() : substitute(p.name(), pseudo);
        String savepoint = "window_workflow_" + t.id().replace('-', '_');
        h.savepoint(savepoint);
        endedDuringStart.set(new ArrayList<>());
        String executionArn;
        List<Ended> early;
        try {
            executionArn = runs.orElseThrow(() -> new ApiException.Invalid(
                            "FeatureNotAvailableException", "Step Functions does not run on this server."))
                    .start(d.taskArn(), name, input);
            h.releaseSavepoint(savepoint);
        } catch (ApiException refused) {
            h.rollbackToSavepoint(savepoint);
            launcher.finishUnstarted(h, e, t, TaskState.FAILED, refused.getMessage(), now);
            return;
        } finally {
            early = endedDuringStart.get();
            endedDuringStart.remove();
        }
        boolean moved = WindowLifecycles.TASK.change(
                TaskState.PENDING,
                TaskState.IN_PROGRESS,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = 'IN_PROGRESS',"
                                        + " command_id = :arn, start_time = :now"
                                        + " WHERE task_execution_id = :id::uuid AND status = 'PENDING'")
                                .bind("arn", executionArn)
                                .bind("now", now)
                                .bind("id", t.id())
                                .execute()
                        == 1);
        if (!moved) {
            return;
        }
        events.taskChanged(h, e.windowId(), e.id(), t.id(), "IN_PROGRESS", now, null);
        ObjectNode parameters =
                ApiJson.documents().createObjectNode().put("input", input).put("name", name);
        h.createUpdate("INSERT INTO maintenance_window_task_invocations (invocation_id, task_execution_id,"
                        + " instance_id, parameters, status, start_time) VALUES (:id::uuid, :task::uuid, '',"
                        + " :parameters, 'IN_PROGRESS', :now)")
                .bind("id", invocationId)
                .bind("task", t.id())
                .bind("parameters", parameters.toString())
                .bind("now", now)
                .execute();
        events.invocationsChanged(
                h,
                List.of(new WindowEvents.InvocationEvent(
                        e.windowId(), e.id(), t.id(), null, null, "IN_PROGRESS", now, null)));
        for (Ended ended : early) {
            if (ended.executionArn().equals(executionArn)) {
                executionEnded(h, ended);
            }
        }
    }

    /** Stops the task's execution; its end, told to {@link #executionEnded}, ends the task. */
    void cancel(TaskRow t) {
        runs.ifPresent(r -> r.stop(t.commandId(), "Cancelled", "The maintenance window task was cancelled."));
    }

    private record Owner(String taskExecutionId, String executionId, String windowId, TaskState state, Instant start) {}

    @Override
    public void executionEnded(Handle h, Ended ended) {
        ended(h, ended, Optional.ofNullable(owners(h, List.of(ended)).get(ended.executionArn())));
    }

    /**
     * A group of starts ends many executions in one transaction: one look for the tasks that own any of them, not
     * one per execution (most have none).
     */
    @Override
    public void executionsEnded(Handle h, List<Ended> ended) {
        Map<String, Owner> owners = owners(h, ended);
        for (Ended e : ended) {
            ended(h, e, Optional.ofNullable(owners.get(e.executionArn())));
        }
    }

    /** The window tasks that started any of these executions, by execution ARN. */
    private static Map<String, Owner> owners(Handle h, List<Ended> ended) {
        Map<String, Owner> owners = new LinkedHashMap<>();
        h.createQuery("SELECT t.command_id, t.task_execution_id, t.window_execution_id, e.window_id,"
                        + " t.status, t.start_time FROM maintenance_window_task_executions t"
                        + " JOIN maintenance_window_executions e USING (window_execution_id)"
                        + " WHERE t.command_id = ANY(:arns) AND t.definition ->> 'TaskType' = 'STEP_FUNCTIONS'")
                .bind(
                        "arns",
                        PgArrays.texts(ended.stream().map(Ended::executionArn).toArray(String[]::new)))
                .map((rs, ctx) -> Map.entry(
                        rs.getString(1),
                        new Owner(
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                TaskState.valueOf(rs.getString(5)),
                                rs.getTimestamp(6).toInstant())))
                .forEach(e -> owners.put(e.getKey(), e.getValue()));
        return owners;
    }

    private void ended(Handle h, Ended ended, Optional<Owner> found) {
        if (found.isEmpty()) {
            List<Ended> early = endedDuringStart.get();
            if (early != null) {
                early.add(ended);
            }
            return;
        }
        Owner o = found.get();
        TaskState to = taskState(ended.status());
        if (o.state().finished() || !WindowLifecycles.TASK.allows(o.state(), to)) {
            return;
        }
        String details = TaskLauncher.clip(
                ended.error() == null
                        ? ended.status()
                        : ended.error() + (ended.cause() == null ? "" : ": " + ended.cause()));
        Instant at = ended.stoppedAt();
        boolean moved = WindowLifecycles.TASK.change(
                o.state(),
                to,
                () -> h.createUpdate("UPDATE maintenance_window_task_executions SET status = :to,"
                                        + " status_details = :details, end_time = :at"
                                        + " WHERE task_execution_id = :id::uuid AND status = :from")
                                .bind("to", to.name())
                                .bind("details", details)
                                .bind("at", at)
                                .bind("id", o.taskExecutionId())
                                .bind("from", o.state().name())
                                .execute()
                        == 1);
        if (!moved) {
            return;
        }
        events.taskChanged(h, o.windowId(), o.executionId(), o.taskExecutionId(), to.name(), o.start(), at);
        h.createUpdate("UPDATE maintenance_window_task_invocations SET status = :to, status_details = :details,"
                        + " end_time = :at WHERE task_execution_id = :id::uuid")
                .bind("to", to.name())
                .bind("details", details)
                .bind("at", at)
                .bind("id", o.taskExecutionId())
                .execute();
        events.invocationsChanged(
                h,
                List.of(new WindowEvents.InvocationEvent(
                        o.windowId(), o.executionId(), o.taskExecutionId(), null, null, to.name(), o.start(), at)));
        wake.run();
    }

    /** An execution's end as its task's: AWS reports a stopped execution's task as CANCELLED. */
    static TaskState taskState(String executionStatus) {
        return switch (executionStatus) {
            case "SUCCEEDED" -> TaskState.SUCCESS;
            case "TIMED_OUT" -> TaskState.TIMED_OUT;
            case "ABORTED" -> TaskState.CANCELLED;
            default -> TaskState.FAILED;
        };
    }
}
